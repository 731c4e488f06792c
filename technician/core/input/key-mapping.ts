import { MAX_KEY_NAME_LENGTH, type InputEvent, type KeyEvent, type Modifiers } from '../../../protocol';

/** The fields of a DOM KeyboardEvent this module reads (a plain object in tests). */
export interface KeyboardEventLike {
  readonly type: 'keydown' | 'keyup';
  readonly code: string;
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly altKey: boolean;
  readonly shiftKey: boolean;
  readonly metaKey: boolean;
  /** `getModifierState('AltGraph')`: on Windows AltGr also reports ctrlKey and altKey. */
  readonly altGraph?: boolean;
  /** An IME composition is running; its keys are not ours to send. */
  readonly isComposing?: boolean;
}

/** The modifier fields of an event, in the protocol's shape. */
function modifiersOf(e: KeyboardEventLike): Modifiers {
  return { ctrl: e.ctrlKey, alt: e.altKey, shift: e.shiftKey, meta: e.metaKey };
}

/** A key that produces one character (`a`, `Ñ`, `€`, ` `), not a named key (`Enter`, `F5`). */
export function isPrintableKey(key: string): boolean {
  return [...key].length === 1 && !/^[\u0000-\u001f\u007f]$/u.test(key);
}

/**
 * A shortcut rather than typing: Ctrl, Meta or Alt is held (Alt alone, not AltGr, which
 * types characters such as `@` or `€` on Spanish and other layouts).
 */
function isShortcut(e: KeyboardEventLike): boolean {
  if (e.altGraph) return e.metaKey;
  return e.ctrlKey || e.metaKey || e.altKey;
}

function keyEvent(kind: KeyEvent['kind'], e: KeyboardEventLike): KeyEvent {
  return {
    kind,
    code: e.code.slice(0, MAX_KEY_NAME_LENGTH),
    // A `key` can only be long for exotic named keys; the protocol caps it at 32.
    key: e.key.length <= MAX_KEY_NAME_LENGTH ? e.key : 'Unidentified',
    modifiers: modifiersOf(e),
  };
}

/**
 * Turns the technician's key presses into input events, following PROTOCOL.md §5:
 *
 * - A printable character typed without a shortcut modifier is sent as a `text` event:
 *   the customer's keyboard layout may differ (a Spanish `ñ` key does not exist on a US
 *   layout), and text is typed exactly as given whatever the layouts.
 * - Everything else (Enter, arrows, F-keys, modifiers themselves, Ctrl+C …) is sent as
 *   `key-down`/`key-up` with the physical `code`, the produced `key` and the modifiers.
 * - Dead keys, AltGr and IME composition are skipped: the composed character comes with the
 *   next key press, and would otherwise arrive twice.
 *
 * It remembers which keys it sent down, so a key-up is sent exactly for those (even when a
 * modifier changed in between) and {@link releaseAll} can lift them all when focus leaves.
 */
export class KeyboardMapper {
  private readonly down = new Map<string, KeyEvent>();

  /** Events for one DOM key event (empty when nothing is to be sent). */
  map(e: KeyboardEventLike): InputEvent[] {
    if (e.type === 'keydown') return this.keyDown(e);
    return this.keyUp(e);
  }

  /** Key-ups for every key still held (focus left the screen, or the session ends). */
  releaseAll(): InputEvent[] {
    const events: InputEvent[] = [];
    for (const held of [...this.down.values()].reverse()) {
      events.push({ ...held, kind: 'key-up', modifiers: { ctrl: false, alt: false, shift: false, meta: false } });
    }
    this.down.clear();
    return events;
  }

  /** Codes currently held down on the remote side. */
  get held(): readonly string[] {
    return [...this.down.keys()];
  }

  private keyDown(e: KeyboardEventLike): InputEvent[] {
    // AltGr alone means nothing remotely: the characters it makes are sent as text.
    if (e.isComposing || e.key === 'Dead' || e.key === 'Process' || e.key === 'AltGraph') return [];
    if (isPrintableKey(e.key) && !isShortcut(e)) return [{ kind: 'text', text: e.key }];
    const event = keyEvent('key-down', e);
    // The down is sent again on auto-repeat (held arrow keys should repeat remotely too).
    this.down.set(identity(e), event);
    return [event];
  }

  private keyUp(e: KeyboardEventLike): InputEvent[] {
    const id = identity(e);
    const held = this.down.get(id);
    if (held === undefined) return []; // its down went as text, or was never seen
    this.down.delete(id);
    return [{ ...keyEvent('key-up', e), key: held.key }];
  }
}

/** Keys without a `code` (some virtual keyboards) are told apart by `key`. */
function identity(e: KeyboardEventLike): string {
  return e.code !== '' ? e.code : `key:${e.key}`;
}
