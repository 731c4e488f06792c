import { randomBytes, randomInt } from 'node:crypto';

/** A fresh 6-digit access code from the operating system's cryptographic random source. */
export function randomAccessCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** A session's key in the registry (128 random bits). Never sent to anyone, never logged. */
export function randomSessionId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * A legacy peer's own credential, returned to it as its `session_id` (128 random bits; the
 * `session_` prefix is what the old programs were given). Never logged, never listed.
 */
export function randomLegacyPeerId(): string {
  return `session_${randomBytes(16).toString('hex')}`;
}

/**
 * The session binding of a key agreement (`e2e-start`): 16 random bytes both peers bind
 * their keys to, so nothing of one session's agreement can be replayed into another.
 */
export function randomBinding(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

/** A short random id for log lines (not a secret). */
export function randomConnectionId(): string {
  return randomBytes(4).toString('hex');
}
