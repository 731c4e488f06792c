import type { InputSink } from '../../input/input-sink';
import type { NativeKey } from '../../input/native-key';

/**
 * Stands in for the mouse and keyboard of a 640×480 screen (the size of the fake screen
 * the integration and window tests share): records every call, in order.
 */
export class RecordingSink implements InputSink {
  readonly name = 'recording';
  readonly log: string[] = [];
  async screenSize() { return { width: 640, height: 480 }; }
  async move(x: number, y: number) { this.log.push(`move ${x},${y}`); }
  async button(b: string, down: boolean) { this.log.push(`${b} ${down ? 'down' : 'up'}`); }
  async scroll(dx: number, dy: number) { this.log.push(`scroll ${dx},${dy}`); }
  async key(k: NativeKey, down: boolean) { this.log.push(`key ${k} ${down ? 'down' : 'up'}`); }
  async typeText(t: string) { this.log.push(`type ${t}`); }
  async close() {}
}
