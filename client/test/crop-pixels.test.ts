import { cropToRgb, cropToRgba } from '../encode/crop-pixels';
import { FakeScreenSource } from './support/fake-screen-source';

/** A screen where every pixel has its own colour, to catch any off-by-one. */
async function patterned(width: number, height: number, order: 'bgra' | 'rgba', padding = 0) {
  const screen = new FakeScreenSource(width, height, order, padding);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) screen.paint({ x, y, width: 1, height: 1 }, [x & 255, y & 255, (x * 7 + y * 13) & 255]);
  }
  return screen.grab();
}

function expectedRgb(x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out.push(x & 255, y & 255, (x * 7 + y * 13) & 255);
  return out;
}

describe('cropToRgb', () => {
  it.each(['bgra', 'rgba'] as const)('reorders %s pixels on the fast path (width a multiple of 4)', async (order) => {
    const frame = await patterned(40, 20, order);
    expect([...cropToRgb(frame, { x: 4, y: 3, width: 16, height: 5 })]).toEqual(expectedRgb(4, 3, 16, 5));
  });

  it.each(['bgra', 'rgba'] as const)('reorders %s pixels on the byte path (odd width, padded rows)', async (order) => {
    const frame = await patterned(41, 20, order, 12);
    expect([...cropToRgb(frame, { x: 5, y: 2, width: 7, height: 3 })]).toEqual(expectedRgb(5, 2, 7, 3));
  });

  it('refuses a rectangle outside the frame', async () => {
    const frame = await patterned(8, 8, 'bgra');
    expect(() => cropToRgb(frame, { x: 4, y: 0, width: 8, height: 1 })).toThrow(RangeError);
  });
});

describe('cropToRgba', () => {
  it('gives opaque RGBA in the right order', async () => {
    const frame = await patterned(10, 10, 'bgra');
    const rgb = expectedRgb(1, 1, 2, 1);
    expect([...cropToRgba(frame, { x: 1, y: 1, width: 2, height: 1 })]).toEqual([...rgb.slice(0, 3), 255, ...rgb.slice(3), 255]);
  });
});
