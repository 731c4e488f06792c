import type { RawFrame } from './raw-frame';

/** What the caller of a grab wants beyond "the screen now". */
export interface GrabHint {
  /**
   * Read the whole screen from the display, not from what a damage-tracking source
   * believes it holds: for the first frame and a requested refresh, so a refresh also
   * repairs anything the tracking might have missed.
   */
  readonly full?: boolean;
}

/**
 * A source that knows when the screen changes (X11 DAMAGE): the streamer waits for it
 * instead of polling, so a still screen costs nothing.
 */
export interface ChangeSignal {
  /** True when the screen changed since the last grab. */
  pending(): boolean;
  /**
   * False once the source stopped telling changes (its reads kept failing): the caller
   * then polls as it would without a signal. It never comes back on.
   */
  active(): boolean;
  /** Calls `listener` when a change arrives after a grab (once per batch); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * Where frames come from: a native screen grabber, a fallback, or a fake in tests.
 * The streamer only ever sees this interface, so native modules stay in adapters.
 */
export interface ScreenSource {
  /** Short name for logs and benchmarks, e.g. `nut-js`. */
  readonly name: string;
  /** Captures the whole primary display now. Rejects if the display is unreachable. */
  grab(hint?: GrabHint): Promise<RawFrame>;
  /** Present when the source reports changes; absent, the streamer polls (a still screen backs off). */
  readonly changes?: ChangeSignal;
  /** Releases whatever the source holds (child processes, handles). Safe to call twice. */
  close?(): Promise<void>;
}
