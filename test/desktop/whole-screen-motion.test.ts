import sharp from 'sharp';
import type { Page, WebSocket as PageSocket } from 'playwright-core';
import { FrameFlag } from '../../protocol';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel, submitCode, waitForState } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import {
  captureWithImport, compareRgb, describeWithDesktop, startAgentProcess, startDesktop, untilCanvasShows, type AgentProcess, type Desktop,
} from '../support/desktop';

/*
 * Issue 13 (5) as the technician sees it: while the whole customer screen scrolls, the real
 * agent sends it at half resolution (FRAME flag SCALED) to the real page, which stretches
 * it into place; once the scrolling stops, the page ends with the screen sharp, as an
 * `import` of the X screen shows it.
 */

const WIDTH = 1280;
const HEIGHT = 720;
/**
 * A patch of 1-pixel black and white columns that stays put while the page scrolls under
 * it. Halved, each pair of columns becomes one grey pixel: on the page's canvas it shows
 * sharp only if it was sent at full resolution.
 */
const FINE = { x: 960, y: 520, width: 160, height: 96 };
/** A marker block that scrolls with the document, to know the page shows the screen at all. */
const MARK = { x: 40, y: 40, width: 200, height: 120, rgb: [0xd0, 0x20, 0x20] as const };
/** The scroll the test waits for before it stops the motion, px: the marker is long gone by then. */
const SCROLLED_PAST = 400;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;overflow:hidden;background:#ffffff}
  * { caret-color: transparent; }
  #doc{position:relative;height:40000px;
    background:repeating-linear-gradient(180deg,#f0f0f0 0 40px,#404040 40px 64px,#a0a0a0 64px 100px)}
  #mark{position:absolute;left:${MARK.x}px;top:${MARK.y}px;width:${MARK.width}px;height:${MARK.height}px;background:#d02020}
  #fine{position:fixed;left:${FINE.x}px;top:${FINE.y}px;width:${FINE.width}px;height:${FINE.height}px;
    background:repeating-linear-gradient(90deg,#000000 0 1px,#ffffff 1px 2px)}
</style></head><body><div id="doc"><div id="mark"></div></div><div id="fine"></div></body></html>`;

/** Mean difference between neighbouring columns in the fine patch: about 255 sharp, near 0 halved. */
function fineContrast(rgb: Uint8Array, width: number): number {
  let sum = 0;
  let count = 0;
  for (let y = FINE.y + 8; y < FINE.y + FINE.height - 8; y++) {
    for (let x = FINE.x + 8; x < FINE.x + FINE.width - 8; x++) {
      const i = (y * width + x) * 3;
      sum += Math.abs(rgb[i]! - rgb[i + 3]!);
      count++;
    }
  }
  return sum / count;
}

/** The page's canvas as RGB bytes (through a lossless PNG, so nothing is added by the transfer). */
async function canvasPixels(panel: Page): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const url = await panel.evaluate(() => (document.getElementById('remote-screen') as HTMLCanvasElement).toDataURL('image/png'));
  const png = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: new Uint8Array(data) };
}

/** What the page received on its relay socket: each binary message's envelope flags (byte 1, in clear even when sealed). */
class FrameFlagsSeen {
  readonly flags: number[] = [];
  private readonly waiters: { test: (flags: number) => boolean; resolve: () => void }[] = [];

  constructor(panel: Page) {
    panel.on('websocket', (socket: PageSocket) => {
      socket.on('framereceived', ({ payload }) => {
        if (typeof payload === 'string' || payload.length < 8 || payload[0] !== 0x01) return; // text, or not a FRAME
        const flags = payload[1]!;
        this.flags.push(flags);
        for (const waiter of [...this.waiters]) {
          if (!waiter.test(flags)) continue;
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
    });
  }

  /** Resolves at the next FRAME whose flags pass `test`. */
  next(test: (flags: number) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} in ${timeoutMs} ms (flags seen: ${this.flags.length})`)), timeoutMs);
      this.waiters.push({ test, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }
}

const scaled = (flags: number): boolean => (flags & FrameFlag.SCALED) !== 0;

