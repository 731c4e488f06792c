import type { Page } from 'playwright-core';
import { createAgent, type Agent } from '../../client/agent';
import type { ConsentRequest } from '../../client/session/client-session';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, openPanel, submitCode, waitForState } from '../browser/panel-driver';
import { startAccountsRelay, signInOnPage, type AccountsRelay } from '../support/accounts-relay';
import { describeWithChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { fakeHardware } from '../support/fake-hardware';
import { eventually, legacyCall } from '../support/relay-harness';

describeWithChromium('--require-sign-in: only signed-in technicians join, and the customer is told the verified name', () => {
  let server: AccountsRelay;
  let relay: Relay;
  let browser: TestBrowser;
  let page: Page;
  let agent: Agent;
  const questions: ConsentRequest[] = [];

  beforeAll(async () => {
    assertTechnicianBuilt();
    server = await startAccountsRelay([['ana', 'Ana López (CompuEasys)', 'technician', 'correct horse battery']], { requireSignIn: true });
    ({ relay } = server);
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
    await server?.close();
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
    await signInOnPage(page, 'ana', 'correct horse battery');
    await page.waitForSelector('#account-name:not([hidden])');
    await page.fill('#access-code', await code());
    await page.click('#connect-button');
    await waitForState(page, 'connected', 20_000);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({ technicianName: 'Ana López (CompuEasys)', verified: true, encrypted: true });
  });
});
