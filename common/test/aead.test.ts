import { randomBytes, webcrypto } from 'node:crypto';
import { AEAD_TAG_BYTES } from '../e2e/aead';
import { webCryptoAead } from '../e2e/webcrypto-aead';
import { nodeAead } from '../node/node-aead';

/** The two AES-256-GCM implementations (the agent's and the page's) must be interchangeable byte for byte. */
describe('AES-256-GCM: node:crypto and WebCrypto', () => {
  const key = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(12));
  const aad = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const webAead = webCryptoAead(webcrypto.subtle as unknown as SubtleCrypto);

  it.each([0, 1, 16, 4096])('seal the same bytes, after %i reserved zero bytes, and open each other\'s', async (size) => {
    const plain = new Uint8Array(randomBytes(size));
    const [node, web] = [await nodeAead(key), await webAead(key)];
    for (const reserve of [0, 16]) {
      const a = await node.seal(nonce, aad, plain, reserve);
      const b = await web.seal(nonce, aad, plain, reserve);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(a.length).toBe(reserve + size + AEAD_TAG_BYTES);
      expect(Array.from(a.subarray(0, reserve))).toEqual(new Array(reserve).fill(0));
      expect(Buffer.from((await web.open(nonce, aad, a.subarray(reserve)))!).equals(Buffer.from(plain))).toBe(true);
      expect(Buffer.from((await node.open(nonce, aad, b.subarray(reserve)))!).equals(Buffer.from(plain))).toBe(true);
    }
  });
});
