import type { KeyEvent } from '../../protocol';
import type { NativeKey } from './native-key';

/**
 * What to do on the customer's machine for one technician key event.
 * - `key`: press or release a physical key (shortcuts, navigation, modifiers);
 * - `char`: type a character (the technician's layout already produced it, so it is
 *   typed as text, which works whatever the customer's keyboard layout is);
 * - `ignore`: nothing (dead keys, key-up of typed characters, keys we cannot press).
 */
export type KeyAction =
  | { readonly kind: 'key'; readonly key: NativeKey; readonly down: boolean }
  | { readonly kind: 'char'; readonly text: string }
  | { readonly kind: 'ignore' };

const IGNORE: KeyAction = Object.freeze({ kind: 'ignore' });

/** Non-character keys by their physical `code` (W3C UI Events). */
const BY_CODE: Readonly<Record<string, NativeKey>> = Object.freeze({
  Escape: 'Escape', Tab: 'Tab', Backspace: 'Backspace', Enter: 'Enter', NumpadEnter: 'Enter', Space: 'Space',
  ShiftLeft: 'LeftShift', ShiftRight: 'RightShift', ControlLeft: 'LeftControl', ControlRight: 'RightControl',
  AltLeft: 'LeftAlt', AltRight: 'RightAlt', MetaLeft: 'LeftSuper', MetaRight: 'RightSuper', OSLeft: 'LeftSuper',
  OSRight: 'RightSuper', ContextMenu: 'Menu', CapsLock: 'CapsLock', NumLock: 'NumLock', ScrollLock: 'ScrollLock',
  PrintScreen: 'Print', Pause: 'Pause', Insert: 'Insert', Delete: 'Delete', Home: 'Home', End: 'End',
  PageUp: 'PageUp', PageDown: 'PageDown', ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right',
  Numpad0: 'NumPad0', Numpad1: 'NumPad1', Numpad2: 'NumPad2', Numpad3: 'NumPad3', Numpad4: 'NumPad4',
  Numpad5: 'NumPad5', Numpad6: 'NumPad6', Numpad7: 'NumPad7', Numpad8: 'NumPad8', Numpad9: 'NumPad9',
  NumpadDecimal: 'Decimal', NumpadAdd: 'Add', NumpadSubtract: 'Subtract', NumpadMultiply: 'Multiply',
  NumpadDivide: 'Divide', NumpadEqual: 'NumPadEqual',
  AudioVolumeMute: 'AudioMute', AudioVolumeDown: 'AudioVolDown', AudioVolumeUp: 'AudioVolUp',
  MediaPlayPause: 'AudioPlay', MediaTrackNext: 'AudioNext', MediaTrackPrevious: 'AudioPrev', MediaStop: 'AudioStop',
  ...Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`F${i + 1}`, `F${i + 1}`])),
});

/** Character keys by physical `code`, used for shortcuts (Ctrl+C) where the letter matters, not the text. */
const SHORTCUT_BY_CODE: Readonly<Record<string, NativeKey>> = Object.freeze({
  ...Object.fromEntries('ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => [`Key${c}`, c])),
  ...Object.fromEntries('0123456789'.split('').map((d) => [`Digit${d}`, `Num${d}`])),
  Minus: 'Minus', Equal: 'Equal', BracketLeft: 'LeftBracket', BracketRight: 'RightBracket', Backslash: 'Backslash',
  Semicolon: 'Semicolon', Quote: 'Quote', Backquote: 'Grave', Comma: 'Comma', Period: 'Period', Slash: 'Slash',
});

/** Keys named by `key` when `code` is unknown (virtual keyboards, odd layouts). */
const BY_KEY: Readonly<Record<string, NativeKey>> = Object.freeze({
  Escape: 'Escape', Tab: 'Tab', Backspace: 'Backspace', Enter: 'Enter', Shift: 'LeftShift', Control: 'LeftControl',
  Alt: 'LeftAlt', AltGraph: 'RightAlt', Meta: 'LeftSuper', OS: 'LeftSuper', ContextMenu: 'Menu', Delete: 'Delete',
  Insert: 'Insert', Home: 'Home', End: 'End', PageUp: 'PageUp', PageDown: 'PageDown', ArrowUp: 'Up',
  ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right', CapsLock: 'CapsLock', PrintScreen: 'Print',
});

/** A printable `key`: one user-perceived character (a code point plus combining marks). */
function isCharacter(key: string): boolean {
  if (key.length === 0 || key === 'Dead' || key === 'Unidentified') return false;
  const codePoints = [...key];
  if (codePoints.length === 1) return codePoints[0]!.codePointAt(0)! >= 0x20;
  // Combining sequences such as "a\u0301": still one character on screen.
  return codePoints.slice(1).every((c) => /\p{M}/u.test(c));
}

/**
 * Maps a technician key event to what happens on the customer's machine. Characters
 * are typed as text unless a shortcut modifier (Ctrl, Alt without Ctrl, Meta) is held,
 * in which case the physical key is pressed so Ctrl+C means copy on any layout.
 * Ctrl+Alt with a symbol is AltGr on Windows layouts and still types the symbol.
 */
export function mapKeyEvent(event: KeyEvent): KeyAction {
  const down = event.kind === 'key-down';
  const named = BY_CODE[event.code] ?? (isCharacter(event.key) ? undefined : BY_KEY[event.key]);
  if (named !== undefined) return { kind: 'key', key: named, down };
  if (!isCharacter(event.key)) return IGNORE;

  const { ctrl, alt, meta } = event.modifiers;
  const altGr = ctrl && alt && !/^[a-z0-9]$/i.test(event.key);
  if ((ctrl || alt || meta) && !altGr) {
    const shortcut = SHORTCUT_BY_CODE[event.code] ?? letterKey(event.key);
    return shortcut === undefined ? IGNORE : { kind: 'key', key: shortcut, down };
  }
  // Typed once, on the way down; the release has nothing left to do.
  return down ? { kind: 'char', text: event.key } : IGNORE;
}

function letterKey(key: string): NativeKey | undefined {
  const upper = key.toUpperCase();
  if (/^[A-Z]$/.test(upper)) return upper as NativeKey;
  if (/^[0-9]$/.test(key)) return `Num${key}` as NativeKey;
  return undefined;
}
