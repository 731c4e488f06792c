import { keysymForCodePoint, ScratchKeycodes, splitRuns, XK_SHIFT_L } from './keysym-plan';
import type { TextTyper } from './text-typer';
import type { XTestLink } from './x11-xtest-link';

/** How many spare keycodes to borrow for characters missing from the keymap. */
const SCRATCH_COUNT = 16;
/**
 * A borrowed keycode is not re-bound sooner than this after its last press: the
 * receiving application must have handled that press with the old binding first.
 */
const REBIND_GUARD_MS = 150;
/** Applications reload their keymap asynchronously after a change; presses wait this long. */
const BIND_SETTLE_MS = 60;
/** Keycodes below 9 are ignored by some toolkits. */
const MIN_SCRATCH_KEYCODE = 9;

/**
 * Types any Unicode text on an X11 display through XTest, over a pure-JavaScript X
 * connection (the `x11` package: nothing to compile or install on the customer's
 * machine). Characters on the keymap are typed with their key (and Shift); missing ones
 * borrow a spare keycode. Borrowed keycodes are cleared again on close.
 */
export class X11TextTyper implements TextTyper {
  private readonly scratch: ScratchKeycodes;

  /** Types over `link`, which stays the caller's to close (after this typer's `close`). */
  constructor(private readonly link: XTestLink) {
    const spare = link.keymap.spareKeycodes().filter((kc) => kc >= MIN_SCRATCH_KEYCODE);
    // Borrow from the top: low keycodes are the ones real keyboards use.
    this.scratch = new ScratchKeycodes(spare.slice(-SCRATCH_COUNT), REBIND_GUARD_MS);
  }

  async type(text: string): Promise<void> {
    const keysyms = [...text].map((ch) => keysymForCodePoint(ch.codePointAt(0)!));
    const fixed = (ks: number): boolean => this.link.keymap.find(ks) !== undefined;
    for (const run of splitRuns(keysyms, (ks) => !fixed(ks), this.scratch.capacity)) {
      await this.prepare([...new Set(run.filter((ks) => !fixed(ks)))]);
      this.pressRun(run);
    }
    await this.link.sync();
  }

  /** Binds the missing keysyms of a run, and waits until applications have the new keymap. */
  private async prepare(missing: number[]): Promise<void> {
    if (missing.length === 0) return;
    if (this.scratch.capacity === 0) throw new Error('no spare keycode to type a character missing from the keymap');
    const { bindings, waitMs } = this.scratch.plan(missing, Date.now());
    if (bindings.length === 0) return;
    if (waitMs > 0) {
      await this.link.sync();
      await sleep(waitMs);
    }
    const perKeycode = this.link.keymap.keysymsPerKeycode;
    for (const { keycode, keysym } of bindings) {
      // Same keysym on both levels: a held Shift or Caps Lock cannot change it.
      this.link.bind(keycode, Array.from({ length: perKeycode }, (_, i) => (i < 2 ? keysym : 0)));
    }
    await this.link.sync();
    await sleep(BIND_SETTLE_MS);
  }

  private pressRun(run: number[]): void {
    const shift = this.link.keymap.find(XK_SHIFT_L);
    const now = Date.now();
    for (const keysym of run) {
      const scratch = this.scratch.keycodeOf(keysym);
      const location = this.link.keymap.find(keysym) ?? (scratch === undefined ? undefined : { keycode: scratch, shift: false });
      if (location === undefined) continue;
      if (scratch !== undefined) this.scratch.used(scratch, now);
      if (location.shift && shift) this.link.fake('key-press', shift.keycode);
      this.link.fake('key-press', location.keycode);
      this.link.fake('key-release', location.keycode);
      if (location.shift && shift) this.link.fake('key-release', shift.keycode);
    }
  }

  /** Clears the borrowed keycodes (the link stays open). */
  async close(): Promise<void> {
    // Let the last presses be handled with their bindings before clearing them.
    await sleep(REBIND_GUARD_MS);
    const perKeycode = this.link.keymap.keysymsPerKeycode;
    for (const kc of this.scratch.boundKeycodes()) this.link.bind(kc, new Array<number>(perKeycode).fill(0));
    await this.link.sync().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
