import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AccountService } from '../../relay/accounts/sign-in';
import { SYSTEM_CLOCK } from '../../relay/clock';
import { createRelay, type Relay } from '../../relay/server';
import { DatabaseLedger } from '../../relay/stats/session-ledger';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { assertTechnicianBuilt, openPanel } from '../browser/panel-driver';
import { hasChromium, launchTestBrowser } from '../support/browser';
import { hasPostgres, startTestPostgres } from '../support/postgres';
import { eventually, legacyCall, ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';
import { pairSealed } from '../support/sealed-peers';
import { WsTestPeer } from '../support/ws-peer';

type Backend = () => Promise<{ open(): Promise<Database>; done(): Promise<void> }>;
const backends: [string, Backend][] = [
  ['PGlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-stats-'));
    return { open: () => openDatabase({ dataDir: join(dir, 'db') }), done: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ...(hasPostgres() ? [['PostgreSQL', async () => {
    const server = await startTestPostgres();
    return { open: () => openDatabase({ url: server.url }), done: () => server.stop() };
  }] as [string, Backend]] : []),
];

/** A name a spreadsheet would run as a formula, had the CSV not made it plain text. */
const FORMULA_NAME = '=HYPERLINK("http://x","PC")';

/**
 * Issue 16 (4): statistics over scripted sessions through a real relay (WebSocket and
 * legacy), exactly as expected, for admins only; the CSV holds the same sessions; on
 * PGlite the admins' page in Chromium shows the same numbers and downloads the same CSV.
 */
describe.each(backends)('usage statistics for admins: %s', (name, backend) => {
  let store: Awaited<ReturnType<Backend>>;
  let db: Database;
  let relay: Relay;
  let ledger: DatabaseLedger;
  let adminCookie = '';
  let technicianCookie = '';
  const today = new Date().toISOString().slice(0, 10);

  async function get(path: string, cookie: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${relay.url}/api/account/${path}`, { headers: cookie ? { cookie } : {} });
    return { status: response.status, text: await response.text() };
  }

  async function signIn(username: string, password: string): Promise<string> {
    const response = await fetch(`${relay.url}/api/account/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  beforeAll(async () => {
    store = await backend();
    db = await store.open();
    await migrate(db);
    const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
    await accounts.users.add('jefe', 'Jefe', 'admin', 'correct horse battery');
    await accounts.users.add('ana', 'Ana', 'technician', 'another long password');
    ledger = new DatabaseLedger(db, pino({ level: 'silent' }));
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', ...ROOMY_ADDRESS_LIMITS }, logger: pino({ level: 'silent' }), accounts, ledger });
    adminCookie = await signIn('jefe', 'correct horse battery');
    technicianCookie = await signIn('ana', 'another long password');

    // 1. A sealed WebSocket session, helped, ended by the technician.
    const sealed = await pairSealed(relay.wsUrl);
    sealed.tech.peer.sendJson({ type: 'bye' });
    await sealed.client.peer.until('peer-left');
    // 2. A legacy client helped by a legacy technician.
    await legacyCall(relay.url, 'register_client/', { client_id: 'PC-VIEJO', access_code: '385621' });
    const legacy = await legacyCall(relay.url, 'connect_technician/', { access_code: '385621', technician_name: 'Pedro' });
    await legacyCall(relay.url, 'disconnect/', { session_id: legacy.json.session_id });
    // 3. A customer who declines a technician, then leaves: refused once, never helped.
    const client = await WsTestPeer.hello(relay.wsUrl, 'client');
    client.sendJson({ type: 'register', name: 'PC-NO' });
    const { code } = await client.next('code');
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    tech.sendJson({ type: 'join', code, name: 'Luis' });
    await client.until('consent-request');
    client.sendJson({ type: 'consent', granted: false, viewOnly: false });
    await tech.until('error');
    client.sendJson({ type: 'bye' });
    // 4. A customer who waits and leaves, named like a formula.
    const alone = await WsTestPeer.hello(relay.wsUrl, 'client');
    alone.sendJson({ type: 'register', name: FORMULA_NAME });
    await alone.next('code');
    alone.sendJson({ type: 'bye' });
    await eventually(() => relay.hub.registry.size === 0, 5000, 'every session to end');
    await ledger.flushed();
  }, 60_000);

  afterAll(async () => {
    await relay?.close();
    await db?.close();
    await store?.done();
  });

  test('exactly what happened: 4 sessions, 2 helped, 2 abandoned, 1 declined, per technician', async () => {
    const answer = await get(`stats?from=${today}&to=${today}`, adminCookie);
    expect(answer.status).toBe(200);
    const stats = JSON.parse(answer.text);
    expect(stats.overall).toMatchObject({ sessions: 4, helped: 2 });
    expect(stats.abandoned).toBe(2);
    expect(stats.refused).toBe(1);
    expect(stats.perDay).toEqual([expect.objectContaining({ day: today, sessions: 4, helped: 2 })]);
    expect(stats.perTechnician.map((t: { technician: string; sessions: number }) => [t.technician, t.sessions])).toEqual([['', 1], ['Pedro', 1]]);
    const pedro = JSON.parse((await get(`stats?from=${today}&to=${today}&technician=Pedro`, adminCookie)).text);
    expect(pedro.overall).toMatchObject({ sessions: 1, helped: 1 });
  });

  test('the CSV has one line per session, oldest first, and a name never becomes a formula', async () => {
    const csv = await get(`stats.csv?from=${today}&to=${today}`, adminCookie);
    expect(csv.status).toBe(200);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('started_at,paired_at,ended_at,duration_s,technician,customer,view_only,bytes_to_technician,bytes_to_customer,end_reason,sealed,legacy');
    expect(lines).toHaveLength(5);
    expect(lines.some((l) => l.includes(',Pedro,PC-VIEJO,'))).toBe(true);
    expect(lines.some((l) => l.includes(`"'=HYPERLINK(""http://x"",""PC"")"`))).toBe(true);
    expect(csv.text).not.toMatch(/,=HYPERLINK/);
  });

  test('only admins: a technician is refused (403), anyone else must sign in (401); a bad range is refused (400)', async () => {
    expect((await get(`stats?from=${today}&to=${today}`, technicianCookie)).status).toBe(403);
    expect((await get(`stats.csv?from=${today}&to=${today}`, '')).status).toBe(401);
    for (const query of ['from=2026-01-01', 'from=yesterday&to=today', 'from=2020-01-01&to=2026-01-01', `from=${today}&to=2020-01-01`, `from=${today}&to=${today}&technician=${'x'.repeat(65)}`]) {
      expect((await get(`stats?${query}`, adminCookie)).status).toBe(400);
    }
  });

  // The page once, on the default database (a missing Chromium is loud: hasChromium).
  if (name === 'PGlite' && hasChromium()) test('the admins\' page shows the same numbers, and its CSV link downloads the same CSV', async () => {
    assertTechnicianBuilt();
    const browser = await launchTestBrowser({ locale: 'es-ES' });
    try {
      const page = await browser.newPage();
      await openPanel(page, relay.url);
      await page.click('#sign-in-open');
      await page.fill('#sign-in-user', 'jefe');
      await page.fill('#sign-in-password', 'correct horse battery');
      await page.click('#sign-in-submit');
      await page.waitForSelector('#account-name:not([hidden])');
      await page.goto(`${relay.url}/stats.html`);
      await page.waitForSelector('body[data-loaded="true"]');
      const shown = await page.evaluate(() => ['sessions', 'helped', 'abandoned', 'refused'].map((k) => document.getElementById(`total-${k}`)!.textContent));
      expect(shown).toEqual(['4', '2', '2', '1']);
      expect(await page.$$eval('#stats-technicians tr', (rows) => rows.map((r) => r.children[0]!.textContent))).toEqual(['(sin cuenta, cifrado)', 'Pedro']);
      const href = await page.getAttribute('#stats-csv', 'href');
      const fromPage = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
      expect(fromPage).toBe((await get(`stats.csv?from=${await page.inputValue('#stats-from')}&to=${today}`, adminCookie)).text);
      expect(await page.evaluate(() => document.querySelectorAll('canvas').length)).toBe(2);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