describeWithDesktop('whole-screen motion: half resolution while it moves, the exact screen once it stops', () => {
  let desktop: Desktop;
  let relay: Relay;
  let agent: AgentProcess;
  let technicianBrowser: TestBrowser;
  let panel: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(PAGE, { width: WIDTH, height: HEIGHT });
    ({ relay } = desktop);
    agent = startAgentProcess(desktop.display, relay.wsUrl);
    technicianBrowser = await launchTestBrowser({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    panel = await technicianBrowser.newPage();
  }, 90_000);

  afterAll(async () => {
    await desktop?.window.page.evaluate(() => clearInterval((window as unknown as { scroller?: number }).scroller)).catch(() => undefined);
    await technicianBrowser?.close();
    await agent?.stop();
    await desktop?.close();
  });

  test('the page gets SCALED frames while the screen scrolls, and ends with the screen sharp and equal to the X screen', async () => {
    const seen = new FrameFlagsSeen(panel);
    const code = await agent.code;
    await openPanel(panel, relay.url);
    await submitCode(panel, `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`, 'Juan (CompuEasys)');
    await waitForState(panel, 'connected', 20_000);
    await untilCanvasShows(panel, MARK);
    const before = await canvasPixels(panel);
    expect(fineContrast(before.pixels, before.width)).toBeGreaterThan(150); // sharp before any motion

    // The customer scrolls: 6 px, 30 times a second, as the glass benchmark's scene does.
    await desktop.window.page.evaluate(() => {
      (window as unknown as { scroller?: number }).scroller = window.setInterval(() => window.scrollBy(0, 6), 33);
    });
    // Several halved updates (the motion is being sent at half resolution, not one stray
    // frame), and a scroll well past the marker block.
    for (let i = 0; i < 5; i++) await seen.next(scaled, `SCALED frame ${i + 1}`);
    await desktop.window.page.waitForFunction(`scrollY > ${SCROLLED_PAST}`, undefined, { timeout: 20_000 });

    // The customer stops. What comes after the last halved frame is the whole screen, sharp.
    await desktop.window.page.evaluate(() => clearInterval((window as unknown as { scroller?: number }).scroller));
    const stoppedAt = seen.flags.length;
    await seen.next((flags) => !scaled(flags) && (flags & FrameFlag.FULL) !== 0 && (flags & FrameFlag.LAST) !== 0,
      'sharp full frame after the motion');
    // Drawn: the fine patch is sharp on the canvas again.
    await panel.waitForFunction(([x, y, w, h]) => {
      const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(x!, y!, w!, h!).data;
      let sum = 0;
      for (let i = 0; i + 4 < d.length; i += 4) sum += Math.abs(d[i]! - d[i + 4]!);
      return sum / (d.length / 4) > 150;
    }, [FINE.x + 8, FINE.y + 8, FINE.width - 16, 1] as const, { timeout: 20_000 });

    const view = await canvasPixels(panel);
    const shot = await captureWithImport(desktop.display);
    expect([view.width, view.height]).toEqual([shot.width, shot.height]);
    // The same bounds as the other tests that compare the page's picture with the X screen
    // (JPEG at the agent's best quality is close, not bit for bit).
    const { mean, badShare } = compareRgb(view.pixels, shot.pixels);
    expect(mean).toBeLessThan(4);
    expect(badShare).toBeLessThan(0.01);
    expect(fineContrast(view.pixels, view.width)).toBeGreaterThan(150);
    // The document did scroll, and the page shows where it stopped: the marker block scrolled off the top.
    expect(await desktop.window.page.evaluate(() => window.scrollY)).toBeGreaterThan(SCROLLED_PAST);
    const markCentre = ((MARK.y + MARK.height / 2) * view.width + MARK.x + MARK.width / 2) * 3;
    const [red, green] = [view.pixels[markCentre]!, view.pixels[markCentre + 1]!];
    expect(Math.abs(red - green)).toBeLessThan(16); // the document's grey bands, not the red block
    // Nothing halved arrived after the sharp frame: the page keeps the sharp picture.
    const afterStop = seen.flags.slice(stoppedAt);
    const sharpAt = afterStop.findIndex((flags) => !scaled(flags) && (flags & FrameFlag.FULL) !== 0);
    expect(afterStop.slice(sharpAt).filter(scaled)).toEqual([]);
  }, 120_000);
});
