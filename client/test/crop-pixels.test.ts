import { cropToRgbHalf } from '../encode/crop-half';
import { cropToRgb, cropToRgba } from '../encode/crop-pixels';
import { ScratchBuffers } from '../encode/scratch-buffers';
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

  it.each([16, 7])('writes every byte of a reused buffer it is given (width %i), and only those', async (width) => {
    const frame = await patterned(40, 20, 'bgra');
    const pool = new ScratchBuffers(1 << 20);
    const stale = pool.take(width * 5 * 3 + 60);
    stale.fill(0xee);
    pool.give(stale);
    const into = pool.take(width * 5 * 3);
    expect(into.buffer).toBe(stale.buffer); // the same memory, still full of the last encode's bytes
    const out = cropToRgb(frame, { x: 4, y: 3, width, height: 5 }, into);
    expect(out).toBe(into);
    expect([...out]).toEqual(expectedRgb(4, 3, width, 5));
    expect(new Uint8Array(stale.buffer, out.byteLength)[0]).toBe(0xee); // nothing written past the end
  });

  it('refuses a buffer of the wrong size', async () => {
    const frame = await patterned(8, 8, 'bgra');
    expect(() => cropToRgb(frame, { x: 0, y: 0, width: 4, height: 1 }, new Uint8Array(13))).toThrow(RangeError);
  });
});

describe('cropToRgbHalf into a reused buffer', () => {
  it('gives what it gives into a new one', async () => {
    const frame = await patterned(40, 20, 'rgba');
    const rect = { x: 3, y: 2, width: 17, height: 9 };
    const into = new Uint8Array(9 * 5 * 3).fill(0x55);
    expect([...cropToRgbHalf(frame, rect, into)]).toEqual([...cropToRgbHalf(frame, rect)]);
    expect(() => cropToRgbHalf(frame, rect, new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('ScratchBuffers', () => {
  it('lends a kept buffer again only when it fits and is at most twice the size asked', () => {
    const pool = new ScratchBuffers(1 << 20);
    const a = pool.take(1000);
    pool.give(a);
    expect(pool.take(2001).buffer).not.toBe(a.buffer); // would waste more than half
    const b = pool.take(600);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteLength).toBe(600);
    expect(pool.bytesKept).toBe(0);
    expect(pool.take(600).buffer).not.toBe(a.buffer); // lent out: never to two takers at once
  });

  it('keeps at most its bound, and a buffer given twice once', () => {
    const pool = new ScratchBuffers(2500);
    const [a, b, c] = [pool.take(1000), pool.take(1000), pool.take(1000)];
    pool.give(a);
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.bytesKept).toBe(2000);
    const lent = new Set([pool.take(1000).buffer, pool.take(1000).buffer, pool.take(1000).buffer]);
    expect(lent.has(a.buffer) && lent.has(b.buffer) && !lent.has(c.buffer)).toBe(true);
  });
});

describe('cropToRgba', () => {
  it('gives opaque RGBA in the right order', async () => {
    const frame = await patterned(10, 10, 'bgra');
    const rgb = expectedRgb(1, 1, 2, 1);
    expect([...cropToRgba(frame, { x: 1, y: 1, width: 2, height: 1 })]).toEqual([...rgb.slice(0, 3), 255, ...rgb.slice(3), 255]);
  });
});
