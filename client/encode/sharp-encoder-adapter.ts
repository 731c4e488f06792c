import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from '../diff/rect';
import { cropToRgbHalf, halvedSize } from './crop-half';
import { cropToRgb } from './crop-pixels';
import { clampQuality, type EncodeOptions, type RectEncoder } from './rect-encoder';
import { ScratchBuffers } from './scratch-buffers';

/**
 * RGB copies kept for the next encodes: two or three window-sized changes (360 kB for
 * 400×300), what is in flight at once while small areas change. Whole-screen bands are not
 * kept: a few MB held for good after the screen stops moving would show in the agent's RSS
 * (the glass benchmark read 144 MiB still with 4 MB kept, against 130–136 before the pool).
 */
const SCRATCH_KEPT_BYTES = 1024 * 1024;

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
          // mozjpeg's trellis quantisation saves ~10% bytes but costs several times the CPU.
          .jpeg({ quality: clampQuality(quality), mozjpeg: false, chromaSubsampling: '4:2:0' })
          .toBuffer();
      } finally {
        // sharp has read the pixels once its promise settles, whichever way.
        scratch.give(into);
      }
    },
  };
}
