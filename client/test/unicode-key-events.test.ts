import { KEYEVENTF_KEYUP, KEYEVENTF_UNICODE, unicodeKeyEvents } from '../input/unicode-key-events';

const DOWN = KEYEVENTF_UNICODE;
const UP = KEYEVENTF_UNICODE | KEYEVENTF_KEYUP;

describe('unicodeKeyEvents: text as Windows character events', () => {
  test('every character is a press and a release of its own code unit, whatever byte it would be cut to', () => {
    expect(unicodeKeyEvents('añ€')).toEqual([
      { unit: 0x61, flags: DOWN }, { unit: 0x61, flags: UP },
      { unit: 0xf1, flags: DOWN }, { unit: 0xf1, flags: UP },
      { unit: 0x20ac, flags: DOWN }, { unit: 0x20ac, flags: UP },
    ]);
  });

  test('a character beyond the BMP goes as its two surrogates, in order', () => {
    expect(unicodeKeyEvents('👍').map((e) => e.unit)).toEqual([0xd83d, 0xd83d, 0xdc4d, 0xdc4d]);
  });

  test('the phrase of the Wine test comes back exactly from the units sent', () => {
    const phrase = 'Útil: año, € ñ ü ß 日本';
    const pressed = unicodeKeyEvents(phrase).filter((e) => e.flags === DOWN).map((e) => e.unit);
    expect(String.fromCharCode(...pressed)).toBe(phrase);
  });

  test('line breaks of any kind become one carriage return each', () => {
    const pressed = unicodeKeyEvents('a\r\nb\nc\rd').filter((e) => e.flags === DOWN).map((e) => e.unit);
    expect(String.fromCharCode(...pressed)).toBe('a\rb\rc\rd');
  });

  test('empty text sends nothing', () => {
    expect(unicodeKeyEvents('')).toEqual([]);
  });
});
