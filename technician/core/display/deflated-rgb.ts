import { inflateSync } from 'fflate';

/**
 * FRAME format 3 (PROTOCOL.md §6.2.1): raw DEFLATE of the rectangle's RGB pixels, inflated
 * here into the RGBA an ImageData holds, in the task that received it (no image decoder to
 * wait for: that is the point of the format, the echo of a typed key).
 *
 * Bounded: the stream is inflated into a buffer one byte longer than the pixels, so a
 * stream that goes on beyond them stops there and is refused, whatever it would inflate
 * to (fflate writes into the given buffer and never grows it). The caller has checked the
 * rectangle against MAX_DEFLATED_RGB_PIXELS (parseFrame). fflate: a small, well-kept
 * inflater that runs synchronously; the browser's DecompressionStream only streams, a
 * promise per chunk, and would bring back the wait this format removes.
 */
export function inflateRgbToRgba(image: Uint8Array, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const pixels = width * height;
  const rgbLength = pixels * 3;
  let rgb: Uint8Array;
  try {
    rgb = inflateSync(image, { out: new Uint8Array(rgbLength + 1) });
  } catch (error) {
    throw new RangeError(`deflated RGB: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (rgb.byteLength !== rgbLength) {
    throw new RangeError(`deflated RGB: ${rgb.byteLength > rgbLength ? 'more' : `${rgb.byteLength}`} bytes where ${width}x${height} needs ${rgbLength}`);
  }
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0, j = 0; i < rgbLength; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  return rgba;
}
