import { randomInt, randomBytes } from 'node:crypto';
import { MAX_SECRET_DIGITS, MIN_SECRET_DIGITS } from '../../common/access-code';

/**
 * The digits the agent adds to the relay's code (PROTOCOL.md §12.1), from the operating
 * system's cryptographic random source. The relay never sees them: they are what makes
 * the key agreement something the relay cannot stand in the middle of.
 */
export function drawSecretDigits(count: number): string {
  if (!Number.isInteger(count) || count < MIN_SECRET_DIGITS || count > MAX_SECRET_DIGITS) {
    throw new RangeError(`secret digits must be ${MIN_SECRET_DIGITS}–${MAX_SECRET_DIGITS}`);
  }
  return randomInt(0, 10 ** count).toString().padStart(count, '0');
}

/** Random bytes for the key agreement's secret scalar. */
export function secureRandomBytes(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}
