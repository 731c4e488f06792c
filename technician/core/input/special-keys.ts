import type { KeyEvent, Modifiers } from '../../../protocol';

/** One physical key of a combination: its `code` and the `key` it produces. */
export interface KeyStroke {
  readonly code: string;
  readonly key: string;
}

/** Combinations the browser or the technician's own OS never lets a page see. */
export type SpecialCombo = 'ctrl-alt-del' | 'alt-tab' | 'win' | 'win-r' | 'ctrl-shift-esc' | 'alt-f4' | 'print-screen';

const CTRL: KeyStroke = { code: 'ControlLeft', key: 'Control' };
const ALT: KeyStroke = { code: 'AltLeft', key: 'Alt' };
const SHIFT: KeyStroke = { code: 'ShiftLeft', key: 'Shift' };
const META: KeyStroke = { code: 'MetaLeft', key: 'Meta' };

/** The keys of each combination, pressed in this order and released in reverse. */
export const SPECIAL_COMBOS: Readonly<Record<SpecialCombo, readonly KeyStroke[]>> = Object.freeze({
  'ctrl-alt-del': [CTRL, ALT, { code: 'Delete', key: 'Delete' }],
  'alt-tab': [ALT, { code: 'Tab', key: 'Tab' }],
  win: [META],
  'win-r': [META, { code: 'KeyR', key: 'r' }],
  'ctrl-shift-esc': [CTRL, SHIFT, { code: 'Escape', key: 'Escape' }],
  'alt-f4': [ALT, { code: 'F4', key: 'F4' }],
  'print-screen': [{ code: 'PrintScreen', key: 'PrintScreen' }],
});

const MODIFIER_OF: Readonly<Record<string, keyof Modifiers>> = Object.freeze({
  ControlLeft: 'ctrl', ControlRight: 'ctrl', AltLeft: 'alt', AltRight: 'alt',
  ShiftLeft: 'shift', ShiftRight: 'shift', MetaLeft: 'meta', MetaRight: 'meta',
});

/**
 * The key-down/key-up sequence of a combination, with the modifier flags a real keyboard
 * would report at each step (a modifier's own key-down already has its flag set, its
 * key-up no longer does), so the client can inject it key by key.
 */
export function comboSequence(strokes: readonly KeyStroke[]): KeyEvent[] {
  const state: { ctrl: boolean; alt: boolean; shift: boolean; meta: boolean } = { ctrl: false, alt: false, shift: false, meta: false };
  const events: KeyEvent[] = [];
  for (const stroke of strokes) {
    const flag = MODIFIER_OF[stroke.code];
    if (flag) state[flag] = true;
    events.push({ kind: 'key-down', code: stroke.code, key: stroke.key, modifiers: { ...state } });
  }
  for (const stroke of [...strokes].reverse()) {
    const flag = MODIFIER_OF[stroke.code];
    if (flag) state[flag] = false;
    events.push({ kind: 'key-up', code: stroke.code, key: stroke.key, modifiers: { ...state } });
  }
  return events;
}
