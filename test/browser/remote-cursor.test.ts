import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { encodeBase64Url } from '../../protocol';
import { describeWithChromium } from '../support/browser';
import { pagePointOf, panelSuite } from './panel-driver';

/**
 * The customer's pointer on the technician's page (PROTOCOL.md `cursor-shape`,
 * `cursor-pos`): drawn over the screen by the page, at the position the customer's side
 * says, hidden while the technician drives. In Chromium, through a real relay, with a
 * stand-in customer of version 2 (test/support/sealed-client.ts).
 */

/** A 16 × 16 shape: green, with its top-left quarter transparent, hotspot at (8, 8). */
const SHAPE = Object.freeze({ id: 77, width: 16, height: 16, hotX: 8, hotY: 8 });
const GREEN = [20, 200, 60] as const;

function shapePixels(): Uint8Array {
  const rgba = new Uint8Array(SHAPE.width * SHAPE.height * 4);
  for (let y = 0; y < SHAPE.height; y++) {
    for (let x = 0; x < SHAPE.width; x++) {
      if (x < 8 && y < 8) continue; // transparent
      rgba.set([...GREEN, 255], (y * SHAPE.width + x) * 4);
    }
  }
  return rgba;
}

const shapeMessage = { type: 'cursor-shape', ...SHAPE, rgba: encodeBase64Url(shapePixels()) } as const;

/** One pixel of what the page shows (the overlay included), at page coordinates. */
async function screenPixel(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x: Math.floor(x), y: Math.floor(y), width: 1, height: 1 } });
  const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [...data];
}

function near(actual: readonly number[], rgb: readonly number[], tolerance = 10): boolean {
  return rgb.every((v, i) => Math.abs(actual[i]! - v) <= tolerance);
}

/** Waits until the overlay is shown (or hidden) at remote position (x, y). */
async function overlayShown(page: Page, shown: boolean, at?: { x: number; y: number }): Promise<void> {
  await page.waitForFunction(([want, x, y]) => {
    const overlay = document.getElementById('remote-cursor') as HTMLCanvasElement;
    if (!want) return overlay.hidden;
    return !overlay.hidden && (x === null || (overlay.dataset.x === String(x) && overlay.dataset.y === String(y)));
  }, [shown, at?.x ?? null, at?.y ?? null] as const, { timeout: 10_000 });
}

