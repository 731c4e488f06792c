import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { assertTechnicianBuilt, connectPanelWithCode } from '../browser/panel-driver';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import { connectPageThroughWindow } from '../support/customer-window';
import {
  customerDesktopPage, describeWithDesktop, startAgentProcess, startDesktop, startWindowProcess, type AgentProcess, type Desktop,
} from '../support/desktop';
import { stopChild } from '../support/xvfb';
import { eventually } from '../support/relay-harness';

const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x40, 0x80, 0x40] as const };
const MB = 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Records every percentage a transfer row of the page shows, in order (a MutationObserver in the page). */
async function watchPercents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    (window as unknown as { percents: typeof seen }).percents = seen;
    new MutationObserver(() => {
      for (const row of document.querySelectorAll<HTMLElement>('#file-list .file-row')) {
        const list = (seen[row.dataset.id!] ??= []);
        const percent = Number(row.dataset.percent ?? '0');
        if (list.at(-1) !== percent) list.push(percent);
      }
    }).observe(document.getElementById('file-list')!, { subtree: true, attributes: true, childList: true });
  });
}

function rowState(page: Page, id: number): Promise<string | null> {
  return page.evaluate((n) => document.querySelector<HTMLElement>(`#file-list [data-id="${n}"]`)?.dataset.state ?? null, id);
}

/**
 * Issue 15 (2): files both ways between the technician's page in real Chromium and the real
 * terminal agent on an X display, through the real relay. The customer answers with the
 * terminal's commands, typed into the agent's input.
 */
describeWithDesktop('file transfer between the technician page and the agent', () => {
  let desktop: Desktop;
  let agent: AgentProcess;
  let browser: TestBrowser;
  let panel: Page;
  let root: string;
  let downloads: string;

  beforeAll(async () => {
    assertTechnicianBuilt();
    root = await mkdtemp(path.join(os.tmpdir(), 'file-transfer-desktop-'));
    downloads = path.join(root, 'Descargas');
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: 1024, height: 640 });
    agent = startAgentProcess(desktop.display, desktop.relay.wsUrl, ['--downloads', downloads], true);
    browser = await launchTestBrowser({ locale: 'en-US', viewport: { width: 1300, height: 850 } });
    panel = await browser.newPage();
    await connectPanelWithCode(panel, desktop.relay.url, await agent.code);
    await panel.waitForSelector('#files-menu:not([hidden])', { timeout: 20_000 });
    await watchPercents(panel);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await desktop?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('50 MB from the page reach the agent\'s Downloads with the same SHA-256, progress rising to 100 %', async () => {
    const data = new Uint8Array(randomBytes(50 * MB));
    const file = path.join(root, 'respaldo.bin');
    await writeFile(file, data);
    await panel.setInputFiles('#files-input', file);
    await agent.waitForOutput('Type /accept 1', 20_000);
    agent.type('/accept 1');
    await panel.waitForSelector('#file-list [data-id="1"][data-state="sent"]', { timeout: 60_000 });
    await agent.waitForOutput('"respaldo.bin": received and checked', 10_000);
    expect(await readdir(downloads)).toEqual(['respaldo.bin']);
    expect(sha256(await readFile(path.join(downloads, 'respaldo.bin')))).toBe(sha256(data));
    const seen = await panel.evaluate(() => (window as unknown as { percents: Record<string, number[]> }).percents['1']!);
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.filter((p) => p > 0 && p < 100).length).toBeGreaterThan(2);
  }, 120_000);

  test('50 MB the technician asks for come from the file the customer names, with the same SHA-256', async () => {
    const data = new Uint8Array(randomBytes(50 * MB));
    const file = path.join(root, 'registro del equipo.log');
    await writeFile(file, data);
    await panel.click('#files-toggle');
    await panel.click('#files-request');
    await agent.waitForOutput('Type /send 2', 20_000);
    const download = panel.waitForEvent('download', { timeout: 60_000 });
    agent.type(`/send 2 ${file}`);
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('registro del equipo.log');
    expect(sha256(await readFile((await saved.path())!))).toBe(sha256(data));
    expect(await rowState(panel, 2)).toBe('saved');
  }, 120_000);

  test('declining sends nothing; cancelling mid-way leaves no partial file on the agent', async () => {
    await panel.setInputFiles('#files-input', { name: 'no.txt', mimeType: 'text/plain', buffer: Buffer.from('no') });
    await agent.waitForOutput('Type /accept 3', 20_000);
    agent.type('/decline 3');
    await panel.waitForSelector('#file-list [data-id="3"][data-state="declined"]', { timeout: 20_000 });
    expect(await readdir(downloads)).toEqual(['respaldo.bin']);

    const big = path.join(root, 'grande.bin');
    await writeFile(big, randomBytes(50 * MB));
    await panel.setInputFiles('#files-input', big);
    await agent.waitForOutput('Type /accept 4', 20_000);
    agent.type('/accept 4');
    await panel.waitForFunction(() => Number(document.querySelector<HTMLElement>('#file-list [data-id="4"]')?.dataset.percent ?? 0) >= 10, undefined, { timeout: 60_000 });
    await panel.click('#file-list [data-id="4"] .file-cancel');
    await panel.waitForSelector('#file-list [data-id="4"][data-state="cancelled"]', { timeout: 20_000 });
    await agent.waitForOutput('"grande.bin": cancelled by the technician', 20_000);
    await eventually(async () => (await readdir(downloads)).length === 1, 10_000, 'the partial file to go');
    expect(await readdir(downloads)).toEqual(['respaldo.bin']);
  }, 120_000);

  test('a file dropped on the session is offered like one chosen with the button', async () => {
    const dataTransfer = await panel.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['soltado sobre la sesión'], 'soltado.txt', { type: 'text/plain' }));
      return dt;
    });
    await panel.dispatchEvent('#session-view', 'dragover', { dataTransfer });
    expect(await panel.isVisible('#file-drop-hint')).toBe(true);
    await panel.dispatchEvent('#session-view', 'drop', { dataTransfer });
    await agent.waitForOutput('Type /accept 5', 20_000);
    agent.type('/accept 5');
    await panel.waitForSelector('#file-list [data-id="5"][data-state="sent"]', { timeout: 20_000 });
    expect(await readFile(path.join(downloads, 'soltado.txt'), 'utf8')).toBe('soltado sobre la sesión');
    expect(await panel.isHidden('#file-drop-hint')).toBe(true);
  }, 60_000);

  test('the customer cancels from the terminal: the page hears it, no partial file stays', async () => {
    const big = path.join(root, 'otro-grande.bin');
    // Large enough that the customer's cancel, typed once 2 % arrived, comes seconds before the end.
    await writeFile(big, randomBytes(150 * MB));
    await panel.setInputFiles('#files-input', big);
    await agent.waitForOutput('Type /accept 6', 20_000);
    agent.type('/accept 6');
    await panel.waitForFunction(() => Number(document.querySelector<HTMLElement>('#file-list [data-id="6"]')?.dataset.percent ?? 0) >= 2, undefined, { timeout: 60_000 });
    agent.type('/cancel 6');
    await panel.waitForSelector('#file-list [data-id="6"][data-state="cancelled-by-peer"]', { timeout: 20_000 });
    await eventually(async () => (await readdir(downloads)).every((n) => !n.endsWith('.part')), 10_000, 'the partial file to go');
    expect((await readdir(downloads)).sort()).toEqual(['respaldo.bin', 'soltado.txt']);
  }, 120_000);
});

