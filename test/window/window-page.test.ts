import { request } from 'node:http';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { Errors } from '../../protocol';
import type { RelayOptions } from '../../relay/options';
import type { Relay } from '../../relay/server';
import { untilAgentHasRead } from '../support/agent-barrier';
import { browserForBlock, describeWithChromium, launchTestBrowser, waitForBodyState } from '../support/browser';
import { shownCode, untilCodeChanges } from '../support/customer-window';
import { joinSealed, TechnicianNotVerified } from '../support/sealed-peers';
import { routingPart } from '../../common/access-code';
import { eventually, legacyCall, legacyRefusal, startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';
import { startWindow, type WindowUnderTest } from './window-harness';

const TECHNICIAN = 'Juan (CompuEasys)';
const WINDOW_SIZE = { width: 420, height: 560 };

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** A technician as the page is: the whole code, keys agreed, its name and everything after sealed. */
async function joinAsTechnician(relay: Relay, code: string): Promise<WsTestPeer> {
  return (await joinSealed(relay.wsUrl, code, TECHNICIAN)).tech;
}

/** An older technician app (protocol 1): the six routing digits, in clear. */
async function joinUnsealed(relay: Relay, code: string): Promise<WsTestPeer> {
  const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
  tech.sendJson({ type: 'join', code: routingPart(code), name: TECHNICIAN });
  await tech.next('waiting-consent');
  return tech;
}

/** The window shows a code and a technician is waiting for the customer's answer. */
async function upToConsent(page: Page, relay: Relay, join = joinAsTechnician): Promise<WsTestPeer> {
  await page.click('#connect-button');
  await waitForBodyState(page, 'code');
  const tech = await join(relay, await shownCode(page));
  await waitForBodyState(page, 'consent');
  return tech;
}

describeWithChromium('the customer window (headless Chromium, served by the agent, real relay, technician socket)', () => {
  const browser = browserForBlock({ locale: 'es-ES', viewport: WINDOW_SIZE });
  let relay: Relay;
  let win: WindowUnderTest;
  let page: Page;
  const techs: WsTestPeer[] = [];

  async function open(relayOptions: Partial<RelayOptions> = {}): Promise<void> {
    relay = await startTestRelay(relayOptions);
    win = await startWindow(relay.wsUrl);
    page = await browser().newPage();
    // Counts the notes the page starts playing (headless Chromium has no sound card to listen to).
    await page.addInitScript(() => {
      const w = window as unknown as { notesPlayed: number };
      w.notesPlayed = 0;
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<OscillatorNode['start']>) {
        w.notesPlayed++;
        return start.apply(this, args);
      };
    });
    await page.goto(win.server.launchUrl!);
    await waitForBodyState(page, 'idle');
  }

  afterEach(async () => {
    for (const t of techs.splice(0)) t.close();
    await page?.close().catch(() => undefined);
    await win?.close();
    await relay?.close();
  });

  test('not connected → connect → code with a countdown → the technician asks → allow control → connected → stop sharing ends it for both', async () => {
    await open();
    expect(await text(page, '#connect-button')).toBe('Conectar con Soporte');
    expect(await page.isVisible('#view-code')).toBe(false);

    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const code = await shownCode(page);
    expect(code).toMatch(/^[0-9]{9}$/);
    expect(await text(page, '#code-value')).toBe(`${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`);
    expect(await text(page, '#code-countdown')).toMatch(/^Vence en (10:00|9:5\d)$/);
    const before = await text(page, '#code-countdown');
    await page.waitForFunction((b) => document.getElementById('code-countdown')?.textContent !== b, before, { timeout: 3000 });
    expect(await text(page, '#code-countdown')).toMatch(/^Vence en 9:5\d$/);

    // Silent until someone asks.
    expect(await page.evaluate(() => (window as unknown as { notesPlayed: number }).notesPlayed)).toBe(0);
    const tech = await joinAsTechnician(relay, code);
    techs.push(tech);
    await waitForBodyState(page, 'consent');
    expect(await text(page, '#consent-question')).toBe('Juan (CompuEasys) quiere ver y controlar su pantalla');
    expect([await text(page, '#allow-control'), await text(page, '#allow-view'), await text(page, '#deny')])
      .toEqual(['Permitir control', 'Solo ver', 'Denegar']);
    // The question chimes, once (two notes), so a customer looking elsewhere notices it.
    expect(await page.evaluate(() => (window as unknown as { notesPlayed: number }).notesPlayed)).toBe(2);
    expect(await text(page, '#consent-countdown')).toMatch(/^Si no responde, se denegará en (60|59|58) s$/);
    // The name came sealed, after the keys verified: the lock says so, and no warning shows.
    expect(await page.isVisible('#consent-encrypted')).toBe(true);
    expect(await text(page, '#consent-encrypted')).toBe('🔒 Cifrado de extremo a extremo');
    expect(await page.isVisible('#consent-not-encrypted')).toBe(false);

    await page.click('#allow-control');
    expect((await tech.next('paired')).viewOnly).toBe(false);
    await waitForBodyState(page, 'sharing');
    expect(await text(page, '#sharing-mode')).toBe('Control permitido');
    expect(await text(page, '#sharing-text')).toBe('Juan (CompuEasys) está viendo y controlando su pantalla');
    expect(await text(page, '#sharing-elapsed')).toMatch(/^Conectado desde hace 0:0\d$/);
    expect(await page.isVisible('#sharing-encrypted')).toBe(true);
    expect(await page.isVisible('#sharing-not-encrypted')).toBe(false);
    // A browser tab has no tray icon: the window says how to stop.
    expect(await text(page, '#sharing-no-tray')).toBe('No hay icono junto al reloj: para dejar de compartir, vuelva a esta ventana y pulse «Dejar de compartir», o ciérrela.');
    expect(await page.isVisible('#sharing-no-tray')).toBe(true);
    expect(await text(page, '#stop-button')).toBe('Dejar de compartir');

    // Control means control: a click reaches the (stand-in) mouse.
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 10, y: 20 } });
    await eventually(() => win.sink.log.includes('left up'), 5000, 'the click to be injected');

    await page.click('#stop-button');
    expect(await tech.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    expect((await tech.closed).code).toBe(4008);
    await waitForBodyState(page, 'ended');
    expect(await text(page, '#ended-text')).toBe('Usted dejó de compartir su pantalla.');
    expect(win.bridge.session?.current.kind).toBe('ended');
  });

  test('an older technician app (in clear): the question warns that it is not end-to-end encrypted; view only: input is refused by the relay and never injected', async () => {
    await open();
    const tech = await upToConsent(page, relay, joinUnsealed);
    techs.push(tech);
    expect(await page.isVisible('#consent-encrypted')).toBe(false);
    expect(await page.isVisible('#consent-not-encrypted')).toBe(true);
    expect(await text(page, '#consent-not-encrypted')).toMatch(/^Atención: esta conexión no está cifrada de extremo a extremo\./);
    await page.click('#allow-view');
    expect((await tech.next('paired')).viewOnly).toBe(true);
    await waitForBodyState(page, 'sharing');
    expect(await text(page, '#sharing-mode')).toBe('Solo ver');
    expect(await text(page, '#sharing-text')).toBe('Juan (CompuEasys) está viendo su pantalla (no puede controlarla)');
    expect(await page.isVisible('#sharing-encrypted')).toBe(false);
    expect(await text(page, '#sharing-not-encrypted')).toBe('⚠ No cifrado de extremo a extremo');
    await tech.until('screen-info');

    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 10, y: 20 } });
    tech.sendJson({ type: 'input', seq: 1, event: { kind: 'text', text: 'rm -rf' } });
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    expect((await tech.until('error')).code).toBe(Errors.SESSION_VIEW_ONLY.code);
    await untilAgentHasRead(tech);
    await win.agent()!.injector.idle();
    expect(win.sink.log).toEqual([]);
    expect(win.bridge.session?.current).toMatchObject({ kind: 'sharing', viewOnly: true });
  });

  test('deny: the technician is turned away and the window shows a new code, saying why', async () => {
    await open();
    const first = await (async () => {
      await page.click('#connect-button');
      await waitForBodyState(page, 'code');
      return shownCode(page);
    })();
    const tech = await joinAsTechnician(relay, first);
    techs.push(tech);
    await waitForBodyState(page, 'consent');
    await page.click('#deny');
    expect((await tech.until('error')).code).toBe(Errors.CONSENT_DENIED.code);
    expect((await tech.closed).code).toBe(4007);
    await waitForBodyState(page, 'code');
    await untilCodeChanges(page, first);
    expect(await page.isVisible('#code-notice')).toBe(true);
    expect(await text(page, '#code-notice')).toBe('Usted rechazó la conexión. Este es un código nuevo.');
  });

  test('a mistyped code: the connection cannot be verified, the customer is never asked, and the window shows a new code saying why', async () => {
    await open();
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const first = await shownCode(page);
    // One secret digit off: the relay's six are right, so only the key agreement can tell.
    const mistyped = first.slice(0, 8) + String((Number(first[8]) + 1) % 10);
    const refused = await joinSealed(relay.wsUrl, mistyped, TECHNICIAN).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TechnicianNotVerified);
    techs.push((refused as TechnicianNotVerified).tech);
    await untilCodeChanges(page, first);
    expect(await text(page, '#code-notice')).toBe('No se pudo verificar la conexión: el código no coincidía o alguien estaba interfiriendo. El código anterior ya no sirve; este es uno nuevo.');
    expect(await page.getAttribute('#code-notice', 'class')).toContain('notice-danger');
    expect(win.bridge.session?.current.kind).toBe('code');
  });

  test('a legacy technician program (the old HTTP API) cannot seal: the question says so plainly; with --require-e2e the relay refuses it and the customer is never asked', async () => {
    await open();
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const code = await shownCode(page);
    const joined = await legacyCall(relay.url, 'connect_technician/', { access_code: routingPart(code), technician_name: 'Pedro (programa antiguo)' });
    expect(joined.status).toBe(200);
    await waitForBodyState(page, 'consent');
    expect(await text(page, '#consent-question')).toBe('Pedro (programa antiguo) quiere ver y controlar su pantalla');
    expect(await page.isVisible('#consent-not-encrypted')).toBe(true);
    expect(await page.isVisible('#consent-encrypted')).toBe(false);
    await page.click('#deny');
    await waitForBodyState(page, 'code');

    await page.close();
    await win.close();
    await relay.close();
    await open({ requireE2e: true });
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const refused = await legacyCall(relay.url, 'connect_technician/', { access_code: routingPart(await shownCode(page)), technician_name: 'Pedro' });
    expect(refused).toEqual(legacyRefusal(403, Errors.E2E_REQUIRED.code));
    expect(win.bridge.session?.current.kind).toBe('code');
  });

  test('the technician leaving shows "ended by the technician", and the customer can connect again', async () => {
    await open();
    const tech = await upToConsent(page, relay);
    techs.push(tech);
    await page.click('#allow-control');
    await tech.next('paired');
    await waitForBodyState(page, 'sharing');
    tech.sendJson({ type: 'bye' });
    await waitForBodyState(page, 'ended');
    expect(await text(page, '#ended-text')).toBe('El técnico terminó la sesión.');
    expect(await text(page, '#connect-again-button')).toBe('Conectar de nuevo');
    await page.click('#connect-again-button');
    await waitForBodyState(page, 'code');
    expect(await shownCode(page)).toMatch(/^[0-9]{9}$/);
  });

  test('"new code" replaces the code; cancelling while a code shows ends it at once (the old code no longer works) and says nothing was shared', async () => {
    await open();
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const first = await shownCode(page);
    await page.click('#new-code-button');
    const second = await untilCodeChanges(page, first);
    expect(second).not.toBe(first);
    expect(await page.isVisible('#code-notice')).toBe(false);

    await page.click('#code-stop');
    await waitForBodyState(page, 'ended');
    // Nothing was shared: the window does not say it was.
    expect(await text(page, '#ended-text')).toBe('Conexión cancelada. No se compartió nada.');
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    techs.push(tech);
    tech.sendJson({ type: 'join', code: routingPart(second), name: TECHNICIAN });
    expect((await tech.until('error')).code).toBe(Errors.CODE_INVALID.code);
  });

  test('an unanswered question is denied when its visible countdown runs out', async () => {
    await open({ consentTimeoutMs: 2500 });
    const tech = await upToConsent(page, relay);
    techs.push(tech);
    expect(await text(page, '#consent-countdown')).toMatch(/^Si no responde, se denegará en [1-3] s$/);
    expect((await tech.until('error', 6000)).code).toBe(Errors.CONSENT_TIMEOUT.code);
    await waitForBodyState(page, 'code');
    await page.waitForSelector('#code-notice:not([hidden])');
    expect(await text(page, '#code-notice')).toBe('La solicitud no se respondió a tiempo. Este es un código nuevo.');
    expect(win.bridge.session?.current.kind).toBe('code');
  });

  test('a code that expires unused says so, and "new code" brings a fresh one', async () => {
    await open({ codeTtlMs: 2000 });
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const expired = await shownCode(page);
    expect(await text(page, '#code-countdown')).toMatch(/^Vence en 0:0[12]$/);
    await waitForBodyState(page, 'ended', 8000);
    expect(await text(page, '#ended-text')).toBe('El código venció sin que nadie se conectara.');
    expect(await text(page, '#connect-again-button')).toBe('Nuevo código');
    await page.click('#connect-again-button');
    await waitForBodyState(page, 'code');
    expect(await shownCode(page)).not.toBe(expired);
  });

  test('connection problems: the window shows the automatic retry, and a new code once the relay is back, saying the old one no longer works', async () => {
    await open();
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const port = relay.port;
    await relay.close();
    await waitForBodyState(page, 'reconnecting');
    expect(await text(page, '#view-reconnecting .status-text')).toBe('Problema de conexión');
    expect(await text(page, '#reconnecting-text')).toMatch(/^Reintentando en \d+ s \(intento \d+\)…$/);
    relay = await startTestRelay({ port });
    await waitForBodyState(page, 'code', 15_000);
    expect(await shownCode(page)).toMatch(/^[0-9]{9}$/);
    // The relay forgot the code it gave before the drop: the customer is told to read out the new one.
    expect(await text(page, '#code-notice')).toBe('Se cortó la conexión y el código anterior ya no sirve. Dígale al técnico este código nuevo.');
  });

  test('the window says so when the agent is gone', async () => {
    await open();
    await win.close();
    await waitForBodyState(page, 'offline');
    expect(await text(page, '#view-offline .status-text')).toBe('El programa de soporte no responde');
  });

  test('only the browser that opened the window drives it: the one-time address is spent, and nothing works without its cookie', async () => {
    await open();
    const { port } = win.server;
    const base = `http://127.0.0.1:${port}`;
    // The page this browser opened works; the address it used is spent.
    expect(win.server.launchUrl).toBeUndefined();
    expect((await fetch(`${base}/open?code=${'A'.repeat(43)}`)).status).toBe(403);
    // Any other program (no cookie): nothing.
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/index.js`)).status).toBe(403);
    // A second browser profile (another user's browser, say) gets nothing either.
    const other = await launchTestBrowser({ locale: 'es-ES', viewport: WINDOW_SIZE });
    try {
      expect((await (await other.newPage()).goto(`${base}/`))?.status()).toBe(403);
    } finally {
      await other.close();
    }
    const cookies = await page.context().cookies(base);
    const cookie = cookies.find((c) => c.name === 'compueasys_window');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The cookie is out of reach of the page's own script.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    const attempt = (headers: Record<string, string>): Promise<string> => new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ui`, { headers });
      ws.once('open', () => { ws.close(); resolve('open'); });
      ws.once('unexpected-response', (_req, res) => { resolve(`refused ${res.statusCode}`); ws.terminate(); });
      ws.once('error', (err) => resolve(`error ${err.message}`));
    });
    const withCookie = `compueasys_window=${cookie!.value}`;
    expect(await attempt({ origin: base })).toMatch(/403/);
    expect(await attempt({ cookie: withCookie })).toMatch(/403/);
    expect(await attempt({ cookie: withCookie, origin: 'http://evil.example' })).toMatch(/403/);
    expect(await attempt({ cookie: withCookie, origin: base, host: `evil.example:${port}` })).toMatch(/403/);
  });

  test('one page drives the agent: a reload takes over, the window keeps its state', async () => {
    await open();
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const code = await shownCode(page);
    await page.reload();
    await waitForBodyState(page, 'code');
    expect(await shownCode(page)).toBe(code);
    expect(win.server.pageCount).toBe(1);
  });
});