describeWithChromium('the customer\'s pointer on the technician page', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1000, height: 700 } });

  it('draws the shape received, with its hotspot on the position given, scaled like the screen, over the screen and not in it', async () => {
    const { client } = await t.connect();
    await client.send(shapeMessage);
    await client.send({ type: 'cursor-pos', x: 300, y: 200, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 300, y: 200 });

    const at = await pagePointOf(t.page, 300, 200); // the centre of remote pixel (300, 200)
    const box = await t.page.evaluate(() => {
      const r = document.getElementById('remote-cursor')!.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, height: r.height };
    });
    // The hotspot (8, 8) sits on the position; the shape is as big as 16 remote pixels.
    expect(Math.abs(box.left + 8 * at.scale - (at.x - at.scale / 2))).toBeLessThan(1);
    expect(Math.abs(box.top + 8 * at.scale - (at.y - at.scale / 2))).toBeLessThan(1);
    expect(Math.abs(box.width - 16 * at.scale)).toBeLessThan(1);
    // On screen: green just below and right of the hotspot, the screen's background through the transparent quarter.
    expect(near(await screenPixel(t.page, at.x + 3 * at.scale, at.y + 3 * at.scale), GREEN)).toBe(true);
    const behind = await screenPixel(t.page, at.x - 4 * at.scale, at.y - 4 * at.scale);
    expect(near(behind, GREEN)).toBe(false);
    // The remote screen's own pixels are untouched: the pointer is never drawn into them.
    const canvasUnder = await t.page.evaluate(() => Array.from((document.getElementById('remote-screen') as HTMLCanvasElement).getContext('2d')!.getImageData(303, 203, 1, 1).data));
    expect(near(canvasUnder, GREEN)).toBe(false);

    // It follows the position, and hides when the customer's side says it is hidden.
    await client.send({ type: 'cursor-pos', x: 900, y: 500, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 900, y: 500 });
    const moved = await pagePointOf(t.page, 900, 500);
    expect(near(await screenPixel(t.page, moved.x + 3 * moved.scale, moved.y + 3 * moved.scale), GREEN)).toBe(true);
    await client.send({ type: 'cursor-pos', x: 900, y: 500, visible: false, shape: SHAPE.id });
    await overlayShown(t.page, false);
  });

  it('hides the customer\'s pointer while the technician drives, and shows it again once they leave the screen', async () => {
    const { client } = await t.connect();
    await client.send(shapeMessage);
    await client.send({ type: 'cursor-pos', x: 300, y: 200, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 300, y: 200 });
    const over = await pagePointOf(t.page, 600, 400);
    await t.page.mouse.move(over.x, over.y);
    await t.page.mouse.move(over.x + 5, over.y + 5);
    await overlayShown(t.page, false);
    // The technician's moves went to the customer meanwhile.
    await client.inputsUntil((e) => e.kind === 'pointer-move');
    // Off the screen (onto the toolbar): the customer's pointer is back.
    const toolbar = await t.page.locator('#disconnect-button').boundingBox();
    await t.page.mouse.move(toolbar!.x + 2, toolbar!.y + 2);
    await overlayShown(t.page, true, { x: 300, y: 200 });
    // Back over the screen and keeping still: it shows again after a moment.
    await t.page.mouse.move(over.x, over.y);
    await overlayShown(t.page, false);
    await overlayShown(t.page, true, { x: 300, y: 200 });
  });

  it('view-only: the technician does not drive, so the customer\'s pointer always shows', async () => {
    const { client } = await t.connect(true);
    await client.send(shapeMessage);
    await client.send({ type: 'cursor-pos', x: 300, y: 200, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 300, y: 200 });
    const over = await pagePointOf(t.page, 310, 210);
    await t.page.mouse.move(over.x, over.y);
    await t.page.mouse.move(over.x + 5, over.y + 5);
    await client.send({ type: 'cursor-pos', x: 301, y: 200, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 301, y: 200 });
  });

  it('a shape too big or malformed is refused with a warning saying why; the session and the last good shape go on', async () => {
    const { client } = await t.connect();
    const warnings: string[] = [];
    let warned: () => void = () => undefined;
    const twoWarnings = new Promise<void>((resolve) => { warned = resolve; });
    t.page.on('console', (m) => {
      if (m.type() !== 'warning' || !m.text().includes('cursor')) return;
      warnings.push(m.text());
      if (warnings.length === 2) warned();
    });
    await client.send(shapeMessage);
    await client.send({ type: 'cursor-shape', id: 78, width: 65, height: 65, hotX: 0, hotY: 0, rgba: encodeBase64Url(new Uint8Array(65 * 65 * 4)) });
    await client.send({ type: 'cursor-shape', id: 79, width: 16, height: 16, hotX: 0, hotY: 0, rgba: encodeBase64Url(new Uint8Array(100)) });
    await twoWarnings;
    expect(warnings).toEqual([
      "customer's cursor: cursor shape 78: 65×65 is larger than 64×64",
      "customer's cursor: cursor shape 79: 100 bytes of pixels, expected 1024",
    ]);
    // A position naming a refused shape draws nothing; one naming the good shape draws it.
    await client.send({ type: 'cursor-pos', x: 300, y: 200, visible: true, shape: 78 });
    await client.send({ type: 'cursor-pos', x: 310, y: 210, visible: true, shape: SHAPE.id });
    await overlayShown(t.page, true, { x: 310, y: 210 });
    expect(await t.page.evaluate(() => document.body.dataset.state)).toBe('connected');
  });
});
