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
