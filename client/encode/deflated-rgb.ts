import { constants, deflateRawSync } from 'node:zlib';
import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from '../diff/rect';
import { cropToRgb } from './crop-pixels';
import type { ScratchBuffers } from './scratch-buffers';

/**
 * Small rectangles sent lossless as FRAME format 3 (PROTOCOL.md §6.2.1): the RGB pixels,
 * raw DEFLATE. Why: a typed letter's echo is a few hundred pixels, and a JPEG of it costs
 * more than the pixels themselves. On this machine (2026-12-02, AMD EPYC) sharp took
 * 0.9–1.6 ms per rectangle of 12×20 to 256×64 pixels, plus the hop to libuv's threads and
 * back, and the page then waits a few ms for the browser's image decoder. DEFLATE level 1
 * took 0.02–0.16 ms for text and flat colours, came out smaller than the JPEG (56 B against
 * 427 for a 12×20 glyph, 230 B against 1860 for 64×64), and the page inflates it in the
 * task that receives it. For photographic pixels it comes out 5–6 times larger than the
 * JPEG: those go as JPEG (see {@link MAX_BYTES_PER_PIXEL}).
 */

/** Rectangles up to 128×128 pixels are tried (the protocol allows 256×256). */
export const MAX_LOSSLESS_PIXELS = 128 * 128;
/**
 * A deflated image above one byte per pixel is given up for a JPEG: text and UI land far
 * below (0.04–0.3 B/px measured), photographs near three (no better than raw). At 128×128,
 * the largest tried, a failed attempt costs about 1 ms of the agent's main thread.
 */
export const MAX_BYTES_PER_PIXEL = 1;
/** Fastest level: the images are small, and the time is the echo's. */
const DEFLATE_LEVEL = 1;

/**
 * `rect` of `frame` as deflated RGB, or undefined when it is too large to try or does not
 * compress well enough (send a JPEG instead). Runs on the calling thread: at these sizes a
 * hop to another thread costs more than the work. `scratch` lends the RGB copy.
 */
export function deflateSmallRect(frame: RawFrame, rect: Rect, scratch?: ScratchBuffers): Uint8Array | undefined {
  const pixels = rect.width * rect.height;
  if (pixels > MAX_LOSSLESS_PIXELS) return undefined;
  const rgb = cropToRgb(frame, rect, scratch?.take(pixels * 3));
  try {
    const deflated = deflateRawSync(rgb, { level: DEFLATE_LEVEL, strategy: constants.Z_DEFAULT_STRATEGY });
    return deflated.byteLength <= pixels * MAX_BYTES_PER_PIXEL ? deflated : undefined;
  } finally {
    scratch?.give(rgb);
  }
}
