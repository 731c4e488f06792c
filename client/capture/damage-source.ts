import type { Rect } from '../diff/rect';
import type { RawFrame } from './raw-frame';

/**
 * What changed on the screen and when, as the display server reports it (X11 DAMAGE),
 * and a way to read only those parts. Beside a {@link ScreenSource}, never instead of
 * one: the full-frame source still makes the first frame, a requested refresh, and
 * the frame after this one loses track.
 */
export interface DamageSource {
  /** Short name for logs, e.g. `x11-damage`. */
  readonly name: string;
  /** True when damage came since the last {@link take}. */
  pending(): boolean;
  /** False once the source failed for good (its connection broke or was closed). */
  healthy(): boolean;
  /**
   * Calls `listener` when damage arrives and none was pending (once per batch, not per
   * rectangle). Returns the unsubscribe function.
   */
  onDamage(listener: () => void): () => void;
  /**
   * Hands over the damage so far and starts a new batch. Damage that lands while the
   * caller reads the pixels is reported in the next batch, never lost. `'all'` when the
   * source lost track (too much to keep, the screen resized, a failed request): the
   * caller grabs the whole screen.
   */
  take(): readonly Rect[] | 'all';
  /**
   * The pixels of `rect` (inside the screen) now, as a frame of the rectangle's size, in a
   * new buffer on each call: the caller keeps it and may write into it (the shadow keeps
   * the pixels a paste replaced there).
   */
  grabRegion(rect: Rect): Promise<RawFrame>;
  /**
   * The whole screen now, where this source reads it more cheaply than the full-frame
   * source does (X11: through shared memory, no 8 MB over a socket); undefined when it
   * cannot now (the caller grabs with the full-frame source). A new buffer on each call.
   */
  grabScreen?(): Promise<RawFrame> | undefined;
  /** Stops listening and closes the connection. Safe to call twice. */
  close(): Promise<void>;
}
