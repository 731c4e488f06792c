import { NATIVE_KEYS } from '../input/native-key';
import { NATIVE_KEY_KEYSYMS } from '../input/native-key-keysyms';

describe('the X keysym of each key a technician can press', () => {
  test('letters are their unshifted keysym, digits their character, function and keypad keys follow keysymdef.h', () => {
    expect(NATIVE_KEY_KEYSYMS.A).toBe(0x61); // XK_a
    expect(NATIVE_KEY_KEYSYMS.Z).toBe(0x7a); // XK_z
    expect(NATIVE_KEY_KEYSYMS.Num0).toBe(0x30);
    expect(NATIVE_KEY_KEYSYMS.Num9).toBe(0x39);
    expect(NATIVE_KEY_KEYSYMS.F1).toBe(0xffbe);
    expect(NATIVE_KEY_KEYSYMS.F12).toBe(0xffc9);
    expect(NATIVE_KEY_KEYSYMS.F24).toBe(0xffd5);
    expect(NATIVE_KEY_KEYSYMS.NumPad0).toBe(0xffb0); // XK_KP_0
    expect(NATIVE_KEY_KEYSYMS.NumPad9).toBe(0xffb9); // XK_KP_9
    expect(NATIVE_KEY_KEYSYMS.PageUp).toBe(0xff55); // XK_Prior
    expect(NATIVE_KEY_KEYSYMS.AudioMute).toBe(0x1008ff12); // XF86XK_AudioMute
  });

  test('every key has a keysym, and only Enter and Return share one', () => {
    // The table is built from ranges, so the compiler cannot check that it is complete.
    expect(Object.keys(NATIVE_KEY_KEYSYMS).sort()).toEqual([...NATIVE_KEYS].sort());
    const byKeysym = new Map<number, string[]>();
    for (const [key, keysym] of Object.entries(NATIVE_KEY_KEYSYMS)) {
      expect(Number.isInteger(keysym) && keysym > 0).toBe(true);
      byKeysym.set(keysym, [...(byKeysym.get(keysym) ?? []), key]);
    }
    const shared = [...byKeysym.values()].filter((keys) => keys.length > 1);
    expect(shared).toEqual([['Return', 'Enter']]);
  });
});
