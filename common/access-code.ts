/**
 * The code the customer reads out. The relay gives six routing digits; an agent of
 * protocol version 2 appends 3 to 6 secret digits of its own that the relay never sees
 * (PROTOCOL.md §12.1). The agent, its window, the terminal and the technician's page all
 * show and read codes with these rules.
 */

/** Digits the relay routes on (`code`, `join`). */
export const ROUTING_DIGITS = 6;
export const MIN_SECRET_DIGITS = 3;
export const MAX_SECRET_DIGITS = 6;
/** The agent's default: the relay then has one chance in 1,000 per session of standing in the middle. */
export const DEFAULT_SECRET_DIGITS = 3;
/** The longest whole code. */
export const MAX_CODE_DIGITS = ROUTING_DIGITS + MAX_SECRET_DIGITS;

/**
 * Grouped for reading aloud: the routing digits in two groups of three, then the secret
 * digits as one group ("385 621 947", "385 621 9470"); a partial code as far as it goes.
 */
export function groupAccessCode(digits: string): string {
  const groups = [digits.slice(0, 3), digits.slice(3, ROUTING_DIGITS), digits.slice(ROUTING_DIGITS)];
  return groups.filter((g) => g !== '').join(' ');
}

/**
 * Whether `digits` can be sent: six (an older customer's app, in clear) or six plus 3 to 6
 * secret digits (end-to-end encrypted).
 */
export function isCompleteAccessCode(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  const secret = digits.length - ROUTING_DIGITS;
  return secret === 0 || (secret >= MIN_SECRET_DIGITS && secret <= MAX_SECRET_DIGITS);
}

/** The digits that go to the relay. */
export function routingPart(digits: string): string {
  return digits.slice(0, ROUTING_DIGITS);
}

/** True when the code carries secret digits: the session must be end-to-end encrypted. */
export function hasSecretDigits(digits: string): boolean {
  return digits.length > ROUTING_DIGITS;
}
