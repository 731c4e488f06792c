import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel, pagePointOf, submitCode, waitForState } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import { openTestX } from '../support/x11-windows';
import {
  customerDesktopPage, describeWithDesktop, startAgentProcess, startDesktop, untilCanvasShows, type AgentProcess, type Desktop,
} from '../support/desktop';

const WIDTH = 1280;
const HEIGHT = 720;
const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x22, 0x44, 0xaa] as const };
/** Plain page background on the customer's screen (Chromium shows the arrow there)… */
const PLAIN = { x: 40, y: 650 };
/** …and a point inside its text area (Chromium shows the I-beam there). */
const TEXT = { x: 600, y: 480 };
/** Two more of each, where the customer moves their own pointer. */
const OTHER_TEXT = { x: 1000, y: 420 };
const OTHER_PLAIN = { x: 1240, y: 680 };

/** What the page's overlay shows: the shape's id, size, hotspot, where, and the box of its opaque pixels. */
interface Shown {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  opaque: { left: number; top: number; right: number; bottom: number };
}

/**
 * Waits until the page's overlay shows the customer's pointer near remote (x, y) with a
 * shape other than `notId`, and reads what it shows.
 */
async function overlayAt(panel: Page, at: { x: number; y: number }, notId?: string): Promise<Shown> {
  await panel.waitForFunction(([x, y, not]) => {
    const overlay = document.getElementById('remote-cursor') as HTMLCanvasElement;
    const d = overlay.dataset;
    return !overlay.hidden && Math.abs(Number(d.x) - x!) <= 1 && Math.abs(Number(d.y) - y!) <= 1 && d.shape !== not;
  }, [at.x, at.y, notId ?? null] as const, { timeout: 20_000 });
  return panel.evaluate(() => {
    const overlay = document.getElementById('remote-cursor') as HTMLCanvasElement;
    const d = overlay.dataset;
    const { width, height } = overlay;
    const data = overlay.getContext('2d')!.getImageData(0, 0, width, height).data;
    const opaque = { left: width, top: height, right: -1, bottom: -1 };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * 4 + 3]! < 128) continue;
        opaque.left = Math.min(opaque.left, x);
        opaque.right = Math.max(opaque.right, x);
        opaque.top = Math.min(opaque.top, y);
        opaque.bottom = Math.max(opaque.bottom, y);
      }
    }
    return { id: d.shape!, x: Number(d.x), y: Number(d.y), width, height, hotX: Number(d.hotX), hotY: Number(d.hotY), opaque };
  });
}

/**
 * Issue 13 (3) as the technician sees it: the customer's pointer, its shape read by the
 * real agent through XFixes on a real X display, drawn by the real page over its canvas.
 * The technician moves the customer's pointer (through the agent, as in a session), steps
 * off the screen, and the page shows where the customer's pointer is and what it looks
 * like: the arrow over the page, the I-beam over the text area.
 */
