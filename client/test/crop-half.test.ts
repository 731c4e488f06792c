import { cropToRgbHalf, halvedSize } from '../encode/crop-half';
import { FakeScreenSource } from './support/fake-screen-source';

/** A screen where every pixel has its own colour, to catch any off-by-one. */
async function patterned(width: number, height: number, order: 'bgra' | 'rgba', padding = 0) {
  const screen = new FakeScreenSource(width, height, order, padding);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) screen.paint({ x, y, width: 1, height: 1 }, colourAt(x, y));
  }
  return screen.grab();
}

function colourAt(x: number, y: number): [number, number, number] {
  return [(x * 5) & 255, (y * 3) & 255, (x * 7 + y * 13) & 255];
}

/** The 2×2 mean, written the obvious way; an odd last row or column is averaged with itself. */
function expectedHalf(x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  const { width, height } = halvedSize({ width: w, height: h });
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      const xs = [x0 + 2 * ox, Math.min(x0 + 2 * ox + 1, x0 + w - 1)];
      const ys = [y0 + 2 * oy, Math.min(y0 + 2 * oy + 1, y0 + h - 1)];
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0;
        for (const y of ys) for (const x of xs) sum += colourAt(x, y)[channel]!;
        out.push(Math.floor((sum + 2) / 4));
      }
    }
  }
  return out;
}

describe('cropToRgbHalf', () => {
  it('halves each side, rounding up', () => {
    expect(halvedSize({ width: 1920, height: 1080 })).toEqual({ width: 960, height: 540 });
    expect(halvedSize({ width: 7, height: 1 })).toEqual({ width: 4, height: 1 });
  });

  it.each(['bgra', 'rgba'] as const)('averages each 2×2 block of %s pixels into one RGB pixel', async (order) => {
    const frame = await patterned(40, 20, order);
    expect([...cropToRgbHalf(frame, { x: 4, y: 2, width: 16, height: 10 })]).toEqual(expectedHalf(4, 2, 16, 10));
  });

  it('handles odd sizes, odd offsets and padded rows (the last column and row stand alone)', async () => {
    const frame = await patterned(41, 21, 'bgra', 12);
    expect([...cropToRgbHalf(frame, { x: 3, y: 5, width: 7, height: 5 })]).toEqual(expectedHalf(3, 5, 7, 5));
    expect([...cropToRgbHalf(frame, { x: 40, y: 20, width: 1, height: 1 })]).toEqual(expectedHalf(40, 20, 1, 1));
  });

  it('gives the same bytes from a frame whose pixels do not start on a 4-byte boundary (the bytewise path)', async () => {
    const frame = await patterned(41, 21, 'rgba', 4);
    const shifted = new Uint8Array(frame.data.byteLength + 1);
    shifted.set(frame.data, 1);
    const unaligned = { ...frame, data: shifted.subarray(1) };
    expect(unaligned.data.byteOffset % 4).toBe(1);
    expect([...cropToRgbHalf(unaligned, { x: 3, y: 5, width: 7, height: 5 })]).toEqual(expectedHalf(3, 5, 7, 5));
    expect([...cropToRgbHalf(unaligned, { x: 0, y: 0, width: 41, height: 21 })]).toEqual(expectedHalf(0, 0, 41, 21));
  });

  it('gives a flat colour back exactly', async () => {
    const screen = new FakeScreenSource(8, 8, 'bgra');
    screen.paint({ x: 0, y: 0, width: 8, height: 8 }, [201, 13, 77]);
    const half = cropToRgbHalf(await screen.grab(), { x: 0, y: 0, width: 8, height: 8 });
    expect(half.length).toBe(4 * 4 * 3);
    for (let i = 0; i < half.length; i += 3) expect([...half.subarray(i, i + 3)]).toEqual([201, 13, 77]);
  });

  it('refuses a rectangle outside the frame', async () => {
    const frame = await patterned(8, 8, 'bgra');
    expect(() => cropToRgbHalf(frame, { x: 4, y: 0, width: 8, height: 1 })).toThrow(RangeError);
    expect(() => cropToRgbHalf(frame, { x: 0, y: 0, width: 0, height: 1 })).toThrow(RangeError);
  });
});
