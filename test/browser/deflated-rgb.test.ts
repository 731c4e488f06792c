import { deflateRawSync } from 'node:zlib';
import { CloseCode, encodeFrame, Errors, FrameFlag, ImageFormat, PeerFeature, type FrameHeader } from '../../protocol';
import { describeWithChromium } from '../support/browser';
import { BACKGROUND, canvasPixel, panelSuite, SCREEN, waitForState } from './panel-driver';

/**
 * FRAME format 3, deflated RGB (PROTOCOL.md §6.2.1), on the technician page: the page says
 * it takes it, draws it pixel for pixel (lossless, unlike the JPEG around it), and refuses
 * a stream that is broken, ends short or goes on beyond the rectangle's pixels: that
 * rectangle is dropped, a refresh asked, and the session goes on.
 */
const RECT = Object.freeze({ x: 600, y: 300, width: 16, height: 8 });

/** Every pixel of RECT a different colour, so that a shifted or swapped channel shows. */
function distinctPixels(): Uint8Array {
  const rgb = new Uint8Array(RECT.width * RECT.height * 3);
  for (let i = 0; i < RECT.width * RECT.height; i++) rgb.set([(i * 7) & 255, (i * 13 + 50) & 255, 255 - i], i * 3);
  return rgb;
}

function rectHeader(seq: number, rect: { x: number; y: number; width: number; height: number } = RECT): FrameHeader {
  return {
    flags: FrameFlag.LAST, seq, captureTimeMs: Date.now(), displayId: 0, format: ImageFormat.DEFLATED_RGB, rectIndex: 0,
    ...rect, screenWidth: SCREEN.width, screenHeight: SCREEN.height,
  };
}

/** The canvas's pixels of RECT, as RGB rows. */
async function canvasRect(t: { page: import('playwright-core').Page }): Promise<number[]> {
  return t.page.evaluate((r) => {
    const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
    const rgba = canvas.getContext('2d')!.getImageData(r.x, r.y, r.width, r.height).data;
    return Array.from(rgba).filter((_, i) => i % 4 !== 3);
  }, RECT);
}

describeWithChromium('deflated-RGB rectangles on the technician page', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1400, height: 900 } });

  it('names deflated-rgb in its introduction, and draws such a rectangle pixel for pixel at its place', async () => {
    const { client } = await t.connect();
    expect(client.technicianFeatures).toContain(PeerFeature.DEFLATED_RGB);
    const pixels = distinctPixels();
    await client.sendFrameBytes(encodeFrame(rectHeader(2), deflateRawSync(pixels)));
    expect((await client.nextAck()).seq).toBe(2);
    expect(await canvasRect(t)).toEqual(Array.from(pixels));
    // Around it, the JPEG picture is untouched.
    const around = await canvasPixel(t.page, RECT.x - 20, RECT.y - 20);
    BACKGROUND.forEach((v, i) => expect(Math.abs(around[i]! - v)).toBeLessThanOrEqual(16));
  });

  const tooLong = (): Uint8Array => deflateRawSync(new Uint8Array(RECT.width * RECT.height * 3 + 3));
  it.each([
    ['a stream that inflates beyond the rectangle\'s pixels (one pixel more)', tooLong],
    ['a stream that would inflate to 64 MiB for a 16×8 rectangle', () => deflateRawSync(new Uint8Array(64 * 1024 * 1024))],
    ['a stream that ends one pixel short', () => deflateRawSync(new Uint8Array(RECT.width * RECT.height * 3 - 3))],
    ['a stream cut in the middle', () => deflateRawSync(distinctPixels()).subarray(0, 20)],
    ['bytes that are no DEFLATE stream', () => Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff)],
  ])('%s: dropped, the picture stays, a refresh is asked, and the session goes on', async (_what, image) => {
    const { client } = await t.connect();
    const before = await canvasRect(t);
    await client.sendFrameBytes(encodeFrame(rectHeader(2), image()));
    await client.untilSealed('refresh');
    expect((await client.nextAck()).seq).toBe(2); // acknowledged all the same: holding the credit would stall the stream
    expect(await canvasRect(t)).toEqual(before);
    expect(await t.page.getAttribute('body', 'data-state')).toBe('connected');
    const pixels = distinctPixels();
    await client.sendFrameBytes(encodeFrame(rectHeader(3), deflateRawSync(pixels)));
    expect((await client.nextAck()).seq).toBe(3);
    expect(await canvasRect(t)).toEqual(Array.from(pixels));
  });

  it('a deflated-RGB rectangle over 256×256 pixels is malformed (no honest agent sends one): the page ends the session for both, as for any malformed sealed frame, without inflating it', async () => {
    const { client } = await t.connect();
    await client.sendFrameBytes(encodeFrame(rectHeader(2, { x: 0, y: 0, width: 257, height: 256 }), deflateRawSync(new Uint8Array(257 * 256 * 3))));
    await waitForState(t.page, 'verification-failed');
    expect(await t.page.isVisible('#session-view')).toBe(false);
    expect((await client.peer.until('error')).code).toBe(Errors.E2E_FAILED.code);
    expect((await client.peer.closed).code).toBe(CloseCode.E2E_FAILED);
  });
});
