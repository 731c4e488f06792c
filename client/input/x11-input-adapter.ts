import type { MouseButton } from '../../protocol';
import type { InputSink } from './input-sink';
import type { NativeKey } from './native-key';
import { NATIVE_KEY_KEYSYMS, XK_ISO_LEVEL3_SHIFT } from './native-key-keysyms';
import { X11TextTyper } from './x11-text-typer-adapter';
import { XTestLink } from './x11-xtest-link';

/** X's pointer buttons: 1–3 are left, middle, right; 4–7 are wheel steps up, down, left, right. */
const BUTTON_NUMBERS: Readonly<Record<MouseButton, number>> = Object.freeze({ left: 1, middle: 2, right: 3 });
const WHEEL_UP = 4;
const WHEEL_DOWN = 5;
const WHEEL_LEFT = 6;
const WHEEL_RIGHT = 7;

/**
 * The customer's mouse and keyboard on X11 through XTest, over the pure-JavaScript `x11`
 * package. It replaces nut-js on the agent's main thread there: loading nut-js costs the
 * agent about 16 MiB of memory (BENCHMARKS.md, agent memory), and this needs no native
 * code at all. Each call resolves once the X server has processed its events, as nut-js's
 * did (XSync), so the streamer's nudge that follows looks at a screen that has them.
 */
export class X11InputSink implements InputSink {
  readonly name = 'x11-xtest';

  private constructor(private readonly link: XTestLink, private readonly typer: X11TextTyper) {}

  static async open(displayName: string): Promise<X11InputSink> {
    const link = await XTestLink.open(displayName);
    return new X11InputSink(link, new X11TextTyper(link));
  }

  screenSize(): Promise<{ width: number; height: number }> {
    return this.link.rootSize();
  }

  move(x: number, y: number): Promise<void> {
    this.link.fake('motion', 0, Math.round(x), Math.round(y));
    return this.link.sync();
  }

  button(button: MouseButton, down: boolean): Promise<void> {
    this.link.fake(down ? 'button-press' : 'button-release', BUTTON_NUMBERS[button]);
    return this.link.sync();
  }

  scroll(dx: number, dy: number): Promise<void> {
    const click = (button: number, steps: number): void => {
      for (let i = 0; i < steps; i++) {
        this.link.fake('button-press', button);
        this.link.fake('button-release', button);
      }
    };
    click(dy > 0 ? WHEEL_DOWN : WHEEL_UP, Math.abs(dy));
    click(dx > 0 ? WHEEL_RIGHT : WHEEL_LEFT, Math.abs(dx));
    return this.link.sync();
  }

  /**
   * Presses or releases the key that carries the key's keysym on the customer's keymap. A
   * key the keymap lacks (media keys on many desktops, Alt_R on layouts with AltGr) is
   * looked for under its stand-in, else left alone, as the customer's own keyboard would.
   */
  key(key: NativeKey, down: boolean): Promise<void> {
    const keysym = NATIVE_KEY_KEYSYMS[key];
    const location = this.link.keymap.find(keysym) ?? (key === 'RightAlt' ? this.link.keymap.find(XK_ISO_LEVEL3_SHIFT) : undefined);
    if (location === undefined) return Promise.resolve();
    this.link.fake(down ? 'key-press' : 'key-release', location.keycode);
    return this.link.sync();
  }

  typeText(text: string): Promise<void> {
    return this.typer.type(text);
  }

  async close(): Promise<void> {
    await this.typer.close();
    this.link.close();
  }
}
