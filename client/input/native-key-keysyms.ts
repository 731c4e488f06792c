import type { NativeKey } from './native-key';

/** F1 is 0xffbe and the function keys follow one another up to F35. */
const XK_F1 = 0xffbe;
/** The keypad digits KP_0 … KP_9 follow one another from 0xffb0. */
const XK_KP_0 = 0xffb0;
/** AltGr on most European layouts (Spanish among them): they have no Alt_R. */
export const XK_ISO_LEVEL3_SHIFT = 0xfe03;

const functionKeys = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`F${i + 1}`, XK_F1 + i]));
const digitKeys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Num${i}`, 0x30 + i]));
const keypadDigits = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`NumPad${i}`, XK_KP_0 + i]));
const letterKeys = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [String.fromCharCode(0x41 + i), 0x61 + i]));

/**
 * The X keysym of each key a technician can press, as X11 names it (X11/keysymdef.h and
 * XF86keysym.h). A key is pressed through the keycode that carries its keysym on the
 * customer's keymap, as a physical key would be: the customer's layout, Num Lock and the
 * held modifiers decide what it types, exactly as for the customer's own keyboard.
 * Letters are their lower-case keysym (the unshifted level).
 */
export const NATIVE_KEY_KEYSYMS: Readonly<Record<NativeKey, number>> = Object.freeze({
  ...functionKeys, ...digitKeys, ...keypadDigits, ...letterKeys,
  Escape: 0xff1b, Print: 0xff61, ScrollLock: 0xff14, Pause: 0xff13,
  Grave: 0x60, Minus: 0x2d, Equal: 0x3d, Backspace: 0xff08, Tab: 0xff09,
  Insert: 0xff63, Delete: 0xffff, Home: 0xff50, End: 0xff57, PageUp: 0xff55, PageDown: 0xff56,
  Left: 0xff51, Up: 0xff52, Right: 0xff53, Down: 0xff54,
  LeftBracket: 0x5b, RightBracket: 0x5d, Backslash: 0x5c, Semicolon: 0x3b, Quote: 0x27,
  Comma: 0x2c, Period: 0x2e, Slash: 0x2f, Space: 0x20,
  Return: 0xff0d, Enter: 0xff0d, CapsLock: 0xffe5, NumLock: 0xff7f, Menu: 0xff67,
  NumPadEqual: 0xffbd, Divide: 0xffaf, Multiply: 0xffaa, Subtract: 0xffad, Add: 0xffab, Decimal: 0xffae,
  LeftShift: 0xffe1, RightShift: 0xffe2, LeftControl: 0xffe3, RightControl: 0xffe4,
  LeftAlt: 0xffe9, RightAlt: 0xffea, LeftSuper: 0xffeb, RightSuper: 0xffec,
  AudioVolDown: 0x1008ff11, AudioMute: 0x1008ff12, AudioVolUp: 0x1008ff13, AudioPlay: 0x1008ff14,
  AudioStop: 0x1008ff15, AudioPrev: 0x1008ff16, AudioNext: 0x1008ff17,
} as Record<NativeKey, number>);