describeWithDesktop('the customer\'s pointer, from XFixes on a real X display to the technician page', () => {
  let desktop: Desktop;
  let relay: Relay;
  let agent: AgentProcess;
  let technicianBrowser: TestBrowser;
  let panel: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: WIDTH, height: HEIGHT });
    ({ relay } = desktop);
    agent = startAgentProcess(desktop.display, relay.wsUrl);
    technicianBrowser = await launchTestBrowser({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    panel = await technicianBrowser.newPage();
  }, 90_000);

  afterAll(async () => {
    await technicianBrowser?.close();
    await agent?.stop();
    await desktop?.close();
  });

  /** The technician moves the customer's pointer to remote (x, y), then leaves the screen for the toolbar. */
  async function driveTo(at: { x: number; y: number }): Promise<void> {
    const point = await pagePointOf(panel, at.x, at.y);
    await panel.mouse.move(point.x - 20, point.y - 20);
    await panel.mouse.move(point.x, point.y, { steps: 4 });
    const toolbar = (await panel.locator('#disconnect-button').boundingBox())!;
    await panel.mouse.move(toolbar.x + toolbar.width / 2, toolbar.y + toolbar.height / 2);
  }

  test('over the page the arrow, over the text area the I-beam: shape and position reach the page, drawn on its overlay', async () => {
    const code = await agent.code;
    await openPanel(panel, relay.url);
    await submitCode(panel, `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`, 'Juan (CompuEasys)');
    await waitForState(panel, 'connected', 20_000);
    await untilCanvasShows(panel, BLOCK);

    await driveTo(PLAIN);
    const arrow = await overlayAt(panel, PLAIN);
    await driveTo(TEXT);
    const ibeam = await overlayAt(panel, TEXT, arrow.id);

    // Two shapes, both within the protocol's bounds, with something drawn.
    for (const shape of [arrow, ibeam]) {
      expect(shape.width).toBeGreaterThan(4);
      expect(shape.width).toBeLessThanOrEqual(64);
      expect(shape.height).toBeLessThanOrEqual(64);
      expect(shape.opaque.right).toBeGreaterThanOrEqual(shape.opaque.left);
    }
    // The arrow points from its top-left corner: its hotspot is at the tip, the left edge of what is drawn.
    expect(arrow.hotX - arrow.opaque.left).toBeLessThanOrEqual(3);
    expect(arrow.hotY - arrow.opaque.top).toBeLessThanOrEqual(3);
    // The I-beam is taller than wide and grabs in its middle, both ways.
    const beamWidth = ibeam.opaque.right - ibeam.opaque.left + 1;
    const beamHeight = ibeam.opaque.bottom - ibeam.opaque.top + 1;
    expect(beamWidth).toBeLessThan(beamHeight * 0.75);
    expect(ibeam.hotX).toBeGreaterThan(ibeam.opaque.left + 1);
    expect(ibeam.hotX).toBeLessThan(ibeam.opaque.right - 1);
    expect(ibeam.hotY).toBeGreaterThan(ibeam.opaque.top + beamHeight / 4);
    expect(ibeam.hotY).toBeLessThan(ibeam.opaque.bottom - beamHeight / 4);

    // Drawn over the canvas where the customer's pointer is: the hotspot on the text area's point.
    const at = await pagePointOf(panel, TEXT.x, TEXT.y);
    const box = (await panel.locator('#remote-cursor').boundingBox())!;
    expect(Math.abs(box.x + ibeam.hotX * at.scale - (at.x - at.scale / 2))).toBeLessThan(at.scale + 1);
    expect(Math.abs(box.y + ibeam.hotY * at.scale - (at.y - at.scale / 2))).toBeLessThan(at.scale + 1);

    // Back over the page: the arrow again, not sent again (the page kept it), and the page shows it.
    await driveTo(PLAIN);
    const again = await overlayAt(panel, PLAIN, ibeam.id);
    expect(again.id).toBe(arrow.id);
  }, 120_000);

  test('the customer moves their own pointer: the page follows it and its shape without the technician doing anything', async () => {
    // The page is connected from the test before; the technician's pointer is on the toolbar.
    const arrowId = await panel.evaluate(() => document.getElementById('remote-cursor')!.dataset.shape!);
    const x = await openTestX(desktop.display.display);
    try {
      // As the customer's mouse would: the X server moves the pointer (and tells Chromium, which changes its cursor).
      x.client.WarpPointer(0, x.root, 0, 0, 0, 0, OTHER_TEXT.x, OTHER_TEXT.y);
      const ibeam = await overlayAt(panel, OTHER_TEXT, arrowId);
      expect(ibeam.hotX).toBeGreaterThan(ibeam.opaque.left + 1);
      x.client.WarpPointer(0, x.root, 0, 0, 0, 0, OTHER_PLAIN.x, OTHER_PLAIN.y);
      const arrow = await overlayAt(panel, OTHER_PLAIN, ibeam.id);
      expect(arrow.id).toBe(arrowId);
    } finally {
      await x.close();
    }
  }, 60_000);
});
