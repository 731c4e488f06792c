import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eVectorsText } from '../support/e2e-vectors';

/**
 * docs/PROTOCOL.md §12.8 shows one agreement and two sealed records value by value: this
 * keeps the document equal to what the reference code computes, so a peer written from the
 * document alone can check itself against it.
 */
describe('PROTOCOL.md worked example of end-to-end encryption', () => {
  it('is what the code computes', async () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'PROTOCOL.md'), 'utf8');
    const start = doc.indexOf('<!-- e2e-vectors:start -->\n');
    const end = doc.indexOf('<!-- e2e-vectors:end -->');
    expect(start).toBeGreaterThan(0);
    const documented = doc.slice(start + '<!-- e2e-vectors:start -->\n'.length, end).trim();
    expect(documented).toBe(await e2eVectorsText());
  });
});
