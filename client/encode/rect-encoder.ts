import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from '../diff/rect';

/** JPEG quality bounds accepted by every encoder. */
const MIN_QUALITY = 1;
const MAX_QUALITY = 100;

/** How a rectangle is encoded beyond its quality. */
export interface EncodeOptions {
  /**
   * Encode at half resolution (see crop-half.ts; the image is `halvedSize(rect)`), for a
   * FRAME with SCALED. Only asked of an encoder whose `halves` is true.
   */
  readonly halve?: boolean;
}

/**
 * Compresses one rectangle of a raw frame. Implementations hide the native library;
 * the streamer and the tests only know this.
 */
export interface RectEncoder {
  /** Short name for logs and benchmarks, e.g. `sharp`. */
  readonly name: string;
  /** Image format of the output, as the frame header's `format` (1 = JPEG). */
  readonly format: 1 | 2;
  /** True when `encode` honours `options.halve`. */
  readonly halves?: boolean;
  /**
   * Encodes `rect` of `frame` at JPEG `quality` (1–100). The frame must not change until
   * the promise settles; the result is a fresh buffer the caller may keep.
   */
  encode(frame: RawFrame, rect: Rect, quality: number, options?: EncodeOptions): Promise<Uint8Array>;
}

/** Rounds and clamps a quality into 1–100. */
export function clampQuality(quality: number): number {
  return Math.min(MAX_QUALITY, Math.max(MIN_QUALITY, Math.round(quality)));
}
