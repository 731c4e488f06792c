import { KeymapIndex, keysymForCodePoint, ScratchKeycodes, splitRuns } from '../input/keysym-plan';

describe('keysyms', () => {
  test('Latin-1 characters are their own keysyms; the rest use the Unicode range', () => {
    expect(keysymForCodePoint('a'.codePointAt(0)!)).toBe(0x61);
    expect(keysymForCodePoint('ñ'.codePointAt(0)!)).toBe(0xf1);
    expect(keysymForCodePoint('¿'.codePointAt(0)!)).toBe(0xbf);
    expect(keysymForCodePoint('€'.codePointAt(0)!)).toBe(0x10020ac);
    expect(keysymForCodePoint('😀'.codePointAt(0)!)).toBe(0x101f600);
    expect(keysymForCodePoint(10)).toBe(0xff0d);
    expect(keysymForCodePoint(9)).toBe(0xff09);
  });

  test('the keymap index finds level 1 and Shift level, implies upper case, and lists spare keycodes', () => {
    const k = new KeymapIndex(8, [
      [0, 0], // 8: spare
      [0x61, 0x41], // 9: a A
      [0x31, 0x21], // 10: 1 !
      [0x62, 0], // 11: b (B implied)
      [0, 0], // 12: spare
    ]);
    expect(k.find(0x61)).toEqual({ keycode: 9, shift: false });
    expect(k.find(0x41)).toEqual({ keycode: 9, shift: true });
    expect(k.find(0x21)).toEqual({ keycode: 10, shift: true });
    expect(k.find(0x42)).toEqual({ keycode: 11, shift: true });
    expect(k.find(0xf1)).toBeUndefined();
    expect(k.spareKeycodes()).toEqual([8, 12]);
  });

  test('runs hold at most as many distinct missing keysyms as there are spare keycodes', () => {
    const missing = (ks: number) => ks > 0xff;
    expect(splitRuns([1, 0x100, 2, 0x101, 0x100, 0x102, 3], missing, 2)).toEqual([[1, 0x100, 2, 0x101, 0x100], [0x102, 3]]);
    expect(splitRuns([], missing, 2)).toEqual([]);
  });

  test('scratch keycodes: reuse a binding, fill free ones, and wait before re-binding a recent one', () => {
    const s = new ScratchKeycodes([200, 201], 150);
    expect(s.plan([0xf1], 0)).toEqual({ bindings: [{ keycode: 200, keysym: 0xf1 }], waitMs: 0 });
    s.used(200, 10);
    expect(s.plan([0xf1, 0xbf], 20)).toEqual({ bindings: [{ keycode: 201, keysym: 0xbf }], waitMs: 0 });
    s.used(201, 30);
    // Both are taken; the least recently used (200, pressed at 10) must wait until 160.
    expect(s.plan([0x10020ac], 100)).toEqual({ bindings: [{ keycode: 200, keysym: 0x10020ac }], waitMs: 60 });
    expect(s.keycodeOf(0xf1)).toBeUndefined();
    expect(s.keycodeOf(0xbf)).toBe(201);
    expect(() => s.plan([1, 2, 3], 0)).toThrow(RangeError);
  });
});
