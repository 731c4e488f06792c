import { groupAccessCode, hasSecretDigits, isCompleteAccessCode, MAX_CODE_DIGITS, routingPart } from '../../../common/access-code';
import type { JoinMessage } from '../../../protocol';

/** What the code field holds after normalising what was typed or pasted. */
export interface AccessCodeInput {
  /** The digits kept, at most {@link MAX_CODE_DIGITS}. */
  readonly digits: string;
  /** The digits grouped for reading aloud, "385 621 947". */
  readonly display: string;
  /** Something other than digits, spaces, dots or dashes was typed (and dropped): tell the user. */
  readonly refusedCharacters: boolean;
  /** More digits were given than any code has (the extra ones were dropped). */
  readonly tooLong: boolean;
  /**
   * The code can be sent: six digits (an older customer's app, in clear) or six plus 3 to
   * 6 secret digits (end-to-end encrypted). Seven or eight digits are never a whole code.
   */
  readonly complete: boolean;
}

/**
 * Normalises the code field. Customers read the code in groups ("385 621 947") and
 * technicians paste it from chats with spaces, dashes, dots or non-breaking spaces, so
 * those separators are silently dropped; anything else (letters) is refused and reported.
 * The grouping and the rule for a whole code are common/access-code.ts, the same the
 * customer's app shows the code with.
 */
export function parseAccessCodeInput(raw: string): AccessCodeInput {
  let all = '';
  let refused = false;
  for (const ch of raw) {
    if (ch >= '0' && ch <= '9') all += ch;
    else if (!/[\s\-\u2010-\u2015.]/u.test(ch)) refused = true;
  }
  const digits = all.slice(0, MAX_CODE_DIGITS);
  return {
    digits,
    display: groupAccessCode(digits),
    refusedCharacters: refused,
    tooLong: all.length > MAX_CODE_DIGITS,
    complete: isCompleteAccessCode(digits),
  };
}

/**
 * The `join` for a whole code (PROTOCOL.md §3.3, §12.1). Only the six routing digits go to
 * the relay; the secret ones stay on this page for the key agreement.
 *
 * With secret digits the customer's app seals, so the name goes empty here and travels
 * sealed in `introduce`: the relay never learns it and cannot change it. A six-digit code
 * belongs to an older app that cannot seal (or was typed short, and the agreement stops at
 * `incomplete-code`); that app asks its customer with the name from `join`, so it is sent.
 */
export function joinMessage(code: string, name: string): JoinMessage {
  return { type: 'join', code: routingPart(code), name: mustSeal(code) ? '' : name };
}

/**
 * Whether a session with this code must be end-to-end encrypted: only an app that seals
 * shows more than six digits, so a relay offering such a session in clear is lying
 * (PROTOCOL.md §12.7).
 */
export function mustSeal(code: string): boolean {
  return hasSecretDigits(code);
}
