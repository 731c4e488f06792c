import type { RawFrame } from './raw-frame';

/**
 * Where frames come from: a native screen grabber, a fallback, or a fake in tests.
 * The streamer only ever sees this interface, so native modules stay in adapters.
 */
export interface ScreenSource {
  /** Short name for logs and benchmarks, e.g. `nut-js`. */
  readonly name: string;
  /** Captures the whole primary display now. Rejects if the display is unreachable. */
  grab(): Promise<RawFrame>;
  /** Releases whatever the source holds (child processes, handles). Safe to call twice. */
  close?(): Promise<void>;
}
