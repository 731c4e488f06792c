/**
 * Text as Windows keyboard events that carry characters, not keys: one KEYEVENTF_UNICODE
 * press and release per UTF-16 code unit (a character outside the Basic Multilingual
 * Plane is its two surrogates in a row, which Windows joins into one WM_CHAR pair). The
 * active keyboard layout plays no part, so "año € ß 日本" arrives exactly whatever the
 * customer's layout is. Pure: the adapter hands these to SendInput.
 */

/** INPUT.type of a keyboard event (winuser.h). */
export const INPUT_KEYBOARD = 1;
/** KEYBDINPUT.dwFlags: the event is a release. */
export const KEYEVENTF_KEYUP = 0x0002;
/** KEYBDINPUT.dwFlags: wScan is a UTF-16 code unit, wVk must be 0. */
export const KEYEVENTF_UNICODE = 0x0004;

export interface UnicodeKeyEvent {
  /** The UTF-16 code unit (KEYBDINPUT.wScan). */
  readonly unit: number;
  readonly flags: number;
}

/** Press and release of every code unit of `text`, in order. Line breaks go as Enter's character (\r). */
export function unicodeKeyEvents(text: string): UnicodeKeyEvent[] {
  const events: UnicodeKeyEvent[] = [];
  // Notepad and most edit controls take \r as a new line; \r\n would give two.
  const normalized = text.replace(/\r\n?/g, '\n').replace(/\n/g, '\r');
  for (let i = 0; i < normalized.length; i++) {
    const unit = normalized.charCodeAt(i);
    events.push({ unit, flags: KEYEVENTF_UNICODE }, { unit, flags: KEYEVENTF_UNICODE | KEYEVENTF_KEYUP });
  }
  return events;
}
