/**
 * X11 keyboard bookkeeping for typing arbitrary Unicode text with XTest. X only types
 * characters whose keysym sits on some keycode of the current keymap; nut-js stops
 * there and silently drops the rest (the "ñ" of "Hola mundo ñ" on a US map). The fix,
 * as xdotool does it: bind the missing keysym to a spare keycode for a moment.
 * Everything here is pure so it can be tested without an X server.
 */

const XK_RETURN = 0xff0d;
const XK_TAB = 0xff09;
const XK_BACKSPACE = 0xff08;
export const XK_SHIFT_L = 0xffe1;

/** The keysym that produces one code point (X11's Unicode keysyms are 0x01000000 + code point). */
export function keysymForCodePoint(cp: number): number {
  if (cp === 0x0a || cp === 0x0d) return XK_RETURN;
  if (cp === 0x09) return XK_TAB;
  if (cp === 0x08) return XK_BACKSPACE;
  // Latin-1 printable characters have keysyms equal to their code points.
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return 0x01000000 + cp;
}

export interface KeyLocation {
  readonly keycode: number;
  /** Shift must be held (the keysym is on the second level). */
  readonly shift: boolean;
}

/** Lower-case Latin-1 letter keysyms, whose upper case X implies when level 2 is empty. */
function impliedUpper(keysym: number): number | undefined {
  if (keysym >= 0x61 && keysym <= 0x7a) return keysym - 0x20;
  if (keysym >= 0xe0 && keysym <= 0xfe && keysym !== 0xf7) return keysym - 0x20;
  return undefined;
}

/** An index over a GetKeyboardMapping reply: keycode rows starting at `minKeycode`. */
export class KeymapIndex {
  private readonly byKeysym = new Map<number, KeyLocation>();
  readonly keysymsPerKeycode: number;

  constructor(readonly minKeycode: number, private readonly rows: readonly (readonly number[])[]) {
    this.keysymsPerKeycode = rows[0]?.length ?? 0;
    rows.forEach((_, i) => this.indexRow(i));
  }

  /** Where a keysym can be typed from levels 1–2, or undefined. */
  find(keysym: number): KeyLocation | undefined {
    return this.byKeysym.get(keysym);
  }

  /** Keycodes with no keysym at all: free to borrow. */
  spareKeycodes(): number[] {
    const out: number[] = [];
    this.rows.forEach((row, i) => {
      if (row.every((k) => k === 0)) out.push(this.minKeycode + i);
    });
    return out;
  }

  private indexRow(i: number): void {
    const row = this.rows[i]!;
    const keycode = this.minKeycode + i;
    const level1 = row[0] ?? 0;
    const level2 = row[1] ?? 0;
    // The first keycode found wins; later duplicates (keypad copies) are not preferred.
    if (level1 !== 0 && !this.byKeysym.has(level1)) this.byKeysym.set(level1, { keycode, shift: false });
    const upper = level2 !== 0 ? level2 : impliedUpper(level1);
    if (upper !== undefined && upper !== level1 && !this.byKeysym.has(upper)) {
      this.byKeysym.set(upper, { keycode, shift: true });
    }
  }
}

/**
 * Spare keycodes lent to keysyms missing from the keymap.
 *
 * An X client translates a key press with the keymap it holds when it *handles* the
 * event, and it reloads its keymap asynchronously after a change. So a change must
 * settle before the presses that need it, and a keycode must not be re-bound until its
 * last press has surely been handled. The typer therefore binds all the keysyms a run
 * of text needs at once, waits once, then types the run; a keycode pressed less than
 * `guardMs` ago is only re-bound after a wait. Bindings stay after use (least recently
 * used goes first), so repeating an "ñ" costs no keymap change at all.
 */
export class ScratchKeycodes {
  /** keycode → bound keysym and last press, in least-recently-used order. */
  private readonly bound = new Map<number, { keysym: number; usedAt: number }>();

  constructor(private readonly keycodes: readonly number[], private readonly guardMs: number) {}

  /** How many distinct missing keysyms one run of text may need. */
  get capacity(): number {
    return this.keycodes.length;
  }

  /** The keycode carrying `keysym`, if bound. */
  keycodeOf(keysym: number): number | undefined {
    for (const [keycode, entry] of this.bound) if (entry.keysym === keysym) return keycode;
    return undefined;
  }

  /**
   * Bindings to make so that every keysym of `needed` (at most `capacity`, distinct)
   * has a keycode, and how long to wait before making them. Records them as made.
   */
  plan(needed: readonly number[], now: number): { bindings: { keycode: number; keysym: number }[]; waitMs: number } {
    if (needed.length > this.capacity) throw new RangeError('more missing keysyms than spare keycodes');
    const keep = new Set<number>();
    const missing: number[] = [];
    for (const keysym of needed) {
      const kc = this.keycodeOf(keysym);
      if (kc === undefined) missing.push(keysym);
      else keep.add(kc);
    }
    const candidates = [
      ...this.keycodes.filter((kc) => !this.bound.has(kc)),
      ...[...this.bound.keys()].filter((kc) => !keep.has(kc)),
    ];
    const bindings: { keycode: number; keysym: number }[] = [];
    let waitMs = 0;
    missing.forEach((keysym, i) => {
      const keycode = candidates[i]!;
      const previous = this.bound.get(keycode);
      if (previous !== undefined) waitMs = Math.max(waitMs, previous.usedAt + this.guardMs - now);
      this.bound.delete(keycode);
      this.bound.set(keycode, { keysym, usedAt: now });
      bindings.push({ keycode, keysym });
    });
    return { bindings, waitMs };
  }

  /** A borrowed keycode was pressed now. */
  used(keycode: number, now: number): void {
    const entry = this.bound.get(keycode);
    if (entry === undefined) return;
    this.bound.delete(keycode);
    this.bound.set(keycode, { keysym: entry.keysym, usedAt: now });
  }

  /** Keycodes that carry a borrowed keysym (to be cleared on close). */
  boundKeycodes(): number[] {
    return [...this.bound.keys()];
  }
}

/**
 * Splits text (as keysyms) into runs whose distinct keysyms missing from the keymap
 * fit the spare keycodes, so each run needs one keymap change at most.
 */
export function splitRuns(keysyms: readonly number[], isMissing: (keysym: number) => boolean, capacity: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  let distinct = new Set<number>();
  for (const ks of keysyms) {
    if (isMissing(ks) && !distinct.has(ks)) {
      if (distinct.size >= capacity) {
        runs.push(run);
        run = [];
        distinct = new Set();
      }
      distinct.add(ks);
    }
    run.push(ks);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
