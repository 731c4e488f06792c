import { sha256 } from '@noble/hashes/sha2.js';
import type { Hasher } from '../files/file-io';

/**
 * An incremental SHA-256 in pure JavaScript, for the page (WebCrypto's digest takes the
 * whole file at once, and a file may be larger than memory). Here because common/e2e is
 * the one portable place that may import the audited @noble packages.
 */
export function nobleSha256(): Hasher {
  const hash = sha256.create();
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => hash.digest(),
  };
}
