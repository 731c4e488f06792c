import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloseCode } from '../close-codes';
import { Errors, errorByCode } from '../errors';

const DOC_PATH = join(__dirname, '..', '..', 'docs', 'PROTOCOL.md');
const doc = readFileSync(DOC_PATH, 'utf8');
const entries = Object.entries(Errors);
const specs = Object.values(Errors);

function isValidCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1015) || (code >= 4000 && code <= 4999));
}

describe('error catalogue', () => {
  it('is not empty and its codes are unique', () => {
    expect(specs.length).toBeGreaterThan(0);
    const codes = specs.map((e) => e.code);
    const duplicates = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(duplicates).toEqual([]);
  });

  it.each(entries)('%s has a well-formed code, message, HTTP status and close code', (key, spec) => {
    expect(spec.code).toMatch(/^RS_ERR_[A-Z][A-Z0-9]*_[A-Z_]+$/);
    // The key is the code without its prefix, so `Errors.X.code` is always `RS_ERR_X`.
    expect(spec.code).toBe(`RS_ERR_${key}`);
    expect(spec.message.trim().length).toBeGreaterThan(0);
    expect(Number.isInteger(spec.httpStatus)).toBe(true);
    expect(spec.httpStatus).toBeGreaterThanOrEqual(400);
    expect(spec.httpStatus).toBeLessThanOrEqual(599);
    if (spec.closeCode !== undefined) {
      expect(isValidCloseCode(spec.closeCode)).toBe(true);
      expect(Object.values(CloseCode)).toContain(spec.closeCode);
    }
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it('errorByCode finds every entry by its wire code, and nothing else', () => {
    for (const spec of specs) expect(errorByCode(spec.code)).toBe(spec);
    expect(errorByCode('RS_ERR_NOPE_NOPE')).toBeUndefined();
    expect(errorByCode('toString')).toBeUndefined();
  });

  it('close codes are all standard (1000–1015) or ours (4000–4999), and unique', () => {
    const values = Object.values(CloseCode);
    for (const v of values) expect(isValidCloseCode(v)).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('docs/PROTOCOL.md', () => {
  it.each(specs.map((e) => [e.code, e] as const))('documents %s', (code) => {
    expect(doc).toContain(code);
  });

  it('the catalogue table row of every code states its HTTP status and close code', () => {
    const problems: string[] = [];
    for (const spec of specs) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${spec.code}\` |`));
      if (row === undefined) { problems.push(`${spec.code}: no table row`); continue; }
      const cells = row.split('|').map((c) => c.trim());
      // cells: '', code, message, http, close, ''
      if (cells[3] !== String(spec.httpStatus)) problems.push(`${spec.code}: HTTP ${cells[3]} ≠ ${spec.httpStatus}`);
      const close = spec.closeCode === undefined ? '—' : String(spec.closeCode);
      if (!(cells[4] ?? '').startsWith(close)) problems.push(`${spec.code}: close ${cells[4]} ≠ ${close}`);
      if (cells[2] !== spec.message) problems.push(`${spec.code}: message differs`);
    }
    expect(problems).toEqual([]);
  });

  it('lists every close code in its close code table', () => {
    for (const [name, value] of Object.entries(CloseCode)) {
      expect(doc).toMatch(new RegExp(`^\\| ${value} \\| \`${name}\` \\|`, 'm'));
    }
  });

  it('documents every error code that it mentions (no stale codes)', () => {
    // `RS_ERR_HTTP_*` style wildcards end in `_` and are not codes.
    const mentioned = new Set((doc.match(/RS_ERR_[A-Z0-9_]+/g) ?? []).filter((c) => !c.endsWith('_')));
    const known = new Set(specs.map((e) => e.code));
    expect([...mentioned].filter((c) => !known.has(c))).toEqual([]);
  });
});
