import { MAX_TEXT_EVENT_LENGTH, splitTextForEvents } from '../input';

describe('splitTextForEvents: long text as several text events', () => {
  it('keeps short text whole and sends nothing for empty text', () => {
    expect(splitTextForEvents('¿Añadir el último pingüino? ¡Sí! 10 €')).toEqual(['¿Añadir el último pingüino? ¡Sí! 10 €']);
    expect(splitTextForEvents('')).toEqual([]);
  });

  it('splits at the protocol limit and joins back exactly', () => {
    const text = 'ñ'.repeat(MAX_TEXT_EVENT_LENGTH * 2 + 5);
    const pieces = splitTextForEvents(text);
    expect(pieces.map((p) => p.length)).toEqual([4096, 4096, 5]);
    expect(pieces.join('')).toBe(text);
  });

  it('never cuts an emoji (surrogate pair) in half', () => {
    const text = `${'a'.repeat(4095)}😀b`;
    const pieces = splitTextForEvents(text);
    expect(pieces).toEqual(['a'.repeat(4095), '😀b']);
    expect(pieces.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
    expect(splitTextForEvents('😀😀😀', 3)).toEqual(['😀', '😀', '😀']);
  });
});
