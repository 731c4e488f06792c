/**
 * An AEAD cipher with one key: AES-256-GCM, 12-byte nonces, 16-byte tags. Two
 * implementations exist: node:crypto in the agent (common/node/node-aead.ts) and WebCrypto
 * in the page (webcrypto-aead.ts); the record layer does not care which. Both are async
 * because WebCrypto is.
 */
export interface Aead {
  /**
   * The ciphertext followed by the 16-byte tag, after `reserve` zero bytes (default 0) that
   * the caller fills: a binary record (envelope, record number, sealed body) is then built
   * in one buffer instead of copied again, which at a whole screen per update shows in the
   * agent's latency and garbage collection (BENCHMARKS.md, sealing).
   */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, reserve?: number): Promise<Uint8Array>;
  /** The plaintext, or undefined when the tag does not verify (wrong key, altered bytes or AAD). */
  open(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined>;
}

/** Makes an Aead from a 32-byte key. */
export type AeadFactory = (key: Uint8Array) => Promise<Aead>;

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
