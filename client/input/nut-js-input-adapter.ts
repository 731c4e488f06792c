import { Button, Key, Point, providerRegistry, screen } from '@nut-tree-fork/nut-js';
import type { MouseButton } from '../../protocol';
import type { InputSink } from './input-sink';
import type { NativeKey } from './native-key';
import type { TextTyper } from './text-typer';

const BUTTONS: Readonly<Record<MouseButton, Button>> = Object.freeze({
  left: Button.LEFT, middle: Button.MIDDLE, right: Button.RIGHT,
});

/** nut-js's own typing, for macOS (on Windows it cuts characters to bytes: WindowsTextTyper; on X11: X11TextTyper). */
class NutJsTextTyper implements TextTyper {
  async type(text: string): Promise<void> {
    await providerRegistry.getKeyboard().type(text);
  }
  async close(): Promise<void> {}
}

/**
 * The customer's mouse and keyboard through nut-js. It talks to nut-js's providers
 * directly with their delays set to zero: the high-level `mouse`/`keyboard` objects
 * sleep after every action (100–300 ms by default), far too slow for live control.
 */
export class NutJsInputSink implements InputSink {
  readonly name = 'nut-js';
  private readonly mouse = providerRegistry.getMouse();
  private readonly keyboard = providerRegistry.getKeyboard();

  constructor(private readonly typer: TextTyper = new NutJsTextTyper()) {
    this.mouse.setMouseDelay(0);
    this.keyboard.setKeyboardDelay(0);
  }

  async screenSize(): Promise<{ width: number; height: number }> {
    return { width: await screen.width(), height: await screen.height() };
  }

  move(x: number, y: number): Promise<void> {
    return this.mouse.setMousePosition(new Point(x, y));
  }

  button(button: MouseButton, down: boolean): Promise<void> {
    return down ? this.mouse.pressButton(BUTTONS[button]) : this.mouse.releaseButton(BUTTONS[button]);
  }

  async scroll(dx: number, dy: number): Promise<void> {
    if (dy > 0) await this.mouse.scrollDown(dy);
    if (dy < 0) await this.mouse.scrollUp(-dy);
    if (dx > 0) await this.mouse.scrollRight(dx);
    if (dx < 0) await this.mouse.scrollLeft(-dx);
  }

  key(key: NativeKey, down: boolean): Promise<void> {
    const native = Key[key];
    return down ? this.keyboard.pressKey(native) : this.keyboard.releaseKey(native);
  }

  typeText(text: string): Promise<void> {
    return this.typer.type(text);
  }

  close(): Promise<void> {
    return this.typer.close();
  }
}