describeWithChromium('the customer window follows the browser language (es / en) and can be switched', () => {
  let relay: Relay;
  let win: WindowUnderTest;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.close();
  });
  beforeEach(async () => {
    win = await startWindow(relay.wsUrl);
  });
  afterEach(async () => {
    await win.close();
  });

  test('an English browser gets English all the way to the question, and the switch turns it to Spanish (kept on reload)', async () => {
    const browser = await launchTestBrowser({ locale: 'en-US', viewport: WINDOW_SIZE });
    const tech: WsTestPeer[] = [];
    try {
      const page = await browser.newPage();
      await page.goto(win.server.launchUrl!);
      await waitForBodyState(page, 'idle');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      expect(await text(page, '#connect-button')).toBe('Connect to support');
      expect(await page.title()).toBe('CompuEasys Remote Support');
      await page.click('#connect-button');
      await waitForBodyState(page, 'code');
      expect(await text(page, '#view-code .lead')).toBe('Read this code to the technician:');
      expect(await text(page, '#code-countdown')).toMatch(/^Expires in (10:00|9:5\d)$/);
      tech.push(await joinAsTechnician(relay, await shownCode(page)));
      await waitForBodyState(page, 'consent');
      expect(await text(page, '#consent-question')).toBe('Juan (CompuEasys) wants to see and control your screen');
      expect([await text(page, '#allow-control'), await text(page, '#allow-view'), await text(page, '#deny')])
        .toEqual(['Allow control', 'View only', 'Deny']);
      expect(await text(page, '#consent-encrypted')).toBe('🔒 End-to-end encrypted');

      expect(await text(page, '#lang-toggle')).toBe('Español');
      await page.click('#lang-toggle');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
      expect(await text(page, '#consent-question')).toBe('Juan (CompuEasys) quiere ver y controlar su pantalla');
      expect(await text(page, '#allow-control')).toBe('Permitir control');
      expect(await text(page, '#lang-toggle')).toBe('English');

      // A reload keeps the customer's choice, and the agent tells the new page where things stand.
      await page.reload();
      await waitForBodyState(page, 'consent');
      expect(await text(page, '#consent-question')).toBe('Juan (CompuEasys) quiere ver y controlar su pantalla');
      await page.click('#allow-view');
      await tech[0]!.next('paired');
      await waitForBodyState(page, 'sharing');
      expect(await text(page, '#stop-button')).toBe('Dejar de compartir');
    } finally {
      for (const t of tech) t.close();
      await browser.close();
    }
  });

  test('a Spanish browser (es-MX) gets Spanish; another language gets English', async () => {
    for (const [locale, expected] of [['es-MX', 'Conectar con Soporte'], ['de-DE', 'Connect to support']] as const) {
      // Each browser opens a window of its own: the address of one works once.
      await win.close();
      win = await startWindow(relay.wsUrl);
      const browser = await launchTestBrowser({ locale, viewport: WINDOW_SIZE });
      try {
        const page = await browser.newPage();
        await page.goto(win.server.launchUrl!);
        await waitForBodyState(page, 'idle');
        expect(await text(page, '#connect-button')).toBe(expected);
      } finally {
        await browser.close();
      }
    }
  });
});
