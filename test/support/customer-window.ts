import type { Page } from 'playwright-core';

/** The 6 digits the customer's window shows ("385 621" → "385621"), once it shows them. */
export async function shownCode(page: Page): Promise<string> {
  await page.waitForFunction(() => /^\d{3} \d{3}$/.test(document.getElementById('code-value')?.textContent ?? ''));
  return ((await page.textContent('#code-value')) ?? '').trim().replace(' ', '');
}
