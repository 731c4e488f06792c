import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { browserForBlock, describeWithChromium, launchTestBrowser, watchPageSockets } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import { SealedClient } from '../support/sealed-client';
import { assertTechnicianBuilt, openPanel, registeredClient, submitCode, TECH_NAME, waitForState } from './panel-driver';

describeWithChromium('technician panel in Chromium: language', () => {
  let relay: Relay;
  beforeAll(() => assertTechnicianBuilt());
  beforeEach(async () => { relay = await startTestRelay(); });
  afterEach(async () => { await relay.close(); });

  it('loads in Spanish for a Spanish browser', async () => {
    const browser = await launchTestBrowser({ locale: 'es-ES' });
    try {
      const page = await browser.newPage();
      await openPanel(page, relay.url);
      expect(await page.evaluate(() => [document.documentElement.lang, navigator.language])).toEqual(['es', 'es-ES']);
      expect(await page.textContent('#connect-title')).toBe('Conectar con código');
      expect(await page.textContent('#connect-button')).toBe('Conectar');
      expect(await page.getAttribute('#lang-es', 'aria-pressed')).toBe('true');
      expect(await page.title()).toBe('CompuEasys · Soporte Remoto');
    } finally {
      await browser.close();
    }
  });

  it('loads in English for an English browser, switches to Spanish and remembers it', async () => {
    const browser = await launchTestBrowser({ locale: 'en-US' });
    try {
      const page = await browser.newPage();
      await openPanel(page, relay.url);
      expect(await page.textContent('#connect-title')).toBe('Connect with code');
      expect(await page.getAttribute('#tech-name', 'placeholder')).toBe('e.g. Ana (CompuEasys)');
      await page.click('#lang-es');
      expect(await page.textContent('#connect-title')).toBe('Conectar con código');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
      await page.reload();
      await page.waitForSelector('#lang-es[aria-pressed="true"]');
      expect(await page.textContent('#connect-button')).toBe('Conectar');
    } finally {
      await browser.close();
    }
  });
});

describeWithChromium('technician panel in Chromium: code field and refusals', () => {
  let relay: Relay;
  let page: Page;
  beforeAll(() => assertTechnicianBuilt());
  const browser = browserForBlock({ locale: 'en-US' });
  beforeEach(async () => {
    relay = await startTestRelay({ codeAttemptsPerIp: 3 });
    page = await browser().newPage();
    await openPanel(page, relay.url);
  });
  afterEach(async () => {
    await page.close();
    await relay.close();
  });

  it('refuses letters as they are typed and says why', async () => {
    await page.fill('#tech-name', TECH_NAME);
    await page.click('#access-code');
    await page.keyboard.type('3a8b');
    expect(await page.inputValue('#access-code')).toBe('38');
    expect(await page.isVisible('#code-error')).toBe(true);
    expect(await page.textContent('#code-error')).toBe('The code has digits only.');
    expect(await page.getAttribute('#access-code', 'aria-invalid')).toBe('true');
  });

  it('refuses five, seven or eight digits without opening a connection', async () => {
    const sockets = await watchPageSockets(page);
    await submitCode(page, '38562');
    expect(await page.textContent('#code-error')).toBe('Type the whole code: 6 digits, or 9 to 12.');
    expect(await page.inputValue('#access-code')).toBe('385 62');
    expect(await page.getAttribute('body', 'data-state')).toBe('idle');
    for (const short of ['3856219', '38562194']) {
      await submitCode(page, short);
      expect([short, await page.textContent('#code-error')]).toEqual([short, 'Type the whole code: 6 digits, or 9 to 12.']);
    }
    expect(await page.inputValue('#access-code')).toBe('385 621 94');
    expect(await page.getAttribute('body', 'data-state')).toBe('idle');
    expect(await sockets.opened()).toBe(0);
    // The record does see connections: six digits open one, and it is the only one so far.
    await submitCode(page, '000 000');
    await waitForState(page, 'invalid-code');
    expect(await sockets.opened()).toBe(1);
  });

  it('asks for the name before connecting, and remembers it', async () => {
    await submitCode(page, '385621', '');
    expect(await page.textContent('#name-error')).toBe('Enter your name: the customer sees it before accepting.');
    expect(await page.getAttribute('body', 'data-state')).toBe('idle');
    await submitCode(page, '000000', 'Luis (CompuEasys)');
    await waitForState(page, 'invalid-code');
    await page.reload();
    await page.waitForSelector('#lang-en[aria-pressed="true"]');
    expect(await page.inputValue('#tech-name')).toBe('Luis (CompuEasys)');
  });

  it('accepts a pasted "385 621 947" code and joins with its six routing digits and no name', async () => {
    const sockets = await watchPageSockets(page);
    const client = await SealedClient.register(relay.wsUrl);
    try {
      await page.fill('#tech-name', TECH_NAME);
      await page.focus('#access-code');
      await page.keyboard.insertText(client.wholeCode.replace(/^(\d{3})(\d{3})(\d+)$/, '$1-$2-$3'));
      expect(await page.inputValue('#access-code')).toBe(client.spokenCode);
      expect(await page.isVisible('#code-error')).toBe(false);
      await page.click('#connect-button');
      expect(await client.agree()).toBe('verified');
      // The secret digits and the name never went to the relay: only the routing digits, in join.
      const join = (await sockets.sent()).find((m) => m.type === 'join');
      expect(join).toEqual({ type: 'join', code: client.routingCode, name: '' });
      expect(JSON.stringify(await sockets.sent())).not.toContain(client.wholeCode);
      expect(await client.question()).toEqual({ relayName: '', introducedName: TECH_NAME });
      await waitForState(page, 'waiting-consent');
    } finally {
      client.close();
    }
  });

  it('accepts a pasted "385 621"-style code from an older customer\'s app and joins with its six digits and the name', async () => {
    const { client, code } = await registeredClient(relay.wsUrl);
    try {
      await page.fill('#tech-name', TECH_NAME);
      await page.focus('#access-code');
      // insertText is what a paste does to the field: one input event with the whole text.
      await page.keyboard.insertText(`${code.slice(0, 3)} ${code.slice(3)}`);
      expect(await page.inputValue('#access-code')).toBe(`${code.slice(0, 3)} ${code.slice(3)}`);
      expect(await page.isVisible('#code-error')).toBe(false);
      await page.click('#connect-button');
      const request = await client.next('consent-request');
      expect(request.technicianName).toBe(TECH_NAME);
      await waitForState(page, 'waiting-consent');
    } finally {
      client.close();
    }
  });

  it('shows the invalid-code state for a wrong code, keeping the code to correct it', async () => {
    await submitCode(page, '000 000');
    await waitForState(page, 'invalid-code');
    expect(await page.textContent('#state-title')).toBe('Invalid or expired code.');
    expect(await page.isVisible('#connect-button')).toBe(true);
    expect(await page.inputValue('#access-code')).toBe('000 000');
  });

  it('shows the too-many-attempts state after repeated wrong codes', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6 && !seen.includes('too-many-attempts'); i++) {
      await submitCode(page, `00000${i}`);
      await page.waitForSelector('body[data-state="invalid-code"], body[data-state="too-many-attempts"]');
      seen.push((await page.getAttribute('body', 'data-state'))!);
      if (seen.at(-1) === 'invalid-code') await page.waitForSelector('#connect-button:not([hidden])');
    }
    expect(seen[0]).toBe('invalid-code');
    expect(seen.at(-1)).toBe('too-many-attempts');
    expect(await page.textContent('#state-title')).toBe('Too many attempts.');
  });
});
