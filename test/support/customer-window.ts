import type { Page } from 'playwright-core';

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
