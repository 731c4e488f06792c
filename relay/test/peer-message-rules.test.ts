import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryKind } from '../../protocol';
import { allows, BINARY_RULES, TEXT_RULES, type SendRule } from '../peer-message-rules';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');

/** The table between the send-rules markers of docs/PROTOCOL.md §3.5, as rows of cells. */
function documentedRows(): string[][] {
  const start = doc.indexOf('<!-- send-rules:start -->');
  const end = doc.indexOf('<!-- send-rules:end -->');
  expect(start).toBeGreaterThan(0);
  return doc.slice(start, end).split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| message') && !line.startsWith('|---'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

function row(name: string, rule: SendRule): string[] {
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

  it('checks both the role and the phase', () => {
    expect(allows(TEXT_RULES.input, 'technician', 'paired')).toBe(true);
    expect(allows(TEXT_RULES.input, 'client', 'paired')).toBe(false);
    expect(allows(TEXT_RULES.input, 'technician', 'pending-consent')).toBe(false);
    expect(allows(TEXT_RULES.hello, undefined, 'handshake')).toBe(true);
    expect(allows(TEXT_RULES.hello, 'client', 'ready')).toBe(false);
    expect(allows(TEXT_RULES.bye, undefined, 'handshake')).toBe(false);
  });
});
