import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { requireTool } from './require-tool';

/** Debian's Chromium, installed by scripts/install-system-deps.sh. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags every test browser runs with: headless, no sandbox (containers have no user
 * namespaces), no GPU, and nothing that talks to the network or syncs on its own, so a
 * test sees only its own traffic.
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
]);

/** Whether Chromium is here (loud skip outside CI, failure under CI=true). */
export function hasChromium(): boolean {
  return requireTool('chromium', 'chromium');
}

/** How the test browser presents itself. */
export interface TestBrowserOptions {
  /** BCP 47 locale: `navigator.language(s)`, Accept-Language and `--lang`. Default `en-US`. */
  readonly locale?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** A headless Chromium with a fresh profile; `close()` ends it and deletes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium through playwright-core with a fresh user-data dir
 * (`mkdtemp`), so no state leaks between test files. Playwright passes the profile as
 * `--user-data-dir` itself (it refuses the flag in `args`), hence launchPersistentContext.
 */
export async function launchTestBrowser(options: TestBrowserOptions = {}): Promise<TestBrowser> {
  const locale = options.locale ?? 'en-US';
  const userDataDir = mkdtempSync(join(tmpdir(), 'ce-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, `--lang=${locale}`],
      locale,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    newPage: () => context.newPage(),
    close: () => (closed ??= (async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    })()),
  };
}

/**
 * `describe` where Chromium is installed, else `describe.skip` (see hasChromium). A
 * function, so that importing this module outside jest (the benchmarks do) needs no `describe`.
 */
export function describeWithChromium(name: string, fn: () => void): void {
  (hasChromium() ? describe : describe.skip)(name, fn);
}

/**
 * One browser for a describe block: launched before its first test, closed (profile and
 * all) after its last. Call inside the block; the getter returns it during a test.
 */
export function browserForBlock(options: TestBrowserOptions = {}): () => TestBrowser {
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    browser = await launchTestBrowser(options);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the block\'s browser is not running (called outside a test?)');
    return browser;
  };
}

/** Waits until the page's body says `state` (`data-state`): both the technician page and the customer window show their state so. */
export async function waitForBodyState(page: Page, state: string, timeoutMs = 10_000): Promise<void> {
  await page.waitForSelector(`body[data-state="${state}"]`, { timeout: timeoutMs });
}

/** What a page opened and sent over WebSocket, as recorded inside the page by {@link watchPageSockets}. */
export interface PageSockets {
  /** WebSockets the page has constructed. */
  opened(): Promise<number>;
  /** Text messages it has sent on them, in order, parsed as JSON. */
  sent(): Promise<Record<string, unknown>[]>;
}

/**
 * Records, inside the page, every WebSocket it opens and every text message it sends,
 * from the current document on and in every document loaded after. The record is made as
 * the page calls `new WebSocket()` and `send()`, so reading it needs no waiting: what the
 * page has sent by the time of the read is there. Works for pages that look `WebSocket`
 * up when they connect (the technician page does).
 */
export async function watchPageSockets(page: Page): Promise<PageSockets> {
  const install = (): void => {
    const w = window as unknown as { socketWatch?: { opened: number; sent: string[] } };
    if (w.socketWatch) return;
    const watch = { opened: 0, sent: [] as string[] };
    w.socketWatch = watch;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        watch.opened++;
      }

      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        if (typeof data === 'string') watch.sent.push(data);
        super.send(data);
      }
    };
  };
  await page.addInitScript(install);
  await page.evaluate(install);
  const read = (): Promise<{ opened: number; sent: string[] }> =>
    page.evaluate(() => (window as unknown as { socketWatch: { opened: number; sent: string[] } }).socketWatch);
  return {
    opened: async () => (await read()).opened,
    sent: async () => (await read()).sent.map((text) => JSON.parse(text) as Record<string, unknown>),
  };
}

/** Resolves after the page's next animation frame: work it defers to that frame (coalesced pointer moves) is done. */
export async function nextAnimationFrame(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => { requestAnimationFrame(() => resolve()); }));
}
