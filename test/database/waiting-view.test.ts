import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel } from '../browser/panel-driver';
import { startAccountsRelay, signInOnPage, type AccountsRelay } from '../support/accounts-relay';
import { describeWithChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { eventually } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';
import { MAX_WAITING_WATCHERS_PER_ACCOUNT } from '../../relay/accounts/waiting-board';

interface Note {
  title: string;
  body: string | undefined;
  at: number;
}

describeWithChromium('the waiting customers, live, for a signed-in technician (real relay, PGlite, Chromium)', () => {
  let server: AccountsRelay;
  let relay: Relay;
  let browser: TestBrowser;
  let page: Page;
  const customers: WsTestPeer[] = [];

  beforeAll(async () => {
    assertTechnicianBuilt();
    server = await startAccountsRelay([['ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery']]);
    ({ relay } = server);
    browser = await launchTestBrowser({ locale: 'es-ES' });
    await browser.context.grantPermissions(['notifications'], { origin: relay.url });
    // Records every desktop notification the page makes (the real one is made too).
    await browser.context.addInitScript(() => {
      const Real = window.Notification;
      const notes: { title: string; body: string | undefined; at: number }[] = [];
      (window as unknown as { notes: typeof notes }).notes = notes;
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          notes.push({ title, body: options?.body, at: Date.now() });
        }
      }
      window.Notification = Recorded;
    });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    for (const c of customers) c.close();
    await browser?.close();
    await server?.close();
  });

  test('nobody signed in: the list is refused, and the page shows none', async () => {
    const answer = await fetch(`${relay.url}/api/account/waiting`);
    expect(answer.status).toBe(401);
    await openPanel(page, relay.url);
    await page.waitForSelector('#sign-in-open:not([hidden])');
    expect(await page.isHidden('#waiting-panel')).toBe(true);
  });

  test('one account may watch from a few pages, not take every slot of the relay: the sixth stream is refused, and a slot frees when one closes', async () => {
    const cookie = (await (await fetch(`${relay.url}/api/account/signin`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ana', password: 'correct horse battery' }),
    })).headers.get('set-cookie'))!.split(';')[0]!;
    const streams = [];
    for (let i = 0; i < MAX_WAITING_WATCHERS_PER_ACCOUNT; i++) {
      const stream = new AbortController();
      const answer = await fetch(`${relay.url}/api/account/waiting`, { headers: { cookie }, signal: stream.signal });
      expect(answer.status).toBe(200);
      streams.push({ stream, answer });
    }
    const refused = await fetch(`${relay.url}/api/account/waiting`, { headers: { cookie } });
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe('RS_ERR_LIMIT_SERVER_FULL');
    streams[0]!.stream.abort();
    // The relay frees the slot when it sees the stream close: asked again until it has.
    await eventually(async () => {
      const again = await fetch(`${relay.url}/api/account/waiting`, { headers: { cookie } });
      await again.body?.cancel();
      return again.status === 200;
    }, 2000, 'a slot freed by the closed stream');
    for (const { stream } of streams.slice(1)) stream.abort();
  });

  test('signed in: a customer who starts waiting shows, with a desktop notification within a second, and never the code', async () => {
    await signInOnPage(page, 'ana', 'correct horse battery');
    // The list as it stands has arrived (empty): the page has its baseline before anyone arrives.
    await page.waitForSelector('#waiting-panel[data-listed="true"]:not([hidden]) #waiting-empty:not([hidden])');

    const customer = await WsTestPeer.hello(relay.wsUrl, 'client');
    customers.push(customer);
    const registeredAt = Date.now();
    customer.sendJson({ type: 'register', name: 'PC-MARIA' });
    const { code } = await customer.next('code');
    await page.waitForFunction(() => (window as unknown as { notes: Note[] }).notes.length > 0, undefined, { timeout: 5000 });
    const [note] = await page.evaluate(() => (window as unknown as { notes: Note[] }).notes);
    expect(note).toMatchObject({ title: 'Un cliente espera ayuda', body: 'PC-MARIA' });
    expect(note!.at - registeredAt).toBeLessThan(1000);
    await page.waitForFunction(() => document.querySelector('#waiting-list .waiting-name')?.textContent === 'PC-MARIA');
    expect(await page.textContent('#waiting-list .waiting-time')).toBe('acaba de llegar');
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toContain(code);
    expect(shown.replace(/\s/g, '')).not.toContain(code);

    // Gone from the list once it leaves.
    customer.sendJson({ type: 'bye' });
    await page.waitForSelector('#waiting-empty:not([hidden])', { timeout: 5000 });
  });
});
