import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { AccountService, SIGN_IN_ATTEMPTS } from '../../relay/accounts/sign-in';
import { SYSTEM_CLOCK } from '../../relay/clock';
import { createRelay, type Relay } from '../../relay/server';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { assertTechnicianBuilt, openPanel } from '../browser/panel-driver';
import { describeWithChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';

/** Signs in through the page's form. */
async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.click('#sign-in-open');
  await page.fill('#sign-in-user', username);
  await page.fill('#sign-in-password', password);
  await page.click('#sign-in-submit');
}

describeWithChromium('signing in on the technician page (real relay, PGlite, Chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ce-signin-page-'));
  let db: Database;
  let relay: Relay;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    db = await openDatabase({ dataDir: join(dir, 'db') });
    await migrate(db);
    const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
    await accounts.users.add('ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery');
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS }, logger: pino({ level: 'silent' }), accounts });
    browser = await launchTestBrowser({ locale: 'es-ES' });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a wrong password is refused in Spanish; the right one signs in: the name shows and becomes the one the customer is told, and the cookie is HttpOnly and SameSite=Strict', async () => {
    await openPanel(page, relay.url);
    await page.waitForSelector('#account-area:not([hidden]) #sign-in-open:not([hidden])');
    await signIn(page, 'ana', 'wrong horse battery');
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
      await signIn(page, 'ana', `guess number ${i}`);
      await page.waitForFunction(() => document.getElementById('sign-in-error')?.hidden === false);
      await page.click('#sign-in-cancel');
    }
    await signIn(page, 'ana', 'correct horse battery');
    await page.waitForFunction(() => (document.getElementById('sign-in-error')?.textContent ?? '').startsWith('Demasiados intentos'));
    expect(await page.isHidden('#account-name')).toBe(true);
  });
});
