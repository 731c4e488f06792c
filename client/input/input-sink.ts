import type { MouseButton } from '../../protocol';
import type { NativeKey } from './native-key';

/**
 * The customer's mouse and keyboard, as the injector needs them. The nut-js adapter is
 * the real one; unit tests use a recording fake. Coordinates are in the sink's own
 * space, whose size `screenSize` reports (it can differ from the captured pixels when
 * the display is scaled).
 */
export interface InputSink {
  /** Which way input reaches the machine, for the agent's log ("x11-xtest", "nut-js" …). */
  readonly name: string;
  screenSize(): Promise<{ readonly width: number; readonly height: number }>;
  move(x: number, y: number): Promise<void>;
  button(button: MouseButton, down: boolean): Promise<void>;
  /** Wheel steps; positive dy scrolls down, positive dx scrolls right. */
  scroll(dx: number, dy: number): Promise<void>;
  key(key: NativeKey, down: boolean): Promise<void>;
  /** Types text exactly, including characters missing from the current keyboard layout. */
  typeText(text: string): Promise<void>;
  close(): Promise<void>;
}
