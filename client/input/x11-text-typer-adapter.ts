import { connectX11, type X11Client } from '../support/x11-connect';
import { KeymapIndex, keysymForCodePoint, ScratchKeycodes, splitRuns, XK_SHIFT_L } from './keysym-plan';
import type { TextTyper } from './text-typer';

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
/** A display that does not answer the connection in this long is not used for typing (nut-js types instead). */
const CONNECT_TIMEOUT_MS = 2000;

// Minimal typing of the parts of the `x11` package used here (it ships no types).
interface XClient extends X11Client {
  GetKeyboardMapping(first: number, count: number, cb: (err: Error | null, rows: number[][]) => void): void;
  ChangeKeyboardMapping(first: number, perKeycode: number, keysyms: number[]): void;
  GetInputFocus(cb: (err: Error | null) => void): void;
  require(ext: 'xtest', cb: (err: Error | null, xtest: XTest) => void): void;
  terminate(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface XTest {
  KeyPress: number;
  KeyRelease: number;
  FakeInput(type: number, keycode: number, time: number, window: number, x: number, y: number): void;
}
interface XDisplay {
  client: XClient;
  min_keycode: number;
  max_keycode: number;
  screen: { root: number }[];
}

/**
 * Types any Unicode text on an X11 display through XTest, over a pure-JavaScript X
 * connection (the `x11` package: nothing to compile or install on the customer's
 * machine). Characters on the keymap are typed with their key (and Shift); missing ones
 * borrow a spare keycode. Borrowed keycodes are cleared again on close.
 */
export class X11TextTyper implements TextTyper {
  private constructor(
    private readonly display: XDisplay,
    private readonly xtest: XTest,
    private readonly keymap: KeymapIndex,
    private readonly scratch: ScratchKeycodes,
  ) {}

  static async open(displayName: string): Promise<X11TextTyper> {
    const display = await connectX11<XDisplay>(displayName, CONNECT_TIMEOUT_MS);
    const X = display.client;
    X.on('error', () => { /* request errors surface as failed typing, not crashes */ });
    const xtest = await new Promise<XTest>((resolve, reject) => X.require('xtest', (err, ext) => (err ? reject(err) : resolve(ext))));
    const count = display.max_keycode - display.min_keycode + 1;
    const rows = await new Promise<number[][]>((resolve, reject) =>
      X.GetKeyboardMapping(display.min_keycode, count, (err, r) => (err ? reject(err) : resolve(r))));
    const keymap = new KeymapIndex(display.min_keycode, rows);
    const spare = keymap.spareKeycodes().filter((kc) => kc >= MIN_SCRATCH_KEYCODE);
    // Borrow from the top: low keycodes are the ones real keyboards use.
    return new X11TextTyper(display, xtest, keymap, new ScratchKeycodes(spare.slice(-SCRATCH_COUNT), REBIND_GUARD_MS));
  }

  async type(text: string): Promise<void> {
    const keysyms = [...text].map((ch) => keysymForCodePoint(ch.codePointAt(0)!));
    const fixed = (ks: number): boolean => this.keymap.find(ks) !== undefined;
    for (const run of splitRuns(keysyms, (ks) => !fixed(ks), this.scratch.capacity)) {
      await this.prepare([...new Set(run.filter((ks) => !fixed(ks)))]);
      this.pressRun(run);
    }
    await this.sync();
  }

  /** Binds the missing keysyms of a run, and waits until applications have the new keymap. */
  private async prepare(missing: number[]): Promise<void> {
    if (missing.length === 0) return;
    if (this.scratch.capacity === 0) throw new Error('no spare keycode to type a character missing from the keymap');
    const { bindings, waitMs } = this.scratch.plan(missing, Date.now());
    if (bindings.length === 0) return;
    if (waitMs > 0) {
      await this.sync();
      await sleep(waitMs);
    }
    const perKeycode = this.keymap.keysymsPerKeycode;
    for (const { keycode, keysym } of bindings) {
      // Same keysym on both levels: a held Shift or Caps Lock cannot change it.
      const row = Array.from({ length: perKeycode }, (_, i) => (i < 2 ? keysym : 0));
      this.display.client.ChangeKeyboardMapping(keycode, perKeycode, row);
    }
    await this.sync();
    await sleep(BIND_SETTLE_MS);
  }

  private pressRun(run: number[]): void {
    const shift = this.keymap.find(XK_SHIFT_L);
    const now = Date.now();
    for (const keysym of run) {
      const scratch = this.scratch.keycodeOf(keysym);
      const location = this.keymap.find(keysym) ?? (scratch === undefined ? undefined : { keycode: scratch, shift: false });
      if (location === undefined) continue;
      if (scratch !== undefined) this.scratch.used(scratch, now);
      if (location.shift && shift) this.fake(this.xtest.KeyPress, shift.keycode);
      this.fake(this.xtest.KeyPress, location.keycode);
      this.fake(this.xtest.KeyRelease, location.keycode);
      if (location.shift && shift) this.fake(this.xtest.KeyRelease, shift.keycode);
    }
  }

  async close(): Promise<void> {
    // Let the last presses be handled with their bindings before clearing them.
    await new Promise((r) => setTimeout(r, REBIND_GUARD_MS));
    const perKeycode = this.keymap.keysymsPerKeycode;
    for (const kc of this.scratch.boundKeycodes()) {
      this.display.client.ChangeKeyboardMapping(kc, perKeycode, new Array<number>(perKeycode).fill(0));
    }
    await this.sync().catch(() => undefined);
    this.display.client.terminate();
  }

  private fake(type: number, keycode: number): void {
    // `time` 0 is CurrentTime; the window and position matter only for pointer events.
    this.xtest.FakeInput(type, keycode, 0, this.display.screen[0]!.root, 0, 0);
  }

  /** A round trip: when it returns, the server has processed everything sent before. */
  private sync(): Promise<void> {
    return new Promise((resolve, reject) => this.display.client.GetInputFocus((err) => (err ? reject(err) : resolve())));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
