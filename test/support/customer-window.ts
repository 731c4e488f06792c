import type { Page } from 'playwright-core';
import type { ControlMessage } from '../../protocol';
import { waitForBodyState } from './browser';
import { openPanel, submitCode, waitForState } from '../browser/panel-driver';
import { joinSealed } from './sealed-peers';
import type { WsTestPeer } from './ws-peer';

/**
 * Every digit the customer's window shows, once it shows a code ("385 621 947" →
 * "385621947"): the relay's six and the agent's secret ones.
 */
export async function shownCode(page: Page): Promise<string> {
  await page.waitForFunction(() => /^\d{3} \d{3} \d{3,6}$/.test(document.getElementById('code-value')?.textContent ?? ''));
  return ((await page.textContent('#code-value')) ?? '').trim().replace(/ /g, '');
}

/** Resolves once the window shows a code other than `old` (all digits, spaces ignored). */
export async function untilCodeChanges(page: Page, old: string): Promise<string> {
  await page.waitForFunction((previous) => {
    const shown = (document.getElementById('code-value')?.textContent ?? '').replace(/ /g, '');
    return /^\d{9,12}$/.test(shown) && shown !== previous;
  }, old);
  return shownCode(page);
}

/**
 * The customer's part of a session, in the window open in `page` (freshly loaded): click
 * "Conectar con Soporte", read the code, a sealed technician joins with it through the
 * relay, the customer allows control. Resolves with the paired technician, the code and
 * the screen it was told about, once the window shows it is sharing. `describe` adds the
 * program's output to a failure.
 */
export async function connectAndAllowControl(page: Page, relayWsUrl: string, describe: () => string = () => '', features?: readonly string[]):
Promise<{ tech: WsTestPeer; code: string; info: Extract<ControlMessage, { type: 'screen-info' }> }> {
  await waitForBodyState(page, 'idle', 20_000);
  await page.click('#connect-button');
  await waitForBodyState(page, 'code', 30_000).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\nwindow: ${await page.getAttribute('body', 'data-state')} ${await page.textContent('#failed-text')}\nprogram:\n${describe()}`);
  });
  const code = await shownCode(page);
  const { tech } = await joinSealed(relayWsUrl, code, undefined, features);
  await waitForBodyState(page, 'consent', 20_000);
  await page.click('#allow-control');
  await tech.until('paired', 20_000);
  const info = await tech.until('screen-info', 20_000);
  await waitForBodyState(page, 'sharing', 20_000);
  return { tech, code, info };
}

/**
 * A whole start of a session as people make it: the customer clicks "Conectar con Soporte"
 * in the window open in `customer`, reads the code out, the technician types it into the
 * page open in `panel`, the customer allows control. Resolves once both show the session.
 */
export async function connectPageThroughWindow(customer: Page, panel: Page, relayUrl: string, technicianName = 'Juan (CompuEasys)'): Promise<void> {
  await waitForBodyState(customer, 'idle', 20_000);
  await customer.click('#connect-button');
  await waitForBodyState(customer, 'code', 30_000);
  await openPanel(panel, relayUrl);
  await submitCode(panel, await shownCode(customer), technicianName);
  await waitForBodyState(customer, 'consent', 20_000);
  await customer.click('#allow-control');
  await waitForState(panel, 'connected', 20_000);
  await waitForBodyState(customer, 'sharing', 20_000);
}
