import { AEAD_KEY_BYTES, AEAD_TAG_BYTES, type Aead, type AeadFactory } from './aead';

/**
 * AES-256-GCM through WebCrypto: the page's implementation (native code in every
 * browser), and usable in Node too (globalThis.crypto.subtle) for tests and benchmarks.
 * The host's SubtleCrypto is passed in, as portable code takes what the host provides.
 */
export function webCryptoAead(subtle: SubtleCrypto): AeadFactory {
  return async (keyBytes) => {
    if (keyBytes.length !== AEAD_KEY_BYTES) throw new Error('AES-256-GCM needs a 32-byte key');
    const key = await subtle.importKey('raw', keyBytes as BufferSource, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    const aead: Aead = {
      async seal(nonce, aad, plaintext, reserve = 0) {
        const params: AesGcmParams = { name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aad as BufferSource, tagLength: AEAD_TAG_BYTES * 8 };
        const sealed = new Uint8Array(await subtle.encrypt(params, key, plaintext as BufferSource));
        if (reserve === 0) return sealed;
        // WebCrypto hands back a buffer of its own: one copy either way.
        const out = new Uint8Array(reserve + sealed.length);
        out.set(sealed, reserve);
        return out;
      },
      async open(nonce, aad, sealed) {
        if (sealed.length < AEAD_TAG_BYTES) return undefined;
        const params: AesGcmParams = { name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aad as BufferSource, tagLength: AEAD_TAG_BYTES * 8 };
        try {
          return new Uint8Array(await subtle.decrypt(params, key, sealed as BufferSource));
        } catch {
          return undefined; // WebCrypto reports a tag that does not verify as an OperationError
        }
      },
    };
    return aead;
  };
}
