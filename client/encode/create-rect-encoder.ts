import { createJpegJsEncoder } from './jpeg-js-encoder-adapter';
import type { RectEncoder } from './rect-encoder';
import { firstThatWorks, type Skipped } from '../support/first-that-works';
import { createSharpEncoder } from './sharp-encoder-adapter';

/** One way to build an encoder; rejects when it cannot load on this machine. */
export type RectEncoderFactory = () => Promise<RectEncoder>;

/** Native first, then pure JavaScript. */
export const DEFAULT_RECT_ENCODERS: readonly RectEncoderFactory[] = Object.freeze([createSharpEncoder, createJpegJsEncoder]);

/**
 * Returns the first encoder that loads. Failures are passed to `onSkip` (sharp's
 * prebuilt binary can be missing for a platform); if none loads, rejects with every cause.
 */
export function createRectEncoder(
  factories: readonly RectEncoderFactory[] = DEFAULT_RECT_ENCODERS,
  onSkip?: (skipped: Skipped) => void,
): Promise<RectEncoder> {
  return firstThatWorks(factories, 'no JPEG encoder loads on this machine', onSkip);
}