/**
 * The same through the customer's window (the browser fallback of client/app in Chromium,
 * the window's agent on the X display): the customer accepts in the window, and, asked for a
 * file, names it in the window (the fallback cannot open a file dialog for the agent).
 */
describeWithDesktop('file transfer between the technician page and the customer window', () => {
  let desktop: Desktop;
  let agent: ReturnType<typeof startWindowProcess>;
  let browser: TestBrowser;
  let panel: Page;
  let customer: Page;
  let root: string;
  let downloads: string;

  beforeAll(async () => {
    assertTechnicianBuilt();
    root = await mkdtemp(path.join(os.tmpdir(), 'file-transfer-window-'));
    downloads = path.join(root, 'Downloads');
    desktop = await startDesktop(customerDesktopPage(BLOCK), { width: 1024, height: 640 });
    agent = startWindowProcess(desktop.display, desktop.relay.wsUrl, ['--downloads', downloads]);
    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1300, height: 850 } });
    panel = await browser.newPage();
    customer = await browser.newPage();
    await customer.setViewportSize({ width: 760, height: 700 });
    await customer.goto(await agent.url);
    await connectPageThroughWindow(customer, panel, desktop.relay.url);
    await panel.waitForSelector('#files-menu:not([hidden])', { timeout: 20_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (agent) await stopChild(agent.child);
    await desktop?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('the customer accepts in the window: the file lands in Downloads, checked; declining keeps nothing', async () => {
    const data = new Uint8Array(randomBytes(5 * MB));
    const file = path.join(root, 'manual.pdf');
    await writeFile(file, data);
    await panel.setInputFiles('#files-input', file);
    await customer.waitForSelector('.file-question .file-accept', { timeout: 20_000 });
    expect(await customer.textContent('.file-question p')).toContain('«manual.pdf»');
    await customer.click('.file-question .file-accept');
    await panel.waitForSelector('#file-list [data-id="1"][data-state="sent"]', { timeout: 60_000 });
    await customer.waitForSelector('#file-transfers [data-id="1"][data-state="saved"]', { timeout: 20_000 });
    expect(await customer.getAttribute('#file-transfers [data-id="1"]', 'data-percent')).toBe('100');
    expect(sha256(await readFile(path.join(downloads, 'manual.pdf')))).toBe(sha256(data));

    await panel.setInputFiles('#files-input', { name: 'otro.txt', mimeType: 'text/plain', buffer: Buffer.from('no') });
    await customer.waitForSelector('.file-question .file-decline', { timeout: 20_000 });
    await customer.click('.file-question .file-decline');
    await panel.waitForSelector('#file-list [data-id="2"][data-state="declined"]', { timeout: 20_000 });
    expect(await readdir(downloads)).toEqual(['manual.pdf']);
  }, 120_000);

  test('asked for a file, the customer names it in the window and the page saves it, checked; "do not send" sends nothing', async () => {
    const data = new Uint8Array(randomBytes(5 * MB));
    const file = path.join(root, 'informe.xlsx');
    await writeFile(file, data);
    await panel.click('#files-toggle');
    await panel.click('#files-request');
    await customer.waitForSelector('.file-question .file-path', { timeout: 20_000 });
    await customer.fill('.file-question .file-path', file);
    const download = panel.waitForEvent('download', { timeout: 60_000 });
    await customer.click('.file-question .file-pick');
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('informe.xlsx');
    expect(sha256(await readFile((await saved.path())!))).toBe(sha256(data));

    await panel.click('#files-toggle');
    await panel.click('#files-request');
    await customer.waitForSelector('.file-question .file-pick-none', { timeout: 20_000 });
    await customer.click('.file-question .file-pick-none');
    await panel.waitForSelector('#file-list [data-id="4"][data-state="declined"]', { timeout: 20_000 });
    expect(await customer.$$('.file-question')).toHaveLength(0);
  }, 120_000);
});
