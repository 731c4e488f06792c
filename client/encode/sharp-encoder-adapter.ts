import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from '../diff/rect';
import { cropToRgbHalf, halvedSize } from './crop-half';
import { cropToRgb } from './crop-pixels';
import { clampQuality, type EncodeOptions, type RectEncoder } from './rect-encoder';
import { ScratchBuffers } from './scratch-buffers';

/**
 * RGB copies kept for the next encodes: two window-sized changes (360 kB each for
 * 400×300), what is in flight at once while small areas change. Whole-screen bands are not
 * kept: a few MB held for good after the screen stops moving would add to the agent's RSS,
 * whose target is 150 MB (issue 13).
 */
const SCRATCH_KEPT_BYTES = 1024 * 1024;

/**
 * JPEG through sharp (libvips + libjpeg-turbo): ≈17–21 ms for a 1080p frame, ≈1.2 ms for
 * a 64×64 tile, on the reference machine. Encoding runs on libuv's thread pool, so the
 * event loop stays free for input and acknowledgements meanwhile.
 *
 * Pixels go in as a pre-cropped RGB buffer (see crop-pixels.ts): sharp has no BGR input,
 * `.recomb()` to swap channels costs ≈75 ms a frame, and handing it 4 channels makes it
 * flatten the alpha, which is 0 on X11, into black. The buffer is lent from a small pool
 * (scratch-buffers.ts) and given back once sharp is done with it.
 *
 * While the whole screen moves (halved updates), the Huffman tables are libjpeg's standard
 * ones instead of optimised per image (sharp's default): the optimising pass is a third of
 * that encode's CPU for 3 % fewer bytes, and CPU is what runs short on a customer's PC
 * while the screen moves. Other updates keep optimised tables: on smooth pictures (the
 * glass region scene) standard ones cost 18 % more bytes for no CPU saved. Figures:
 * `npm run bench -- encode`, the Huffman rows, and BENCHMARKS.md.
 */
export async function createSharpEncoder(): Promise<RectEncoder> {
  const { default: sharp } = await import('sharp');
  const scratch = new ScratchBuffers(SCRATCH_KEPT_BYTES);
  return {
    name: 'sharp',
    format: 1,
    halves: true,
    async encode(frame: RawFrame, rect: Rect, quality: number, options?: EncodeOptions): Promise<Uint8Array> {
      const halve = options?.halve === true;
      const { width, height } = halve ? halvedSize(rect) : rect;
      const into = scratch.take(width * height * 3);
      try {
        const rgb = halve ? cropToRgbHalf(frame, rect, into) : cropToRgb(frame, rect, into);
        return await sharp(rgb, { raw: { width, height, channels: 3 } })
          .jpeg(jpegOptions(quality, halve ? 'standard' : 'optimised'))
          .toBuffer();
      } finally {
        // sharp has read the pixels once its promise settles, whichever way.
        scratch.give(into);
      }
    },
  };
}

/**
 * sharp's JPEG options for an update, with the Huffman tables given (see
 * createSharpEncoder for which update gets which). Also what the encode benchmark's
 * baseline uses, so the two differ only in the tables.
 */
export function jpegOptions(quality: number, huffman: 'optimised' | 'standard') {
  // mozjpeg's trellis quantisation saves ~10% bytes but costs several times the CPU.
  return { quality: clampQuality(quality), mozjpeg: false, optimiseCoding: huffman === 'optimised', chromaSubsampling: '4:2:0' };
}
