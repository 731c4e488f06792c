import type { RawFrame } from '../capture/raw-frame';
import type { Rect } from '../diff/rect';
import { cropToRgba } from './crop-pixels';
import { clampQuality, type RectEncoder } from './rect-encoder';

/**
 * JPEG in pure JavaScript (jpeg-js): no native code, so it loads everywhere, but ≈250 ms
 * for a 1080p frame and it blocks the event loop while it runs. A fallback for machines
 * where sharp's binary is missing; small dirty rectangles keep it usable.
 */
export async function createJpegJsEncoder(): Promise<RectEncoder> {
  const jpeg = await import('jpeg-js');
  return {
    name: 'jpeg-js',
    format: 1,
    async encode(frame: RawFrame, rect: Rect, quality: number): Promise<Uint8Array> {
      const data = cropToRgba(frame, rect);
      const { data: bytes } = jpeg.encode({ width: rect.width, height: rect.height, data }, clampQuality(quality));
      return bytes;
    },
  };
}
