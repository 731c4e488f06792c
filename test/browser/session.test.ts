import { describeWithChromium } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import {
  BACKGROUND, BLOCK, canvasPixel, jpegWithBlock, openPanel, panelSuite, SCREEN, submitCode, TECH_NAME, waitForState,
} from './panel-driver';

/** JPEG is lossy: a solid block comes back within a few levels of its colour. */
function expectColour(actual: number[], rgb: readonly number[], tolerance = 12): void {
  const [r, g, b] = actual;
  expect([Math.abs(r! - rgb[0]!) <= tolerance, Math.abs(g! - rgb[1]!) <= tolerance, Math.abs(b! - rgb[2]!) <= tolerance, actual[3]])
    .toEqual([true, true, true, 255]);
}

/**
 * The page's session flow in Chromium against a real relay and a stand-in customer's app
 * of version 2 (test/support/sealed-client.ts): every session here is sealed end to end,
 * so each test also shows the flow works through the record layer. The flow with an older,
 * unsealed app is in sealed.test.ts.
 */
describeWithChromium('technician session in Chromium with a stand-in client', () => {
  const t = panelSuite({ locale: 'en-US', viewport: { width: 1000, height: 700 } });

  it('waits for the customer\'s approval, then shows that they declined', async () => {
    const client = await t.register();
    await openPanel(t.page, t.relay.url);
    await submitCode(t.page, client.spokenCode);
    expect(await client.agree()).toBe('verified');
    // The customer is asked about the name the technician introduced sealed; the relay had none.
    expect(await client.question()).toEqual({ relayName: '', introducedName: TECH_NAME });
    await waitForState(t.page, 'waiting-consent');
    expect(await t.page.textContent('#state-title')).toBe("Waiting for the customer's approval…");
    expect(await t.page.textContent('#state-e2e')).toBe('🔒 End-to-end encrypted');
    expect(await t.page.isVisible('#cancel-button')).toBe(true);
    expect(await t.page.isDisabled('#access-code')).toBe(true);

    await client.answer(false);
    await waitForState(t.page, 'declined');
    expect(await t.page.textContent('#state-title')).toBe('The customer declined the connection.');
    expect(await t.page.isEnabled('#access-code')).toBe(true);
  });

  it('cancelling while waiting tells the relay and returns to the form', async () => {
    const client = await t.register();
    await openPanel(t.page, t.relay.url);
    await submitCode(t.page, client.spokenCode);
    expect(await client.agree()).toBe('verified');
    await waitForState(t.page, 'waiting-consent');
    await t.page.click('#cancel-button');
    await waitForState(t.page, 'idle');
    // The cancel said bye: the customer's question is withdrawn at once (peer-left), not
    // left open until the consent timeout.
    expect(await client.peer.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
  });

  it('shows the client\'s frame on the canvas and acknowledges it with its capture time', async () => {
    const { client } = await t.connect();
    expect(await t.page.isVisible('#session-view')).toBe(true);
    expect(await t.page.isVisible('#connect-view')).toBe(false);
    expect(await t.page.textContent('#peer-name')).toBe('PC-RECEPCION');
    expect(await t.page.textContent('#control-badge')).toBe('Full control');
    expect(await t.page.textContent('#e2e-badge')).toBe('🔒 End-to-end encrypted');
    expect(await t.page.evaluate(() => {
      const c = document.getElementById('remote-screen') as HTMLCanvasElement;
      return [c.width, c.height];
    })).toEqual([SCREEN.width, SCREEN.height]);
    expectColour(await canvasPixel(t.page, BLOCK.x + BLOCK.width / 2, BLOCK.y + BLOCK.height / 2), BLOCK.rgb);
    expectColour(await canvasPixel(t.page, BLOCK.x + 4, BLOCK.y + 4), BLOCK.rgb);
    expectColour(await canvasPixel(t.page, 1000, 600), BACKGROUND);
    expectColour(await canvasPixel(t.page, 20, 20), BACKGROUND);
    expect(await t.page.isVisible('#screen-placeholder')).toBe(false);

    // A second update with the block elsewhere: drawn, and acknowledged with its own seq and time.
    const moved = { ...BLOCK, x: 900, y: 500, rgb: [20, 200, 60] as const };
    await client.sendFullFrame(2, SCREEN.width, SCREEN.height, await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, moved), 1_700_000_000_500.25);
    expect(await client.nextAck()).toEqual({ kind: 'frame-ack', seq: 2, captureTimeMs: 1_700_000_000_500.25 });
    expectColour(await canvasPixel(t.page, 1000, 580), moved.rgb);
    expectColour(await canvasPixel(t.page, BLOCK.x + 10, BLOCK.y + 10), BACKGROUND);
  });

  it('fills the status bar and sends the quality setting', async () => {
    const { client } = await t.connect();
    await t.page.waitForFunction(() => document.getElementById('stat-screen')?.textContent === '1280 × 720');
    expect(await t.page.textContent('#stat-quality')).toBe('Automatic');
    expect(await t.page.textContent('#stat-bandwidth')).toMatch(/B\/s$/);
    await t.page.selectOption('#quality-select', '50');
    expect(await client.untilSealed('quality')).toEqual({ type: 'quality', mode: 'fixed', value: 50 });
    await t.page.waitForFunction(() => document.getElementById('stat-quality')?.textContent === '50');
    await t.page.selectOption('#quality-select', 'auto');
    expect(await client.untilSealed('quality')).toEqual({ type: 'quality', mode: 'auto' });

    // Frames stamped with this machine's clock give a real capture-to-draw figure.
    const jpeg = await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, BLOCK);
    for (let seq = 2; seq < 12; seq++) {
      await client.sendFullFrame(seq, SCREEN.width, SCREEN.height, jpeg, Date.now());
      await client.nextAck();
    }
    await t.page.waitForFunction(() => /^\d+ ms$/.test(document.getElementById('stat-latency')?.textContent ?? ''));
    const latency = Number((await t.page.textContent('#stat-latency'))!.replace(' ms', ''));
    expect(latency).toBeLessThan(1000);
    expect(Number(await t.page.textContent('#stat-fps'))).toBeGreaterThan(0);
  });

  it('goes full screen and back', async () => {
    await t.connect();
    // The label follows the `fullscreenchange` event, which comes after fullscreenElement changed.
    await t.page.click('#fullscreen-button');
    await t.page.waitForSelector('#fullscreen-button[aria-label="Exit full screen"]');
    expect(await t.page.evaluate(() => document.fullscreenElement?.id)).toBe('session-view');
    await t.page.click('#fullscreen-button');
    await t.page.waitForSelector('#fullscreen-button[aria-label="Full screen"]');
    expect(await t.page.evaluate(() => document.fullscreenElement)).toBeNull();
  });

  it('retries a dropped connection while joining, with back-off, until the relay answers', async () => {
    const port = t.relay.port;
    await openPanel(t.page, t.relay.url);
    await t.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(document.body.dataset.state ?? '')).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    });
    await t.relay.close(); // the relay goes away after serving the page
    await submitCode(t.page, '123 456 789');
    await waitForState(t.page, 'connection-lost');
    expect(await t.page.textContent('#state-title')).toMatch(/^Connection lost\. Retrying in \d+ s…$/);
    expect(await t.page.isVisible('#cancel-button')).toBe(true);
    t.relay = await startTestRelay({ port }); // back on the same address
    await waitForState(t.page, 'invalid-code', 20_000); // it joined again: the relay answered
    const seen = await t.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toBe('connecting');
    expect(seen).toContain('connection-lost');
    expect(seen.at(-1)).toBe('invalid-code');
  });

  it('draws a larger screen after a resize', async () => {
    const { client } = await t.connect();
    const big = { x: 1500, y: 900, width: 100, height: 100, rgb: [250, 200, 0] as const };
    await client.sendFullFrame(2, 1920, 1080, await jpegWithBlock(1920, 1080, BACKGROUND, big));
    await client.nextAck();
    expect(await t.page.evaluate(() => (document.getElementById('remote-screen') as HTMLCanvasElement).width)).toBe(1920);
    expectColour(await canvasPixel(t.page, 1550, 950), big.rgb);
    await t.page.waitForFunction(() => document.getElementById('stat-screen')?.textContent === '1920 × 1080');
  });

  it('shows that the customer ended the session when the client says bye', async () => {
    const { client } = await t.connect();
    client.peer.sendJson({ type: 'bye' });
    await waitForState(t.page, 'ended');
    expect(await t.page.textContent('#state-title')).toBe('The customer ended the session.');
    expect(await t.page.isVisible('#connect-view')).toBe(true);
    expect(await t.page.isVisible('#session-view')).toBe(false);
    expect(await t.page.inputValue('#access-code')).toBe('');
  });

  it('Disconnect says bye: the client is told peer-left at once', async () => {
    const { client } = await t.connect();
    await t.page.click('#disconnect-button');
    expect(await client.peer.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    await waitForState(t.page, 'ended');
    expect(await t.page.textContent('#state-title')).toBe('You ended the session.');
  });

  it('shows the connection as lost when its socket to the relay is cut mid-session', async () => {
    const { client } = await t.connect();
    // Cut from the relay's side without a closing handshake, as a network drop would.
    [...t.relay.connections].find((conn) => conn.role === 'technician')!.terminate();
    expect(await client.peer.until('peer-left')).toEqual({ type: 'peer-left', reason: 'closed' });
    await waitForState(t.page, 'connection-lost');
    expect(await t.page.textContent('#state-title')).toBe('The connection to the server was lost.');
  });
});
