import { argbToRgbaCursor } from '../capture/cursor-pixels';

/** Little-endian ARGB words (B, G, R, A bytes), premultiplied, from straight [r, g, b, a] pixels. */
function argb(pixels: readonly (readonly [number, number, number, number])[]): Uint8Array {
  const out = new Uint8Array(pixels.length * 4);
  pixels.forEach(([r, g, b, a], i) => out.set([Math.round((b * a) / 255), Math.round((g * a) / 255), Math.round((r * a) / 255), a], i * 4));
  return out;
}

describe('argbToRgbaCursor', () => {
  it('turns premultiplied ARGB into straight RGBA', () => {
    const image = argbToRgbaCursor({
      width: 3, height: 1, hotX: 1, hotY: 0,
      argb: argb([[255, 255, 255, 255], [0, 0, 0, 0], [200, 100, 50, 128]]),
    });
    expect(image).toMatchObject({ width: 3, height: 1, hotX: 1, hotY: 0 });
    expect([...image.rgba.slice(0, 8)]).toEqual([255, 255, 255, 255, 0, 0, 0, 0]);
    const [r, g, b, a] = image.rgba.slice(8);
    expect(a).toBe(128);
    // Premultiplying rounds; undoing it comes back within a step.
    expect(Math.abs(r! - 200)).toBeLessThanOrEqual(2);
    expect(Math.abs(g! - 100)).toBeLessThanOrEqual(2);
    expect(Math.abs(b! - 50)).toBeLessThanOrEqual(2);
  });

  it('shrinks a shape larger than 64 pixels by a whole factor, hotspot with it', () => {
    const width = 96;
    const pixels = Array.from({ length: width * width }, (_, i) => ((i % width) % 3 === 0 ? [255, 0, 0, 255] as const : [0, 0, 255, 255] as const));
    const image = argbToRgbaCursor({ width, height: width, hotX: 95, hotY: 10, argb: argb(pixels) });
    expect(image).toMatchObject({ width: 48, height: 48, hotX: 47, hotY: 5 });
    expect(image.rgba.length).toBe(48 * 48 * 4);
  });
});
