import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt, connectPanelWithCode } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import { customerDesktopPage, describeWithDesktop, startAgentProcess, startDesktop, type AgentProcess, type Desktop } from '../support/desktop';
import { openTestX, type TestX } from '../support/x11-windows';
import { stopChild } from '../support/xvfb';

const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x40, 0x90, 0x40] as const };
/** The text, with a character outside Latin-1 (€) and two with accents. */
const TEXT = 'año, €, ñ';
const CUSTOMER_TEXT = 'Copiado por el cliente: año, €, ñ 👍';

const run = promisify(execFile);

/**
 * Issue 15 (3): the technician's clipboard to the customer's X clipboard and back, through
 * the real page in Chromium, the real relay and the real agent on Xvfb (X11 selections).
 * The customer's side is read and written with xclip, as any program of the customer's
 * would paste and copy.
 */
describeWithDesktop('the clipboard between the technician page and the customer\'s X display', () => {
  let desktop: Desktop;
  let relay: Relay;
  let agent: AgentProcess;
  let browser: TestBrowser;
  let panel: Page;
  let x: TestX;
  let copier: ChildProcess | undefined;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: 1280, height: 720 });
    ({ relay } = desktop);
    agent = startAgentProcess(desktop.display, relay.wsUrl);
    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: relay.url });
    panel = await browser.newPage();
    x = await openTestX(desktop.display.display);
  }, 90_000);

  afterAll(async () => {
    if (copier) await stopChild(copier);
    await x?.close();
    await browser?.close();
    await agent?.stop();
    await desktop?.close();
  });

  /**
   * Resolves once the server watches `selection` for us, with `owned`, which resolves at the
   * next change of owner (wrapped: an async function returning a promise would wait for it).
   * Awaited before the change is made: a watch still being set up (two round trips first)
   * missed xclip's claim under CI load, and the test waited 60 s.
   */
  async function ownerChange(selection: string): Promise<{ owned: Promise<void> }> {
    let changed!: () => void;
    const owned = new Promise<void>((resolve) => { changed = resolve; });
    await x.watchSelectionOwner(selection, () => changed());
    return { owned };
  }

  /** What a program of the customer's pastes now. */
  async function customerPastes(): Promise<string> {
    const { stdout } = await run('xclip', ['-o', '-selection', 'clipboard'], { env: desktop.display.env(), timeout: 5_000, encoding: 'utf8' });
    return stdout;
  }

  test('"Send my clipboard" puts the technician\'s text in the customer\'s clipboard, exactly', async () => {
    const code = await agent.code;
    await connectPanelWithCode(panel, relay.url, code);
    await panel.waitForSelector('#clipboard-menu:not([hidden])', { timeout: 20_000 });

    await panel.evaluate((text) => navigator.clipboard.writeText(text), TEXT);
    // The agent takes the CLIPBOARD selection when the text arrives: wait for that, then paste.
    const { owned } = await ownerChange('CLIPBOARD');
    await panel.click('#clipboard-toggle');
    await panel.click('#clipboard-send');
    await owned;
    expect(await customerPastes()).toBe(TEXT);
    await panel.waitForFunction(() => document.getElementById('stat-notice')?.textContent === 'Portapapeles enviado al cliente');
  }, 120_000);

  test('"Get the customer\'s clipboard" brings what a program of the customer\'s copied into the technician\'s clipboard', async () => {
    // A program of the customer's copies (xclip keeps serving the selection until stopped).
    const { owned } = await ownerChange('CLIPBOARD');
    copier = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], { env: desktop.display.env(), stdio: ['pipe', 'ignore', 'ignore'] });
    copier.stdin!.end(CUSTOMER_TEXT);
    await owned;
    await panel.click('#clipboard-toggle');
    await panel.click('#clipboard-fetch');
    await panel.waitForFunction(() => document.getElementById('stat-notice')?.textContent === 'Portapapeles del cliente copiado en el suyo', undefined, { timeout: 20_000 });
    expect(await panel.evaluate(() => navigator.clipboard.readText())).toBe(CUSTOMER_TEXT);
  }, 60_000);
});
