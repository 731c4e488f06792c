import { KeyboardMapper, isPrintableKey, type KeyboardEventLike } from '../core/input/key-mapping';
import { comboSequence, SPECIAL_COMBOS } from '../core/input/special-keys';

function key(type: 'keydown' | 'keyup', code: string, k: string, mods: Partial<KeyboardEventLike> = {}): KeyboardEventLike {
  return { type, code, key: k, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods };
}
const NONE = { ctrl: false, alt: false, shift: false, meta: false };

describe('key mapping', () => {
  it('sends typed characters as text, whatever the layout (ñ, €, capitals, space)', () => {
    const m = new KeyboardMapper();
    expect(m.map(key('keydown', 'KeyA', 'a'))).toEqual([{ kind: 'text', text: 'a' }]);
    expect(m.map(key('keyup', 'KeyA', 'a'))).toEqual([]);
    expect(m.map(key('keydown', 'Semicolon', 'ñ'))).toEqual([{ kind: 'text', text: 'ñ' }]);
    expect(m.map(key('keydown', 'KeyA', 'A', { shiftKey: true }))).toEqual([{ kind: 'text', text: 'A' }]);
    expect(m.map(key('keydown', 'Space', ' '))).toEqual([{ kind: 'text', text: ' ' }]);
    // AltGr+E on a Spanish layout: Windows reports Ctrl and Alt too, but it is typing.
    expect(m.map(key('keydown', 'KeyE', '€', { ctrlKey: true, altKey: true, altGraph: true }))).toEqual([{ kind: 'text', text: '€' }]);
    expect(m.map(key('keydown', 'Digit1', '😀'))).toEqual([{ kind: 'text', text: '😀' }]);
  });

  it('sends named keys and shortcuts as key-down/key-up with code, key and modifiers', () => {
    const m = new KeyboardMapper();
    expect(m.map(key('keydown', 'Enter', 'Enter'))).toEqual([{ kind: 'key-down', code: 'Enter', key: 'Enter', modifiers: NONE }]);
    expect(m.map(key('keyup', 'Enter', 'Enter'))).toEqual([{ kind: 'key-up', code: 'Enter', key: 'Enter', modifiers: NONE }]);
    const ctrl = { ...NONE, ctrl: true };
    expect(m.map(key('keydown', 'ControlLeft', 'Control', { ctrlKey: true }))).toEqual([{ kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: ctrl }]);
    expect(m.map(key('keydown', 'KeyC', 'c', { ctrlKey: true }))).toEqual([{ kind: 'key-down', code: 'KeyC', key: 'c', modifiers: ctrl }]);
    expect(m.map(key('keyup', 'KeyC', 'c', { ctrlKey: true }))).toEqual([{ kind: 'key-up', code: 'KeyC', key: 'c', modifiers: ctrl }]);
    expect(m.map(key('keyup', 'ControlLeft', 'Control'))).toEqual([{ kind: 'key-up', code: 'ControlLeft', key: 'Control', modifiers: NONE }]);
    expect(m.map(key('keydown', 'F5', 'F5'))[0]).toMatchObject({ kind: 'key-down', code: 'F5', key: 'F5' });
    expect(m.map(key('keydown', 'KeyT', 't', { altKey: true }))[0]).toMatchObject({ kind: 'key-down', code: 'KeyT', modifiers: { alt: true } });
  });

  it('releases a shortcut key even when the modifier went up first', () => {
    const m = new KeyboardMapper();
    m.map(key('keydown', 'ControlLeft', 'Control', { ctrlKey: true }));
    m.map(key('keydown', 'KeyV', 'v', { ctrlKey: true }));
    m.map(key('keyup', 'ControlLeft', 'Control'));
    // Without Ctrl this key-up would look like typing: it must still reach the client.
    expect(m.map(key('keyup', 'KeyV', 'v'))).toEqual([{ kind: 'key-up', code: 'KeyV', key: 'v', modifiers: NONE }]);
    expect(m.held).toEqual([]);
  });

  it('skips dead keys, AltGr alone and IME composition', () => {
    const m = new KeyboardMapper();
    expect(m.map(key('keydown', 'BracketLeft', 'Dead'))).toEqual([]);
    expect(m.map(key('keydown', 'KeyA', 'á'))).toEqual([{ kind: 'text', text: 'á' }]);
    expect(m.map(key('keydown', 'AltRight', 'AltGraph'))).toEqual([]);
    expect(m.map(key('keydown', 'KeyK', 'Process', { isComposing: true }))).toEqual([]);
  });

  it('lifts every held key on releaseAll, last pressed first', () => {
    const m = new KeyboardMapper();
    m.map(key('keydown', 'ShiftLeft', 'Shift', { shiftKey: true }));
    m.map(key('keydown', 'ArrowLeft', 'ArrowLeft', { shiftKey: true }));
    expect(m.releaseAll()).toEqual([
      { kind: 'key-up', code: 'ArrowLeft', key: 'ArrowLeft', modifiers: NONE },
      { kind: 'key-up', code: 'ShiftLeft', key: 'Shift', modifiers: NONE },
    ]);
    expect(m.releaseAll()).toEqual([]);
  });

  it('keeps key names within the protocol limit', () => {
    const m = new KeyboardMapper();
    const [e] = m.map(key('keydown', 'X'.repeat(40), 'Y'.repeat(40)));
    expect(e).toMatchObject({ kind: 'key-down', code: 'X'.repeat(32), key: 'Unidentified' });
  });

  it('knows printable keys from named ones', () => {
    expect(isPrintableKey('a')).toBe(true);
    expect(isPrintableKey('👍')).toBe(true);
    expect(isPrintableKey('Tab')).toBe(false);
    expect(isPrintableKey('\t')).toBe(false);
    expect(isPrintableKey('')).toBe(false);
  });
});

describe('special key combinations', () => {
  it('presses Ctrl+Alt+Del in order and releases in reverse, with real modifier flags', () => {
    expect(comboSequence(SPECIAL_COMBOS['ctrl-alt-del'])).toEqual([
      { kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: { ctrl: true, alt: false, shift: false, meta: false } },
      { kind: 'key-down', code: 'AltLeft', key: 'Alt', modifiers: { ctrl: true, alt: true, shift: false, meta: false } },
      { kind: 'key-down', code: 'Delete', key: 'Delete', modifiers: { ctrl: true, alt: true, shift: false, meta: false } },
      { kind: 'key-up', code: 'Delete', key: 'Delete', modifiers: { ctrl: true, alt: true, shift: false, meta: false } },
      { kind: 'key-up', code: 'AltLeft', key: 'Alt', modifiers: { ctrl: true, alt: false, shift: false, meta: false } },
      { kind: 'key-up', code: 'ControlLeft', key: 'Control', modifiers: NONE },
    ]);
  });

  it('sends the Windows key alone and Alt+Tab', () => {
    expect(comboSequence(SPECIAL_COMBOS.win).map((e) => `${e.kind}:${e.code}:${e.modifiers.meta}`)).toEqual(['key-down:MetaLeft:true', 'key-up:MetaLeft:false']);
    expect(comboSequence(SPECIAL_COMBOS['alt-tab']).map((e) => `${e.kind}:${e.code}`)).toEqual(['key-down:AltLeft', 'key-down:Tab', 'key-up:Tab', 'key-up:AltLeft']);
  });
});
