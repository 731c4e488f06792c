/** What the code field holds after normalising what was typed or pasted. */
export interface AccessCodeInput {
  /** The digits kept, at most six. */
  readonly digits: string;
  /** The digits grouped for reading aloud, "385 621". */
  readonly display: string;
  /** Something other than digits, spaces or dashes was typed (and dropped): tell the user. */
  readonly refusedCharacters: boolean;
  /** More than six digits were given (the extra ones were dropped). */
  readonly tooLong: boolean;
  /** Exactly six digits: the code can be sent. */
  readonly complete: boolean;
}

/** Length of an access code (protocol: `^[0-9]{6}$`). */
const ACCESS_CODE_LENGTH = 6;

/**
 * Normalises the code field. Customers read the code in two groups ("385 621") and
 * technicians paste it from chats with spaces, dashes or non-breaking spaces, so those
 * separators are silently dropped; anything else (letters) is refused and reported.
 */
export function parseAccessCodeInput(raw: string): AccessCodeInput {
  let all = '';
  let refused = false;
  for (const ch of raw) {
    if (ch >= '0' && ch <= '9') all += ch;
    else if (!/[\s\-\u2010-\u2015.]/u.test(ch)) refused = true;
  }
  const digits = all.slice(0, ACCESS_CODE_LENGTH);
  return {
    digits,
    display: digits.length > 3 ? `${digits.slice(0, 3)} ${digits.slice(3)}` : digits,
    refusedCharacters: refused,
    tooLong: all.length > ACCESS_CODE_LENGTH,
    complete: digits.length === ACCESS_CODE_LENGTH,
  };
}
