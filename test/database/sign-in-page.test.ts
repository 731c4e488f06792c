import type { Page } from 'playwright-core';
import { SIGN_IN_ATTEMPTS } from '../../relay/accounts/sign-in';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel } from '../browser/panel-driver';
import { startAccountsRelay, signInOnPage, type AccountsRelay } from '../support/accounts-relay';
import { describeWithChromium, launchTestBrowser, type TestBrowser } from '../support/browser';

describeWithChromium('signing in on the technician page (real relay, PGlite, Chromium)', () => {
  let server: AccountsRelay;
  let relay: Relay;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    server = await startAccountsRelay([['ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery']]);
    ({ relay } = server);
    browser = await launchTestBrowser({ locale: 'es-ES' });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a wrong password is refused in Spanish; the right one signs in: the name shows and becomes the one the customer is told, and the cookie is HttpOnly and SameSite=Strict', async () => {
    await openPanel(page, relay.url);
    await page.waitForSelector('#account-area:not([hidden]) #sign-in-open:not([hidden])');
    await signInOnPage(page, 'ana', 'wrong horse battery');
    await page.waitForSelector('#sign-in-error:not([hidden])');
    expect(await page.textContent('#sign-in-error')).toBe('Usuario o contraseña incorrectos.');
    expect(await page.inputValue('#sign-in-password')).toBe('');

    await page.fill('#sign-in-password', 'correct horse battery');
    await page.click('#sign-in-submit');
    await page.waitForSelector('#account-name:not([hidden])');
    expect(await page.textContent('#account-name')).toBe('Técnico: Ana López (CompuEasys)');
    expect(await page.isVisible('#connect-view')).toBe(true);
    expect(await page.inputValue('#tech-name')).toBe('Ana López (CompuEasys)');
    expect(await page.getAttribute('#tech-name', 'readonly')).not.toBeNull();
    const [cookie] = await browser.context.cookies(relay.url);
    expect(cookie).toMatchObject({ name: 'ce_session', httpOnly: true, sameSite: 'Strict', secure: false });
    // The page's script cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // A reload: still signed in (the cookie), the name still the account's.
    await page.reload();
    await page.waitForSelector('#account-name:not([hidden])');
    expect(await page.inputValue('#tech-name')).toBe('Ana López (CompuEasys)');
  });

  test('sign out: the name goes, the field is free again, the cookie no longer signs in', async () => {
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-open:not([hidden])');
    expect(await page.isHidden('#account-name')).toBe(true);
    expect(await page.getAttribute('#tech-name', 'readonly')).toBeNull();
    const me = await page.evaluate(async () => (await fetch('/api/account/me')).status);
    expect(me).toBe(401);
  });

  test('after too many failures the page says to wait, even for the right password', async () => {
    for (let i = 0; i < SIGN_IN_ATTEMPTS; i++) {
      await signInOnPage(page, 'ana', `guess number ${i}`);
      await page.waitForFunction(() => document.getElementById('sign-in-error')?.hidden === false);
      await page.click('#sign-in-cancel');
    }
    await signInOnPage(page, 'ana', 'correct horse battery');
    await page.waitForFunction(() => (document.getElementById('sign-in-error')?.textContent ?? '').startsWith('Demasiados intentos'));
    expect(await page.isHidden('#account-name')).toBe(true);
  });
});
