import { randomBytes, randomInt } from 'node:crypto';

/** A fresh 6-digit access code from the operating system's cryptographic random source. */
export function randomAccessCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * An unguessable session id (128 random bits). It doubles as the legacy API's bearer
 * credential, so it is never logged in full and never listed.
 */
export function randomSessionId(): string {
  return `session_${randomBytes(16).toString('hex')}`;
}

/** A short random id for log lines (not a secret). */
export function randomConnectionId(): string {
  return randomBytes(4).toString('hex');
}
