import { WebSocketServer } from 'ws';
import type { Relay } from '../../relay/server';
import { browserForBlock, describeWithChromium, waitForBodyState } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';

/**
 * Finding 9: the genuine technician page, served by the relay, honoured any `?relay=` and
 * came without a Content-Security-Policy, so a link to the real page sent the code a
 * customer read out to the attacker's relay.
 */
describeWithChromium('attack: a link that points the genuine technician page at another relay', () => {
  const browser = browserForBlock({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  let relay: Relay;
  let evil: WebSocketServer;
  let evilUrl: string;
  const heardByEvil: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
    evil = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((done) => evil.once('listening', () => done()));
    const address = evil.address() as { port: number };
    evilUrl = `ws://127.0.0.1:${address.port}`;
    evil.on('connection', (ws) => {
      heardByEvil.push('connection');
      ws.on('message', (data: Buffer) => heardByEvil.push(data.toString('utf8')));
    });
  });
  afterAll(async () => {
    await new Promise<void>((done) => evil.close(() => done()));
    await relay.close();
  });

  test('the page connects to the relay that served it; the other relay hears nothing, not even a connection', async () => {
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC-VICTIMA' });
    const { code } = await client.next('code');

    const page = await browser().newPage();
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    const response = await page.goto(`${relay.url}/?relay=${encodeURIComponent(evilUrl)}`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("connect-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-content-type-options']).toBe('nosniff');

    await page.fill('#tech-name', 'Ana (CompuEasys)');
    await page.fill('#access-code', code);
    await page.click('#connect-button');
    expect((await client.next('consent-request')).technicianName).toBe('Ana (CompuEasys)');
    await waitForBodyState(page, 'waiting-consent');
    expect(heardByEvil).toEqual([]);
    // Even the page's own script, if it were fooled, could not open a socket there.
    const blocked = await page.evaluate(async (url) => new Promise<string>((done) => {
      try {
        const ws = new WebSocket(url);
        ws.onopen = () => done('open');
        ws.onerror = () => done('error');
      } catch (e) {
        done(`thrown: ${(e as Error).name}`);
      }
    }), evilUrl);
    expect(blocked).not.toBe('open');
    expect(violations.length).toBeGreaterThan(0);
    expect(heardByEvil).toEqual([]);
    await page.close();
  });

  test('every answer of the relay carries the headers, not only the page', async () => {
    for (const path of ['/', '/index.js', '/no-such-file', '/healthz', '/api/relay/list_sessions/']) {
      const res = await fetch(`${relay.url}${path}`);
      expect([path, res.headers.get('content-security-policy')]).toEqual([path, expect.stringContaining("frame-ancestors 'none'")]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  test('a relay the operator lists is followed, and only that one', async () => {
    const other = await startTestRelay({ pageRelayOrigins: [evilUrl] });
    try {
      const page = await browser().newPage();
      const response = await page.goto(`${other.url}/?relay=${encodeURIComponent(evilUrl)}`);
      expect(response!.headers()['content-security-policy']).toContain(`connect-src 'self' ${evilUrl}`);
      await page.fill('#tech-name', 'Ana');
      await page.fill('#access-code', '123456');
      const connected = new Promise<void>((done) => evil.once('connection', () => done()));
      await page.click('#connect-button');
      await connected; // the test's own deadline fails it if the page never comes
      await page.close();
    } finally {
      await other.close();
    }
  });
});
