import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { assertTechnicianBuilt } from '../browser/panel-driver';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { connectPageThroughWindow } from '../support/customer-window';
import { customerDesktopPage, describeWithDesktop, startDesktop, startWindowProcess, type Desktop } from '../support/desktop';
import { stopChild } from '../support/xvfb';

const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x40, 0x40, 0xc0] as const };
/** The phrase: accents, ¿ ¡, an emoji (a surrogate pair). */
const PHRASE = '¿Reinicio el equipo? Sí, ahora 👍';
/** The customer's answer: two lines and spaces kept exactly. */
const ANSWER = 'Sí, gracias 👍\n  ¿Cuánto tarda?';

/** The text of the last message of a chat log, exactly as shown. */
function lastMessage(page: Page): Promise<string | null> {
  return page.evaluate(() => document.querySelector('#chat-log li:last-child .chat-text')?.textContent ?? null);
}

/**
 * Issue 15 (1): the chat between the technician's page and the customer's window, both in
 * real Chromium, through the real relay, with the real window agent on an X display.
 */
describeWithDesktop('chat between the technician page and the customer window', () => {
  let desktop: Desktop;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let browsers: TestBrowser;
  let panel: Page;
  let customer: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: 1280, height: 720 });
    ({ relay } = desktop);
    agent = startWindowProcess(desktop.display, relay.wsUrl);
    browsers = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
    panel = await browsers.newPage();
    customer = await browsers.newPage();
    await customer.setViewportSize({ width: 760, height: 560 });
    await customer.goto(await agent.url);
  }, 90_000);

  afterAll(async () => {
    await browsers?.close();
    if (agent) await stopChild(agent.child);
    await desktop?.close();
  });

  test('messages go both ways exactly, with the unread count shown while the chat is closed and cleared when it opens', async () => {
    await connectPageThroughWindow(customer, panel, relay.url);

    // Both sides offer the chat, closed, nothing unread.
    await panel.waitForSelector('#chat-toggle:not([hidden])', { timeout: 20_000 });
    await customer.waitForSelector('#chat-toggle:not([hidden])', { timeout: 20_000 });
    expect(await panel.isHidden('#chat-unread')).toBe(true);
    expect(await customer.isHidden('#chat-panel')).toBe(true);

    // The technician writes; the customer's window counts it while its chat is closed.
    await panel.click('#chat-toggle');
    await panel.fill('#chat-input', PHRASE);
    await panel.press('#chat-input', 'Enter');
    expect(await lastMessage(panel)).toBe(PHRASE);
    expect(await panel.inputValue('#chat-input')).toBe('');
    await customer.waitForSelector('#chat-unread:not([hidden])', { timeout: 20_000 });
    expect(await customer.textContent('#chat-unread')).toBe('1');
    await customer.click('#chat-toggle');
    expect(await customer.isHidden('#chat-unread')).toBe(true);
    expect(await lastMessage(customer)).toBe(PHRASE);
    expect(await customer.textContent('#chat-log li:last-child .chat-author')).toBe('Juan (CompuEasys)');

    // The customer answers while the technician's chat is closed: the page counts it.
    await panel.click('#chat-close');
    await customer.fill('#chat-input', ANSWER);
    await customer.click('#chat-form button[type=submit]');
    await customer.waitForFunction((text) => document.querySelector('#chat-log li:last-child .chat-text')?.textContent === text, ANSWER);
    await panel.waitForSelector('#chat-unread:not([hidden])', { timeout: 20_000 });
    expect(await panel.textContent('#chat-unread')).toBe('1');
    await panel.click('#chat-toggle');
    expect(await panel.isHidden('#chat-unread')).toBe(true);
    expect(await lastMessage(panel)).toBe(ANSWER);
    expect(await panel.textContent('#chat-log li:last-child .chat-author')).toBe('DESKTOP-WINDOW');
    // Shown as text, never as markup.
    await panel.fill('#chat-input', '<img src=x onerror="document.body.dataset.hacked=1">');
    await panel.press('#chat-input', 'Enter');
    await customer.waitForFunction(() => document.querySelector('#chat-log li:last-child .chat-text')?.textContent?.startsWith('<img'));
    expect(await customer.evaluate(() => document.body.dataset.hacked ?? null)).toBeNull();
    expect(await customer.$$eval('#chat-log img', (list) => list.length)).toBe(0);

    // The session ends: both chats close and the next session starts empty.
    await customer.click('#stop-button');
    await waitForBodyState(customer, 'ended', 20_000);
    await panel.waitForSelector('#chat-toggle[hidden]', { state: 'attached', timeout: 20_000 });
    expect(await customer.isHidden('#chat-toggle')).toBe(true);
  }, 120_000);
});
