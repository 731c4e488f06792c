import { inflateRawSync } from 'node:zlib';
import { cropToRgb } from '../encode/crop-pixels';
import { deflateSmallRect, MAX_BYTES_PER_PIXEL, MAX_LOSSLESS_PIXELS } from '../encode/deflated-rgb';
import { ScratchBuffers } from '../encode/scratch-buffers';
import { FakeScreenSource } from './support/fake-screen-source';

/** A screen with a few flat blocks, as text and UI look to DEFLATE, in either channel order. */
async function uiScreen(order: 'bgra' | 'rgba') {
  const screen = new FakeScreenSource(300, 200, order);
  screen.paint({ x: 0, y: 0, width: 300, height: 200 }, [250, 250, 250]);
  screen.paint({ x: 10, y: 10, width: 3, height: 14 }, [20, 20, 20]);
  screen.paint({ x: 16, y: 12, width: 60, height: 2 }, [0, 90, 200]);
  return screen.grab();
}

describe('deflateSmallRect', () => {
  test.each(['bgra', 'rgba'] as const)('a small rectangle of flat colours (%s) comes back as raw DEFLATE of its RGB pixels, far under a byte a pixel', async (order) => {
    const frame = await uiScreen(order);
    const rect = { x: 5, y: 5, width: 80, height: 30 };
    const deflated = deflateSmallRect(frame, rect)!;
    expect(Buffer.from(inflateRawSync(deflated)).equals(Buffer.from(cropToRgb(frame, rect)))).toBe(true);
    expect(deflated.byteLength).toBeLessThan(rect.width * rect.height * 0.2);
  });

  test('a rectangle over MAX_LOSSLESS_PIXELS is not tried; one of exactly that many is', async () => {
    const frame = await uiScreen('bgra');
    expect(MAX_LOSSLESS_PIXELS).toBe(128 * 128);
    expect(deflateSmallRect(frame, { x: 0, y: 0, width: 128, height: 129 })).toBeUndefined();
    expect(deflateSmallRect(frame, { x: 0, y: 0, width: 128, height: 128 })).toBeDefined();
  });

  test('pixels that do not compress to a byte a pixel (a photograph, noise) are left to the JPEG encoder', async () => {
    const screen = new FakeScreenSource(64, 64);
    screen.paintNoise({ x: 0, y: 0, width: 64, height: 64 }, 7);
    const frame = await screen.grab();
    expect(MAX_BYTES_PER_PIXEL).toBe(1);
    expect(deflateSmallRect(frame, { x: 0, y: 0, width: 64, height: 64 })).toBeUndefined();
  });

  test('borrows its RGB copy and gives it back, also when it gives up', async () => {
    const frame = await uiScreen('bgra');
    const scratch = new ScratchBuffers(1024 * 1024);
    deflateSmallRect(frame, { x: 0, y: 0, width: 64, height: 64 }, scratch);
    expect(scratch.bytesKept).toBe(64 * 64 * 3);
    const noisy = new FakeScreenSource(32, 32);
    noisy.paintNoise({ x: 0, y: 0, width: 32, height: 32 }, 11);
    expect(deflateSmallRect(await noisy.grab(), { x: 0, y: 0, width: 32, height: 32 }, scratch)).toBeUndefined();
    expect(scratch.bytesKept).toBe(64 * 64 * 3 + 32 * 32 * 3);
  });
});
