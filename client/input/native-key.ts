/**
 * Names of the keys an input sink can press, spelled as the members of nut-js's `Key`
 * enum so the nut-js adapter maps them one to one. Kept here as plain strings so the
 * mapping logic and its tests never load the native module.
 */
export const NATIVE_KEYS = [
  'Escape', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10', 'F11', 'F12',
  'F13', 'F14', 'F15', 'F16', 'F17', 'F18', 'F19', 'F20', 'F21', 'F22', 'F23', 'F24',
  'Print', 'ScrollLock', 'Pause', 'Grave', 'Num1', 'Num2', 'Num3', 'Num4', 'Num5', 'Num6', 'Num7', 'Num8',
  'Num9', 'Num0', 'Minus', 'Equal', 'Backspace', 'Insert', 'Home', 'PageUp', 'NumLock', 'NumPadEqual',
  'Divide', 'Multiply', 'Subtract', 'Tab', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P',
  'LeftBracket', 'RightBracket', 'Backslash', 'Delete', 'End', 'PageDown', 'NumPad7', 'NumPad8',
  'NumPad9', 'Add', 'CapsLock', 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', 'Semicolon', 'Quote',
  'Return', 'NumPad4', 'NumPad5', 'NumPad6', 'LeftShift', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', 'Comma',
  'Period', 'Slash', 'RightShift', 'Up', 'NumPad1', 'NumPad2', 'NumPad3', 'Enter', 'LeftControl',
  'LeftSuper', 'LeftAlt', 'RightControl', 'RightSuper', 'RightAlt', 'Space', 'Menu', 'Left', 'Down',
  'Right', 'NumPad0', 'Decimal', 'AudioMute', 'AudioVolDown', 'AudioVolUp', 'AudioPlay', 'AudioNext',
  'AudioPrev', 'AudioStop',
] as const;

export type NativeKey = (typeof NATIVE_KEYS)[number];

/** Modifier keys, whose held state the injector tracks so it can release them at the end. */
export const MODIFIER_KEYS: ReadonlySet<NativeKey> = new Set<NativeKey>([
  'LeftShift', 'RightShift', 'LeftControl', 'RightControl', 'LeftAlt', 'RightAlt', 'LeftSuper', 'RightSuper',
]);
