import type { KeyEvent, Modifiers } from '../../protocol';
import { mapKeyEvent } from '../input/key-map';

const NONE: Modifiers = { ctrl: false, alt: false, shift: false, meta: false };
const down = (code: string, key: string, modifiers: Partial<Modifiers> = {}): KeyEvent =>
  ({ kind: 'key-down', code, key, modifiers: { ...NONE, ...modifiers } });
const up = (code: string, key: string, modifiers: Partial<Modifiers> = {}): KeyEvent =>
  ({ kind: 'key-up', code, key, modifiers: { ...NONE, ...modifiers } });

describe('mapKeyEvent', () => {
  test.each([
    ['Enter', 'Enter', 'Enter'], ['Tab', 'Tab', 'Tab'], ['ArrowLeft', 'ArrowLeft', 'Left'], ['Home', 'Home', 'Home'],
    ['F5', 'F5', 'F5'], ['ShiftLeft', 'Shift', 'LeftShift'], ['ControlRight', 'Control', 'RightControl'],
    ['AltRight', 'AltGraph', 'RightAlt'], ['MetaLeft', 'Meta', 'LeftSuper'], ['Delete', 'Delete', 'Delete'],
    ['Space', ' ', 'Space'], ['Numpad7', 'Home', 'NumPad7'], ['Escape', 'Escape', 'Escape'], ['Backspace', 'Backspace', 'Backspace'],
  ])('the non-character key %s (%s) presses %s, down and up', (code, key, native) => {
    expect(mapKeyEvent(down(code, key))).toEqual({ kind: 'key', key: native, down: true });
    expect(mapKeyEvent(up(code, key))).toEqual({ kind: 'key', key: native, down: false });
  });

  test('characters are typed as produced by the technician\'s layout, once, on the way down', () => {
    // A Spanish technician's ñ key is "Semicolon" physically; the customer's layout may not have ñ at all.
    expect(mapKeyEvent(down('Semicolon', 'ñ'))).toEqual({ kind: 'char', text: 'ñ' });
    expect(mapKeyEvent(up('Semicolon', 'ñ'))).toEqual({ kind: 'ignore' });
    expect(mapKeyEvent(down('KeyA', 'A', { shift: true }))).toEqual({ kind: 'char', text: 'A' });
    expect(mapKeyEvent(down('Digit1', '!', { shift: true }))).toEqual({ kind: 'char', text: '!' });
    expect(mapKeyEvent(down('KeyE', '€', { ctrl: true, alt: true }))).toEqual({ kind: 'char', text: '€' }); // AltGr on Windows
  });

  test('shortcuts press the physical key, whatever the letter\'s layout', () => {
    expect(mapKeyEvent(down('KeyC', 'c', { ctrl: true }))).toEqual({ kind: 'key', key: 'C', down: true });
    expect(mapKeyEvent(up('KeyC', 'c', { ctrl: true }))).toEqual({ kind: 'key', key: 'C', down: false });
    expect(mapKeyEvent(down('KeyA', 'a', { ctrl: true, alt: true }))).toEqual({ kind: 'key', key: 'A', down: true }); // Ctrl+Alt+A
    expect(mapKeyEvent(down('Digit2', '2', { meta: true }))).toEqual({ kind: 'key', key: 'Num2', down: true });
    expect(mapKeyEvent(down('Unknown', 'z', { ctrl: true }))).toEqual({ kind: 'key', key: 'Z', down: true });
  });

  test('dead keys and unknown keys do nothing; the composed character comes next', () => {
    expect(mapKeyEvent(down('BracketLeft', 'Dead'))).toEqual({ kind: 'ignore' });
    expect(mapKeyEvent(down('KeyA', 'á'))).toEqual({ kind: 'char', text: 'á' });
    expect(mapKeyEvent(down('Lang1', 'Unidentified'))).toEqual({ kind: 'ignore' });
  });

  test('a combining sequence is one character', () => {
    expect(mapKeyEvent(down('KeyA', 'a\u0301'))).toEqual({ kind: 'char', text: 'a\u0301' });
  });
});
