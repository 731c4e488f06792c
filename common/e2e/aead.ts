/**
 * An AEAD cipher with one key: AES-256-GCM, 12-byte nonces, 16-byte tags. Two
 * implementations exist: node:crypto in the agent (common/node/node-aead.ts) and WebCrypto
 * in the page (webcrypto-aead.ts); the record layer does not care which. Both are async
 * because WebCrypto is.
 */
export interface Aead {
  /** The ciphertext followed by the 16-byte tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /** The plaintext, or undefined when the tag does not verify (wrong key, altered bytes or AAD). */
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Makes an Aead from a 32-byte key. */
export type AeadFactory = (key: Uint8Array) => Promise<Aead>;

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
