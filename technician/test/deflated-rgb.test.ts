import { deflateRawSync } from 'node:zlib';
import { inflateRgbToRgba } from '../core/display/deflated-rgb';

/** FRAME format 3 on the page (PROTOCOL.md §6.2.1): inflated to exactly the rectangle's pixels, or refused. */
describe('inflateRgbToRgba', () => {
  const width = 5;
  const height = 3;
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) & 255);

  test('gives the RGBA an ImageData holds: each pixel\'s R, G, B, then 255', () => {
    const rgba = inflateRgbToRgba(deflateRawSync(rgb), width, height);
    expect(rgba.length).toBe(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      expect(Array.from(rgba.subarray(p * 4, p * 4 + 4))).toEqual([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], 255]);
    }
  });

  test.each([
    ['one byte more than the pixels', () => deflateRawSync(new Uint8Array(width * height * 3 + 1)), /more bytes where 5x3 needs 45/],
    ['64 MiB of zeros (a few kB deflated) for a 5×3 rectangle', () => deflateRawSync(new Uint8Array(64 * 1024 * 1024)), /more bytes/],
    ['one byte short', () => deflateRawSync(new Uint8Array(width * height * 3 - 1)), /44 bytes where 5x3 needs 45/],
    ['a stream cut short', () => deflateRawSync(rgb).subarray(0, 4), /deflated RGB/],
    ['no DEFLATE stream at all', () => Uint8Array.of(0xff, 0xff, 0xff), /deflated RGB/],
    ['an empty image', () => new Uint8Array(0), /deflated RGB/],
  ])('refuses %s with a RangeError', (_what, image, message) => {
    const bytes = image();
    expect(() => inflateRgbToRgba(bytes, width, height)).toThrow(RangeError);
    expect(() => inflateRgbToRgba(bytes, width, height)).toThrow(message);
  });
});
