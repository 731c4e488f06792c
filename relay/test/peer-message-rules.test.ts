import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryKind } from '../../protocol';
import { allows, BINARY_RULES, SEALED_RULES, TEXT_RULES, type SendRule } from '../peer-message-rules';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');

/** The table between the `marker` markers of docs/PROTOCOL.md, as rows of cells. */
function documentedRows(marker = 'send-rules'): string[][] {
  const start = doc.indexOf(`<!-- ${marker}:start -->`);
  const end = doc.indexOf(`<!-- ${marker}:end -->`);
  expect(start).toBeGreaterThan(0);
  return doc.slice(start, end).split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .slice(1) // the header row
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

function row(name: string, rule: SendRule): string[] {
  return [name, rule.from === 'any' ? 'either' : rule.from, rule.in.join(', '), rule.session ?? 'any'];
}

function innerRow(name: string, rule: SendRule): string[] {
  return [name, rule.from === 'any' ? 'either' : rule.from, rule.in.join(', ')];
}

describe('who may send what, when', () => {
  it('docs/PROTOCOL.md §3.5 lists exactly the relay\'s rules', () => {
    const expected = [
      ...Object.entries(TEXT_RULES).map(([type, rule]) => row(`\`${type}\``, rule)),
      row('FRAME (binary)', BINARY_RULES[BinaryKind.FRAME]!),
      row('FRAME_ACK (binary)', BINARY_RULES[BinaryKind.FRAME_ACK]!),
    ];
    expect(documentedRows()).toEqual(expected);
  });

  it('docs/PROTOCOL.md §12 lists exactly what may travel sealed, from whom, when', () => {
    expect(documentedRows('sealed-rules')).toEqual(Object.entries(SEALED_RULES).map(([type, rule]) => innerRow(`\`${type}\``, rule)));
  });

  it('keeps peer-to-peer messages in their kind of session', () => {
    expect(allows(TEXT_RULES.input, 'technician', 'paired', 'plain')).toBe(true);
    expect(allows(TEXT_RULES.input, 'technician', 'paired', 'sealed')).toBe(false);
    expect(allows(TEXT_RULES.sealed, 'technician', 'paired', 'plain')).toBe(false);
    expect(allows(TEXT_RULES.sealed, 'technician', 'paired', 'sealed')).toBe(true);
    expect(allows(TEXT_RULES['e2e-share'], 'client', 'agreeing', 'sealed')).toBe(true);
    expect(allows(TEXT_RULES['e2e-share'], 'client', 'paired', 'sealed')).toBe(false);
    expect(allows(TEXT_RULES.bye, 'client', 'agreeing', 'sealed')).toBe(true);
  });

  it('checks both the role and the phase', () => {
    expect(allows(TEXT_RULES.input, 'technician', 'paired', 'plain')).toBe(true);
    expect(allows(TEXT_RULES.input, 'client', 'paired', 'plain')).toBe(false);
    expect(allows(TEXT_RULES.input, 'technician', 'pending-consent', 'plain')).toBe(false);
    expect(allows(TEXT_RULES.hello, undefined, 'handshake')).toBe(true);
    expect(allows(TEXT_RULES.hello, 'client', 'ready')).toBe(false);
    expect(allows(TEXT_RULES.bye, undefined, 'handshake')).toBe(false);
  });
});
