import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, connectPanelWithCode, pagePointOf } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import {
  customerDesktopPage, describeWithDesktop, startAgentProcess, startDesktop, untilCanvasShows,
  type AgentProcess, type Desktop, type DesktopBrowser,
} from '../support/desktop';

const WIDTH = 1280;
const HEIGHT = 720;
/** The X screen as two monitors side by side, the right one primary (set with xrandr --setmonitor). */
const LEFT = { x: 0, width: 640 };
const RIGHT = { x: 640, width: 640 };
/** On the left monitor. */
const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x2e, 0x8b, 0x57] as const };
/** The customer page's pad (#ffe4b5) starts at x 480; on the right monitor it fills its left part. */
const PAD_RGB = [0xff, 0xe4, 0xb5] as const;

const run = promisify(execFile);

/** The canvas's size and whether it shows `rgb` at (x, y) (JPEG tolerance). */
async function canvasShowsAt(panel: Page, x: number, y: number, rgb: readonly number[], size: { width: number; height: number }): Promise<void> {
  await panel.waitForFunction(([px, py, r, g, b, w, h]) => {
    const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
    if (canvas.width !== w || canvas.height !== h) return false;
    const d = canvas.getContext('2d')!.getImageData(px!, py!, 1, 1).data;
    return Math.abs(d[0]! - r!) < 12 && Math.abs(d[1]! - g!) < 12 && Math.abs(d[2]! - b!) < 12;
  }, [x, y, ...rgb, size.width, size.height], { timeout: 20_000 });
}

/**
 * Issue 13 (4): a customer with two monitors. The X screen is split into two RandR
 * monitors with `xrandr --setmonitor` (Xvfb has one output); the real agent lists them, the
 * real page offers them, and a click on the second monitor lands on its pixel of the
 * customer's screen.
 */
describeWithDesktop('several monitors: the agent lists them, the page picks one, input lands on it', () => {
  let desktop: Desktop;
  let customer: DesktopBrowser;
  let relay: Relay;
  let agent: AgentProcess;
  let technicianBrowser: TestBrowser;
  let panel: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: WIDTH, height: HEIGHT });
    ({ window: customer, relay } = desktop);
    const env = desktop.display.env();
    // The output goes with the left monitor; the right one is primary (its name starts with `*`).
    await run('xrandr', ['--setmonitor', 'LEFT', `${LEFT.width}/169x${HEIGHT}/190+${LEFT.x}+0`, 'screen'], { env });
    await run('xrandr', ['--setmonitor', '*RIGHT', `${RIGHT.width}/169x${HEIGHT}/190+${RIGHT.x}+0`, 'none'], { env });
    const { stdout } = await run('xrandr', ['--listmonitors'], { env });
    expect(stdout).toMatch(/Monitors: 2/);
    agent = startAgentProcess(desktop.display, relay.wsUrl);
    technicianBrowser = await launchTestBrowser({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    panel = await technicianBrowser.newPage();
  }, 90_000);

  afterAll(async () => {
    await technicianBrowser?.close();
    await agent?.stop();
    await desktop?.close();
  });

  test('the page lists all screens and both monitors, streams the primary one, and a click on it lands on the right pixel', async () => {
    const code = await agent.code;
    await connectPanelWithCode(panel, relay.url, code);
    await panel.waitForSelector('#display-field:not([hidden])', { timeout: 20_000 });
    const options = await panel.$$eval('#display-select option', (list) => list.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent })));
    expect(options).toEqual([
      { value: '0', text: `All screens (${WIDTH}×${HEIGHT})` },
      { value: '1', text: `Screen 1 (${LEFT.width}×${HEIGHT})` },
      { value: '2', text: `Screen 2, main (${RIGHT.width}×${HEIGHT})` },
    ]);
    expect(await panel.inputValue('#display-select')).toBe('2');
    // The right monitor alone: the pad fills its left part.
    await canvasShowsAt(panel, 100, 100, PAD_RGB, { width: RIGHT.width, height: HEIGHT });

    const target = { x: 300, y: 200 }; // on the pad, in the right monitor's pixels
    const point = await pagePointOf(panel, target.x, target.y);
    await panel.mouse.click(point.x, point.y, { button: 'right' });
    await customer.page.waitForFunction('window.clicks.length > 0', undefined, { timeout: 10_000 });
    const [click] = await customer.page.evaluate(() => (window as unknown as { clicks: { button: number; x: number; y: number }[] }).clicks);
    expect(click!.button).toBe(2);
    expect(Math.abs(click!.x - (RIGHT.x + target.x))).toBeLessThanOrEqual(1);
    expect(Math.abs(click!.y - target.y)).toBeLessThanOrEqual(1);
  }, 120_000);

  test('picking the other monitor, then all screens, shows each at its own size', async () => {
    await panel.selectOption('#display-select', '1');
    await canvasShowsAt(panel, BLOCK.x + 10, BLOCK.y + 10, BLOCK.rgb, { width: LEFT.width, height: HEIGHT });
    expect(await panel.inputValue('#display-select')).toBe('1');
    await panel.selectOption('#display-select', '0');
    await canvasShowsAt(panel, RIGHT.x + 100, 100, PAD_RGB, { width: WIDTH, height: HEIGHT });
    await untilCanvasShows(panel, BLOCK);
  }, 60_000);
});
