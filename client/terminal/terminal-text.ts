/**
 * Control characters (C0 but tab and newline, DEL, C1) and the bidirectional overrides and
 * isolates: a chat message printed as it came could move the cursor, recolour or clear the
 * customer's terminal, or show its words in another order than they were sent.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` as a terminal may print it: every unsafe character becomes U+FFFD (�), the rest stays exactly. */
export function printableForTerminal(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, '\ufffd');
}
