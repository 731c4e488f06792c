import type { Page } from 'playwright-core';
import { Errors } from '../../protocol';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel, pagePointOf, submitCode, waitForState } from '../browser/panel-driver';
import { describeWithChromium, launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { customerDesktopPage, describeWithDesktop, startDesktop, untilCanvasShows, startWindowProcess, type Desktop, type DesktopBrowser } from '../support/desktop';
import { legacyCall, startTestRelay } from '../support/relay-harness';
import { stopChild } from '../support/xvfb';

const WIDTH = 1280;
const HEIGHT = 720;
const PHRASE = 'Útil: año, cigüeña, ¿qué? ¡ya! 5 € ß';
const TECHNICIAN = 'Ana (CompuEasys)';
const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x22, 0xaa, 0x44] as const };

const CUSTOMER_PAGE = customerDesktopPage(BLOCK);

/**
 * Issue 11 as the two people see it: the customer's real window (its agent sharing a real
 * X display) and the technician's real page, each in its own Chromium, through the real
 * relay. The page is given all nine digits; everything after the agreement is sealed.
 */
describeWithDesktop('sealed end to end: the technician page and the customer window, on a real X display', () => {
  let desktop: Desktop;
  let customer: DesktopBrowser;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let browsers: TestBrowser;
  let windowPage: Page;
  let panel: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(CUSTOMER_PAGE, { width: WIDTH, height: HEIGHT });
    ({ window: customer, relay } = desktop);
    agent = startWindowProcess(desktop.display, relay.wsUrl);
    browsers = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
    windowPage = await browsers.newPage();
    await windowPage.setViewportSize({ width: 420, height: 560 });
    await windowPage.goto(await agent.url);
    await waitForBodyState(windowPage, 'idle', 20_000);
    panel = await browsers.newPage();
  }, 90_000);

  afterAll(async () => {
    await browsers?.close();
    if (agent) await stopChild(agent.child);
    await desktop?.close();
  });

  test('nine digits: the keys verify, the customer sees the lock before answering, and the page draws the real screen under the lock', async () => {
    await windowPage.click('#connect-button');
    await waitForBodyState(windowPage, 'code', 20_000);
    const code = await shownCode(windowPage);
    expect(code).toMatch(/^[0-9]{9}$/);
    await openPanel(panel, relay.url);
    await submitCode(panel, `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`, TECHNICIAN);

    await waitForBodyState(windowPage, 'consent', 20_000);
    expect(await windowPage.textContent('#consent-question')).toBe(`${TECHNICIAN} quiere ver y controlar su pantalla`);
    expect(await windowPage.isVisible('#consent-encrypted')).toBe(true);
    expect(await windowPage.isVisible('#consent-not-encrypted')).toBe(false);
    await windowPage.click('#allow-control');

    await waitForState(panel, 'connected', 20_000);
    await waitForBodyState(windowPage, 'sharing', 20_000);
    expect(await windowPage.isVisible('#sharing-encrypted')).toBe(true);
    expect((await panel.textContent('#e2e-badge'))?.trim()).toBe('🔒 Cifrado de extremo a extremo');
    expect(await panel.getAttribute('#e2e-badge', 'data-e2e')).toBe('sealed');

    await untilCanvasShows(panel, BLOCK);
  });

  test('its click lands on the matching point and the phrase arrives exactly, both sealed', async () => {
    const target = { x: 700, y: 200 };
    const point = await pagePointOf(panel, target.x, target.y);
    await panel.mouse.click(point.x, point.y);
    await customer.page.waitForFunction('window.clicks.length > 0', undefined, { timeout: 10_000 });
    const [click] = await customer.page.evaluate(() => (window as unknown as { clicks: { button: number; x: number; y: number }[] }).clicks);
    expect(click!.button).toBe(0);
    expect(Math.abs(click!.x - target.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(click!.y - target.y)).toBeLessThanOrEqual(1);

    const field = await pagePointOf(panel, 400, 450);
    await panel.mouse.click(field.x, field.y);
    await customer.page.waitForFunction(`document.activeElement && document.activeElement.id === 'text'`, undefined, { timeout: 10_000 });
    await panel.click('#text-toggle');
    await panel.fill('#send-text-input', PHRASE);
    await panel.click('#send-text-button');
    await customer.page.waitForFunction((p) => (document.getElementById('text') as HTMLTextAreaElement).value === p, PHRASE, { timeout: 15_000 });
    expect(await customer.page.inputValue('#text')).toBe(PHRASE);

    await windowPage.click('#stop-button');
    await waitForState(panel, 'ended', 10_000);
  });
});

/** The customer's side is an old polling program (legacy HTTP API): it cannot seal. */
describeWithChromium('a legacy customer program with the new technician page', () => {
  let browsers: TestBrowser;
  let panel: Page;
  beforeAll(async () => {
    assertTechnicianBuilt();
    browsers = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    await browsers?.close();
  });

  async function legacyCustomer(relay: Relay, code: string): Promise<{ status: number; json: unknown }> {
    return legacyCall(relay.url, 'register_client/', { client_id: 'PC-ANTIGUO', access_code: code });
  }

  test('the pair works and the page labels it as not end-to-end encrypted', async () => {
    const relay = await startTestRelay();
    try {
      const code = '385621';
      expect((await legacyCustomer(relay, code)).status).toBe(200);
      panel = await browsers.newPage();
      await openPanel(panel, relay.url);
      await submitCode(panel, '385 621', TECHNICIAN);
      // An old program was never asked (it cannot be): the relay pairs at once.
      await waitForState(panel, 'connected', 10_000);
      await panel.waitForSelector('#e2e-badge:not([hidden])');
      expect((await panel.textContent('#e2e-badge'))?.trim()).toBe('⚠ No cifrado de extremo a extremo');
      expect(await panel.getAttribute('#e2e-badge', 'data-e2e')).toBe('plain');
      await panel.close();
    } finally {
      await relay.close();
    }
  });

  test('with --require-e2e the relay refuses the legacy program, so no unsealed pair can form', async () => {
    // (A legacy technician with a new customer's window: test/window/window-page.test.ts.)
    const relay = await startTestRelay({ requireE2e: true });
    try {
      const refused = await legacyCustomer(relay, '385621');
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.json)).toContain(Errors.E2E_REQUIRED.code);
    } finally {
      await relay.close();
    }
  });
});
