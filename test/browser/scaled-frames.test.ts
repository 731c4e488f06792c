import { encodeFrame, FrameFlag, ImageFormat, type FrameHeader } from '../../protocol';
import { describeWithChromium } from '../support/browser';
import { BACKGROUND, BLOCK, canvasPixel, jpegWithBlock, panelSuite, SCREEN } from './panel-driver';

/**
 * FRAME flag SCALED on the technician page (PROTOCOL.md §6): an image smaller than its
 * rectangle, drawn stretched into it; and an image whose size is not the one its header
 * says, dropped (the picture stays as it was, a refresh is asked, the session goes on).
 */
const NEW_BACKGROUND: readonly [number, number, number] = [200, 200, 40];
const NEW_BLOCK = { x: 700, y: 400, width: 320, height: 200, rgb: [20, 160, 60] as const };

/** JPEG is lossy: a solid area comes back within a few levels of its colour. */
function near(actual: number[], rgb: readonly number[], tolerance = 16): boolean {
  return rgb.every((v, i) => Math.abs(actual[i]! - v) <= tolerance);
}

function wholeScreen(seq: number, scaledImage?: { width: number; height: number }): FrameHeader {
  return {
    flags: FrameFlag.FULL | FrameFlag.LAST | (scaledImage ? FrameFlag.SCALED : 0), seq, captureTimeMs: Date.now(), displayId: 0,
    format: ImageFormat.JPEG, rectIndex: 0, x: 0, y: 0, width: SCREEN.width, height: SCREEN.height,
    screenWidth: SCREEN.width, screenHeight: SCREEN.height, ...(scaledImage ? { scaledImage } : {}),
  };
}

/** The new picture at half resolution: the block's place and size halved too. */
function halfPicture(): Promise<Uint8Array> {
  const half = { x: NEW_BLOCK.x / 2, y: NEW_BLOCK.y / 2, width: NEW_BLOCK.width / 2, height: NEW_BLOCK.height / 2, rgb: NEW_BLOCK.rgb };
  return jpegWithBlock(SCREEN.width / 2, SCREEN.height / 2, NEW_BACKGROUND, half);
}

describeWithChromium('SCALED frames on the technician page', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
  const blockCentre = { x: NEW_BLOCK.x + NEW_BLOCK.width / 2, y: NEW_BLOCK.y + NEW_BLOCK.height / 2 };
  const oldBlockCentre = { x: BLOCK.x + BLOCK.width / 2, y: BLOCK.y + BLOCK.height / 2 };

  it('draws a half-resolution image stretched into its rectangle: everything lands at its place on the full-size screen', async () => {
    const { client } = await t.connect();
    await client.sendFrameBytes(encodeFrame(wholeScreen(2, { width: SCREEN.width / 2, height: SCREEN.height / 2 }), await halfPicture()));
    expect((await client.nextAck()).seq).toBe(2);
    expect(await t.page.evaluate(() => {
      const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
      return [canvas.width, canvas.height];
    })).toEqual([SCREEN.width, SCREEN.height]);
    expect(near(await canvasPixel(t.page, blockCentre.x, blockCentre.y), NEW_BLOCK.rgb)).toBe(true);
    expect(near(await canvasPixel(t.page, NEW_BLOCK.x + 6, NEW_BLOCK.y + 6), NEW_BLOCK.rgb)).toBe(true);
    expect(near(await canvasPixel(t.page, NEW_BLOCK.x - 6, NEW_BLOCK.y - 6), NEW_BACKGROUND)).toBe(true);
    expect(near(await canvasPixel(t.page, oldBlockCentre.x, oldBlockCentre.y), NEW_BACKGROUND)).toBe(true);
    expect(near(await canvasPixel(t.page, SCREEN.width - 4, SCREEN.height - 4), NEW_BACKGROUND)).toBe(true);
  });

  it.each([
    ['a SCALED frame whose image is the rectangle\'s size, not the declared one', async () => encodeFrame(
      wholeScreen(2, { width: SCREEN.width / 2, height: SCREEN.height / 2 }),
      await jpegWithBlock(SCREEN.width, SCREEN.height, NEW_BACKGROUND, NEW_BLOCK))],
    ['a SCALED frame whose image is smaller than the declared size', async () => encodeFrame(
      wholeScreen(2, { width: SCREEN.width / 2, height: SCREEN.height / 2 }),
      await jpegWithBlock(SCREEN.width / 4, SCREEN.height / 4, NEW_BACKGROUND, { ...NEW_BLOCK, x: 10, y: 10, width: 20, height: 20 }))],
    ['a frame without SCALED whose image is smaller than its rectangle', async () => encodeFrame(wholeScreen(2), await halfPicture())],
  ])('%s: dropped, the picture stays, a refresh is asked, and the session goes on', async (_what, build) => {
    const { client } = await t.connect();
    await client.sendFrameBytes(await build());
    await client.untilSealed('refresh'); // the page refused the rectangle
    expect((await client.nextAck()).seq).toBe(2); // and still acknowledged it: holding the credit would stall the stream
    expect(near(await canvasPixel(t.page, oldBlockCentre.x, oldBlockCentre.y), BLOCK.rgb)).toBe(true);
    expect(near(await canvasPixel(t.page, blockCentre.x, blockCentre.y), BACKGROUND)).toBe(true);
    expect(await t.page.getAttribute('body', 'data-state')).toBe('connected');
    // The refresh answered with a good frame is drawn: the session goes on.
    await client.sendFrameBytes(encodeFrame(wholeScreen(3, { width: SCREEN.width / 2, height: SCREEN.height / 2 }), await halfPicture()));
    expect((await client.nextAck()).seq).toBe(3);
    expect(near(await canvasPixel(t.page, blockCentre.x, blockCentre.y), NEW_BLOCK.rgb)).toBe(true);
  });
});
