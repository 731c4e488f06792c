import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { createAgent, type Agent } from '../../client/agent';
import type { ConsentRequest } from '../../client/session/client-session';
import { AccountService } from '../../relay/accounts/sign-in';
import { SYSTEM_CLOCK } from '../../relay/clock';
import { createRelay, type Relay } from '../../relay/server';
import { openDatabase, type Database } from '../../relay/store/database';
import { migrate } from '../../relay/store/migrations';
import { assertTechnicianBuilt, openPanel, submitCode, waitForState } from '../browser/panel-driver';
import { describeWithChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { fakeHardware } from '../support/fake-hardware';
import { eventually, legacyCall, ROOMY_ADDRESS_LIMITS } from '../support/relay-harness';

describeWithChromium('--require-sign-in: only signed-in technicians join, and the customer is told the verified name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ce-require-signin-'));
  let db: Database;
  let relay: Relay;
  let browser: TestBrowser;
  let page: Page;
  let agent: Agent;
  const questions: ConsentRequest[] = [];

  beforeAll(async () => {
    assertTechnicianBuilt();
    db = await openDatabase({ dataDir: join(dir, 'db') });
    await migrate(db);
    const accounts = new AccountService(db, SYSTEM_CLOCK, pino({ level: 'silent' }));
    await accounts.users.add('ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery');
    relay = await createRelay({ options: { port: 0, host: '127.0.0.1', requireSignIn: true, ...ROOMY_ADDRESS_LIMITS }, logger: pino({ level: 'silent' }), accounts });
    agent = await createAgent({
      ...fakeHardware(relay.wsUrl).deps,
      consent: async (request) => { questions.push(request); return 'view-only'; },
      onState: () => undefined,
    });
    agent.session.connect();
    browser = await launchTestBrowser({ locale: 'es-ES' });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await browser?.close();
    await relay?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function code(): Promise<string> {
    await eventually(() => agent.session.current.kind === 'code', 5000, 'a code');
    const s = agent.session.current;
    if (s.kind !== 'code') throw new Error('no code');
    return s.code;
  }

  test('an anonymous technician is refused with a clear message, and the customer is never asked', async () => {
    await openPanel(page, relay.url);
    await submitCode(page, await code(), 'Alguien');
    await waitForState(page, 'ended', 20_000);
    expect(await page.textContent('#state-detail')).toBe('Este servidor solo admite técnicos con cuenta: inicie sesión (arriba a la derecha) y conecte de nuevo con el mismo código.');
    expect(questions).toHaveLength(0);
    expect(agent.session.current.kind).toBe('code');
  });

  test('an old program through the legacy API is refused too: it cannot sign in', async () => {
    const answer = await legacyCall(relay.url, 'connect_technician/', { access_code: (await code()).slice(0, 6), technician_name: 'Viejo' });
    expect(answer.status).toBe(401);
    expect(answer.json.error.code).toBe('RS_ERR_SIGNIN_REQUIRED');
    expect(questions).toHaveLength(0);
  });

  test('signed in, the technician joins with the same code, and the customer\'s question carries the verified account name', async () => {
    await page.click('#sign-in-open');
    await page.fill('#sign-in-user', 'ana');
    await page.fill('#sign-in-password', 'correct horse battery');
    await page.click('#sign-in-submit');
    await page.waitForSelector('#account-name:not([hidden])');
    await page.fill('#access-code', await code());
    await page.click('#connect-button');
    await waitForState(page, 'connected', 20_000);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ technicianName: 'Ana López (CompuEasys)', verified: true, encrypted: true });
  });
});
