import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, type Aead, type AeadFactory } from '../e2e/aead';

/**
 * AES-256-GCM through node:crypto (OpenSSL, with the CPU's AES instructions): the agent's
 * implementation, as it seals every frame it sends. The work is synchronous; the Promise
 * only matches the Aead interface.
 */
export const nodeAead: AeadFactory = async (keyBytes) => {
  if (keyBytes.length !== AEAD_KEY_BYTES) throw new Error('AES-256-GCM needs a 32-byte key');
  const key = Uint8Array.from(keyBytes);
  const aead: Aead = {
    async seal(nonce, aad, plaintext, reserve = 0) {
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES });
      cipher.setAAD(aad);
      const body = cipher.update(plaintext);
      const last = cipher.final();
      const tag = cipher.getAuthTag();
      const out = new Uint8Array(reserve + body.length + last.length + tag.length);
      out.set(body, reserve);
      out.set(last, reserve + body.length);
      out.set(tag, reserve + body.length + last.length);
      return out;
    },
    async open(nonce, aad, sealed) {
      if (sealed.length < AEAD_TAG_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: AEAD_TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - AEAD_TAG_BYTES));
      const body = decipher.update(sealed.subarray(0, sealed.length - AEAD_TAG_BYTES));
      try {
        decipher.final(); // throws when the tag does not verify
      } catch {
        return undefined;
      }
      return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    },
  };
  return aead;
};
