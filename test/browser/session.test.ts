import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { hasChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import type { WsTestPeer } from '../support/ws-peer';
import {
  assertTechnicianBuilt, BACKGROUND, BLOCK, canvasPixel, connectedPage, jpegWithBlock, openPanel, registeredClient,
  SCREEN, sendFullFrame, submitCode, TECH_NAME, waitForState,
} from './panel-driver';

const maybe = hasChromium() ? describe : describe.skip;

/** JPEG is lossy: a solid block comes back within a few levels of its colour. */
function expectColour(actual: number[], rgb: readonly number[], tolerance = 12): void {
  const [r, g, b] = actual;
  expect([Math.abs(r! - rgb[0]!) <= tolerance, Math.abs(g! - rgb[1]!) <= tolerance, Math.abs(b! - rgb[2]!) <= tolerance, actual[3]])
    .toEqual([true, true, true, 255]);
}

maybe('technician session in Chromium with a stand-in client', () => {
  let browser: TestBrowser;
  let relay: Relay;
  let page: Page;
  let client: WsTestPeer | undefined;
  beforeAll(async () => {
    assertTechnicianBuilt();
    browser = await launchTestBrowser({ locale: 'en-US', viewport: { width: 1000, height: 700 } });
  });
  afterAll(async () => { await browser?.close(); });
  beforeEach(async () => {
    relay = await startTestRelay();
    page = await browser.newPage();
    client = undefined;
  });
  afterEach(async () => {
    client?.close();
    await page.close();
    await relay.close();
  });

  it('waits for the customer\'s approval, then shows that they declined', async () => {
    const registered = await registeredClient(relay.wsUrl);
    client = registered.client;
    await openPanel(page, relay.url);
    await submitCode(page, registered.code);
    const request = await client.next('consent-request');
    expect(request.technicianName).toBe(TECH_NAME);
    await waitForState(page, 'waiting-consent');
    expect(await page.textContent('#state-title')).toBe("Waiting for the customer's approval…");
    expect(await page.isVisible('#cancel-button')).toBe(true);
    expect(await page.isDisabled('#access-code')).toBe(true);

    client.sendJson({ type: 'consent', granted: false, viewOnly: false });
    await waitForState(page, 'declined');
    expect(await page.textContent('#state-title')).toBe('The customer declined the connection.');
    expect(await page.isEnabled('#access-code')).toBe(true);
  });

  it('cancelling while waiting tells the relay and returns to the form', async () => {
    const registered = await registeredClient(relay.wsUrl);
    client = registered.client;
    await openPanel(page, relay.url);
    await submitCode(page, registered.code);
    await waitForState(page, 'waiting-consent');
    await page.click('#cancel-button');
    await waitForState(page, 'idle');
    // The cancel said bye: the customer's question is withdrawn at once (peer-left), not
    // left open until the consent timeout.
    expect(await client.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
  });

  it('shows the client\'s frame on the canvas and acknowledges it with its capture time', async () => {
    ({ client } = await connectedPage(page, relay));
    expect(await page.isVisible('#session-view')).toBe(true);
    expect(await page.isVisible('#connect-view')).toBe(false);
    expect(await page.textContent('#peer-name')).toBe('PC-RECEPCION');
    expect(await page.textContent('#control-badge')).toBe('Full control');
    expect(await page.evaluate(() => {
      const c = document.getElementById('remote-screen') as HTMLCanvasElement;
      return [c.width, c.height];
    })).toEqual([SCREEN.width, SCREEN.height]);
    expectColour(await canvasPixel(page, BLOCK.x + BLOCK.width / 2, BLOCK.y + BLOCK.height / 2), BLOCK.rgb);
    expectColour(await canvasPixel(page, BLOCK.x + 4, BLOCK.y + 4), BLOCK.rgb);
    expectColour(await canvasPixel(page, 1000, 600), BACKGROUND);
    expectColour(await canvasPixel(page, 20, 20), BACKGROUND);
    expect(await page.isVisible('#screen-placeholder')).toBe(false);

    // A second update with the block elsewhere: drawn, and acknowledged with its own seq and time.
    const moved = { ...BLOCK, x: 900, y: 500, rgb: [20, 200, 60] as const };
    sendFullFrame(client, 2, SCREEN.width, SCREEN.height, await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, moved), 1_700_000_000_500.25);
    const ack = await client.nextBinary();
    expect(ack.message).toEqual({ kind: 'frame-ack', seq: 2, captureTimeMs: 1_700_000_000_500.25 });
    expectColour(await canvasPixel(page, 1000, 580), moved.rgb);
    expectColour(await canvasPixel(page, BLOCK.x + 10, BLOCK.y + 10), BACKGROUND);
  });

  it('fills the status bar and sends the quality setting', async () => {
    ({ client } = await connectedPage(page, relay));
    await page.waitForFunction(() => document.getElementById('stat-screen')?.textContent === '1280 × 720');
    expect(await page.textContent('#stat-quality')).toBe('Automatic');
    expect(await page.textContent('#stat-bandwidth')).toMatch(/B\/s$/);
    await page.selectOption('#quality-select', '50');
    expect(await client.until('quality')).toEqual({ type: 'quality', mode: 'fixed', value: 50 });
    await page.waitForFunction(() => document.getElementById('stat-quality')?.textContent === '50');
    await page.selectOption('#quality-select', 'auto');
    expect(await client.until('quality')).toEqual({ type: 'quality', mode: 'auto' });

    // Frames stamped with this machine's clock give a real capture-to-draw figure.
    const jpeg = await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, BLOCK);
    for (let seq = 2; seq < 12; seq++) {
      sendFullFrame(client, seq, SCREEN.width, SCREEN.height, jpeg, Date.now());
      await client.nextBinary();
    }
    await page.waitForFunction(() => /^\d+ ms$/.test(document.getElementById('stat-latency')?.textContent ?? ''));
    const latency = Number((await page.textContent('#stat-latency'))!.replace(' ms', ''));
    expect(latency).toBeLessThan(1000);
    expect(Number(await page.textContent('#stat-fps'))).toBeGreaterThan(0);
  });

  it('goes full screen and back', async () => {
    ({ client } = await connectedPage(page, relay));
    // The label follows the `fullscreenchange` event, which comes after fullscreenElement changed.
    await page.click('#fullscreen-button');
    await page.waitForSelector('#fullscreen-button[aria-label="Exit full screen"]');
    expect(await page.evaluate(() => document.fullscreenElement?.id)).toBe('session-view');
    await page.click('#fullscreen-button');
    await page.waitForSelector('#fullscreen-button[aria-label="Full screen"]');
    expect(await page.evaluate(() => document.fullscreenElement)).toBeNull();
  });

  it('retries a dropped connection while joining, with back-off, until the relay answers', async () => {
    const port = relay.port;
    await openPanel(page, relay.url);
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(document.body.dataset.state ?? '')).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    });
    await relay.close(); // the relay goes away after serving the page
    await submitCode(page, '123456');
    await waitForState(page, 'connection-lost');
    expect(await page.textContent('#state-title')).toMatch(/^Connection lost\. Retrying in \d+ s…$/);
    expect(await page.isVisible('#cancel-button')).toBe(true);
    relay = await startTestRelay({ port }); // back on the same address
    await waitForState(page, 'invalid-code', 20_000); // it joined again: the relay answered
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toBe('connecting');
    expect(seen).toContain('connection-lost');
    expect(seen.at(-1)).toBe('invalid-code');
  });

  it('draws a larger screen after a resize', async () => {
    ({ client } = await connectedPage(page, relay));
    const big = { x: 1500, y: 900, width: 100, height: 100, rgb: [250, 200, 0] as const };
    sendFullFrame(client, 2, 1920, 1080, await jpegWithBlock(1920, 1080, BACKGROUND, big));
    await client.nextBinary();
    expect(await page.evaluate(() => (document.getElementById('remote-screen') as HTMLCanvasElement).width)).toBe(1920);
    expectColour(await canvasPixel(page, 1550, 950), big.rgb);
    await page.waitForFunction(() => document.getElementById('stat-screen')?.textContent === '1920 × 1080');
  });

  it('shows that the customer ended the session when the client says bye', async () => {
    ({ client } = await connectedPage(page, relay));
    client.sendJson({ type: 'bye' });
    await waitForState(page, 'ended');
    expect(await page.textContent('#state-title')).toBe('The customer ended the session.');
    expect(await page.isVisible('#connect-view')).toBe(true);
    expect(await page.isVisible('#session-view')).toBe(false);
    expect(await page.inputValue('#access-code')).toBe('');
  });

  it('Disconnect says bye: the client is told peer-left at once', async () => {
    ({ client } = await connectedPage(page, relay));
    await page.click('#disconnect-button');
    expect(await client.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    await waitForState(page, 'ended');
    expect(await page.textContent('#state-title')).toBe('You ended the session.');
  });

  it('shows the connection as lost when its socket to the relay is cut mid-session', async () => {
    ({ client } = await connectedPage(page, relay));
    // Cut from the relay's side without a closing handshake, as a network drop would.
    [...relay.connections].find((conn) => conn.role === 'technician')!.terminate();
    expect(await client.until('peer-left')).toEqual({ type: 'peer-left', reason: 'closed' });
    await waitForState(page, 'connection-lost');
    expect(await page.textContent('#state-title')).toBe('The connection to the server was lost.');
  });
});
