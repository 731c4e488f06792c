import { connectX11, type X11Client } from '../support/x11-connect';
import { KeymapIndex } from './keysym-plan';

/** A display that does not answer the connection in this long is not used for input (nut-js is tried instead). */
const CONNECT_TIMEOUT_MS = 2000;

// Minimal typing of the parts of the `x11` package used here (it ships no types).
interface XClient extends X11Client {
  GetKeyboardMapping(first: number, count: number, cb: (err: Error | null, rows: number[][]) => void): void;
  ChangeKeyboardMapping(first: number, perKeycode: number, keysyms: number[]): void;
  GetInputFocus(cb: (err: Error | null) => void): void;
  GetGeometry(drawable: number, cb: (err: Error | null, geometry: { width: number; height: number }) => void): void;
  require(ext: 'xtest', cb: (err: Error | null, xtest: XTest) => void): void;
}
interface XTest {
  KeyPress: number;
  KeyRelease: number;
  ButtonPress: number;
  ButtonRelease: number;
  MotionNotify: number;
  FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
}
interface XDisplay {
  client: XClient;
  min_keycode: number;
  max_keycode: number;
  screen: { root: number }[];
}

/** What one synthetic XTest event is. */
export type FakeEvent = 'key-press' | 'key-release' | 'button-press' | 'button-release' | 'motion';

/**
 * One X connection with the XTest extension and the keymap it found, shared by everything
 * that injects the customer's input on X11 (the mouse, keys and typing): one connection
 * keeps their events in the order they were sent. Pure JavaScript (the `x11` package):
 * nothing native is loaded on the agent's main thread for input.
 */
export class XTestLink {
  /** XTest's event type of each FakeEvent (the extension's own numbers). */
  private readonly eventTypes: Readonly<Record<FakeEvent, number>>;

  private constructor(
    private readonly display: XDisplay,
    private readonly xtest: XTest,
    /** The keymap as it was when the link opened. */
    readonly keymap: KeymapIndex,
  ) {
    this.eventTypes = Object.freeze({
      'key-press': xtest.KeyPress, 'key-release': xtest.KeyRelease,
      'button-press': xtest.ButtonPress, 'button-release': xtest.ButtonRelease,
      motion: xtest.MotionNotify,
    });
  }

  static async open(displayName: string): Promise<XTestLink> {
    const display = await connectX11<XDisplay>(displayName, CONNECT_TIMEOUT_MS);
    const X = display.client;
    X.on('error', () => { /* request errors surface as failed input, not crashes */ });
    try {
      const xtest = await new Promise<XTest>((resolve, reject) => X.require('xtest', (err, ext) => (err ? reject(err) : resolve(ext))));
      const count = display.max_keycode - display.min_keycode + 1;
      const rows = await new Promise<number[][]>((resolve, reject) =>
        X.GetKeyboardMapping(display.min_keycode, count, (err, r) => (err ? reject(err) : resolve(r))));
      return new XTestLink(display, xtest, new KeymapIndex(display.min_keycode, rows));
    } catch (error) {
      X.terminate();
      throw error;
    }
  }

  /** Sends one synthetic event; `x`, `y` are root coordinates and matter only for motion. */
  fake(event: FakeEvent, detail: number, x = 0, y = 0): void {
    // `time` 0 is CurrentTime; for motion, detail 0 means absolute coordinates on `root`.
    this.xtest.FakeInput(this.eventTypes[event], detail, 0, this.root, x, y);
  }

  /** Binds a keycode to `keysyms` (one per level); an empty binding clears it. */
  bind(keycode: number, keysyms: number[]): void {
    this.display.client.ChangeKeyboardMapping(keycode, this.keymap.keysymsPerKeycode, keysyms);
  }

  /** The root window's size now (a round trip: it follows RandR changes). */
  rootSize(): Promise<{ width: number; height: number }> {
    return new Promise((resolve, reject) => this.display.client.GetGeometry(this.root, (err, g) =>
      (err ? reject(err) : resolve({ width: g.width, height: g.height }))));
  }

  /** A round trip: when it returns, the server has processed everything sent before. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => this.display.client.GetInputFocus((err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.display.client.terminate();
  }

  private get root(): number {
    return this.display.screen[0]!.root;
  }
}
