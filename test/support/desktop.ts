import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { encodeFrameAck, FrameFlag, type FrameHeader } from '../../protocol';
import type { Relay } from '../../relay/server';
import { CHROMIUM_PATH } from './browser';
import { startTestRelay } from './relay-harness';
import { requireTool } from './require-tool';
import { WsTestPeer } from './ws-peer';
import { startXvfb, stopChild, type XvfbDisplay } from './xvfb';

/** Every system tool the desktop tests use (loud skip outside CI, failure under CI=true). */
export function hasDesktopTools(): boolean {
  return [requireTool('Xvfb', 'xvfb'), requireTool('chromium', 'chromium'), requireTool('import', 'imagemagick'),
    requireTool('xrandr', 'x11-xserver-utils'), requireTool('xclip', 'xclip')].every(Boolean);
}

/** `describe` where the desktop tools are installed, else `describe.skip` (see hasDesktopTools). */
export function describeWithDesktop(name: string, fn: () => void): void {
  (hasDesktopTools() ? describe : describe.skip)(name, fn);
}

/**
 * A real Chromium window filling the Xvfb screen (kiosk: no browser chrome, so page
 * coordinates are screen coordinates), driven through playwright-core. This is the
 * "real window" that the agent captures and types into.
 */
export interface DesktopBrowser {
  readonly page: Page;
  close(): Promise<void>;
}

export async function openDesktopBrowser(display: XvfbDisplay, html: string): Promise<DesktopBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ce-desktop-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: false,
    env: { ...process.env, DISPLAY: display.display },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--kiosk', '--window-position=0,0',
      // Without a window manager Chromium makes the window one pixel short of what it is
      // asked for (seen: 1279×719 for 1280×720); one more covers the whole screen.
      `--window-size=${display.width + 1},${display.height + 1}`,
      '--disable-features=OverlayScrollbar', '--hide-scrollbars',
      // Wheel steps land at once instead of animating, so a test can read the result.
      '--disable-smooth-scrolling'],
    viewport: null,
    timeout: 30_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  await page.setContent(html);
  // Wait until the window covers the screen from its top-left corner, so page coordinates are screen coordinates.
  await page.waitForFunction(`innerWidth >= ${display.width} && innerHeight >= ${display.height} && screenX === 0 && screenY === 0`, undefined, { timeout: 10_000 });
  return {
    page,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What every desktop test stands on: an Xvfb screen, a real Chromium window covering it
 * with `html`, and a real relay. The agent under test is started on top by each test.
 */
export interface Desktop {
  readonly display: XvfbDisplay;
  readonly window: DesktopBrowser;
  readonly relay: Relay;
  /** Closes the relay, the window and the X server, in that order. */
  close(): Promise<void>;
}

export async function startDesktop(html: string, size: { readonly width: number; readonly height: number }): Promise<Desktop> {
  const display = await startXvfb(size);
  let window: DesktopBrowser | undefined;
  try {
    window = await openDesktopBrowser(display, html);
    const relay = await startTestRelay();
    return {
      display, window, relay,
      async close() {
        await relay.close();
        await window!.close();
        await display.stop();
      },
    };
  } catch (error) {
    await window?.close();
    await display.stop();
    throw error;
  }
}

/** The real agent (the built `dist/client/main.js`) as its own process on the display. */
export interface AgentProcess {
  /** The agent's process id (to read its CPU time in /proc). */
  readonly pid: number;
  readonly code: Promise<string>;
  readonly output: () => string;
  /** Resolves when the agent has printed `text`; rejects after `timeoutMs`, or if it exits first. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Calls `listener` with each chunk the agent prints (after it is in `output()`); returns the unsubscribe. */
  onOutput(listener: (chunk: string) => void): () => void;
  /** Types a line into the agent's terminal (only when started with `typing`). */
  type(line: string): void;
  stop(): Promise<void>;
}

export function startAgentProcess(display: XvfbDisplay, relayWsUrl: string, extraArgs: string[] = [], typing = false): AgentProcess {
  const main = resolve(__dirname, '../../dist/client/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, '--relay', relayWsUrl, '--accept', 'control', '--lang', 'en', '--name', 'DESKTOP-TEST', ...extraArgs], {
    env: { ...display.env(), LOG_LEVEL: 'warn' },
    stdio: [typing ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const code = new Promise<string>((resolveCode, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      // "385 621 947": the relay's six digits and the agent's secret ones, all of them.
      const m = /^\s+(\d{3}) (\d{3}) (\d{3,6})\s*$/m.exec(out);
      if (m) resolveCode(`${m[1]}${m[2]}${m[3]}`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('exit', (c) => reject(new Error(`agent exited (${c}) before showing a code:\n${out}`)));
    setTimeout(() => reject(new Error(`agent showed no code in 20 s:\n${out}`)), 20_000).unref();
  });
  code.catch(() => undefined);
  const waitForOutput = (text: string, timeoutMs = 10_000): Promise<void> => new Promise((resolveWait, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveWait();
    };
    // Added after the listeners that collect `out`, so each sees its chunk already appended.
    const check = (): void => { if (out.includes(text)) finish(); };
    const onExit = (c: number | null): void => finish(new Error(`agent exited (${c}) without printing '${text}':\n${out}`));
    const timer = setTimeout(() => finish(new Error(`agent did not print '${text}' in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
  const onOutput = (listener: (chunk: string) => void): (() => void) => {
    const forward = (c: Buffer): void => listener(c.toString('utf8'));
    child.stdout!.on('data', forward);
    child.stderr!.on('data', forward);
    return () => {
      child.stdout!.off('data', forward);
      child.stderr!.off('data', forward);
    };
  };
  const type = (line: string): void => {
    if (child.stdin === null) throw new Error('this agent was started without typing');
    child.stdin.write(`${line}\n`);
  };
  return { pid: child.pid!, code, output: () => out, waitForOutput, onOutput, type, stop: () => stopChild(child) };
}

/** The window's agent as its own process (`npm run client:window`), showing its page on 127.0.0.1. */
export function startWindowProcess(display: XvfbDisplay, relayWsUrl: string, extraArgs: string[] = []): { url: Promise<string>; output: () => string; child: ChildProcess } {
  const main = resolve(__dirname, '../../dist/client/window.js');
  const child = spawn(process.execPath, [main, '--no-open', '--relay', relayWsUrl, '--name', 'DESKTOP-WINDOW', ...extraArgs], {
    env: { ...display.env(), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /(http:\/\/127\.0\.0\.1:\d+\/open\?code=[A-Za-z0-9_-]+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('exit', (c) => reject(new Error(`the window process exited (${c}):\n${out}`)));
    setTimeout(() => reject(new Error(`no window address in 20 s:\n${out}`)), 20_000).unref();
  });
  url.catch(() => undefined);
  return { url, output: () => out, child };
}

/**
 * A technician that draws what it receives into an RGB picture of the remote screen,
 * acknowledging each update once drawn, as the viewer does. While it runs it reads every
 * message of the peer and drops the text ones: stop it before waiting for a text message.
 */
export class ComposingTechnician {
  width = 0;
  height = 0;
  pixels = new Uint8Array(0);
  /** Every rectangle received, in order. */
  readonly rects: { header: FrameHeader; bytes: number; at: number }[] = [];
  private running = true;
  private readonly loop: Promise<void>;
  /** Called after each rectangle is drawn (the waits below listen here). */
  private readonly listeners = new Set<() => void>();

  constructor(readonly peer: WsTestPeer) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let item;
      try {
        item = await this.peer.nextAny(1000);
      } catch {
        // The socket closed: nothing more will come (looping on would never yield to timers).
        if (this.peer.ws.readyState === this.peer.ws.CLOSED) return;
        continue; // nothing for a second: keep listening until stopped
      }
      if (item.kind !== 'binary' || item.message.kind !== 'frame') continue;
      const { header, image } = item.message;
      if (header.screenWidth !== this.width || header.screenHeight !== this.height) {
        this.width = header.screenWidth;
        this.height = header.screenHeight;
        this.pixels = new Uint8Array(this.width * this.height * 3);
      }
      const { data, info } = await sharp(Buffer.from(image)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      for (let y = 0; y < info.height; y++) {
        const src = y * info.width * 3;
        const dst = ((header.y + y) * this.width + header.x) * 3;
        this.pixels.set(data.subarray(src, src + info.width * 3), dst);
      }
      this.rects.push({ header, bytes: item.raw.byteLength, at: Date.now() });
      if (header.flags & FrameFlag.LAST) this.peer.sendRaw(encodeFrameAck(header.seq, header.captureTimeMs));
      for (const listener of [...this.listeners]) listener();
    }
  }

  /**
   * Resolves once `quietMs` pass without a rectangle, after at least one has come (the
   * screen is still and drawn). Every rectangle restarts the quiet time; fails after
   * `timeoutMs` if the stream never goes quiet.
   */
  settle(quietMs = 700, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let quiet: NodeJS.Timeout | undefined;
      const finish = (error?: Error): void => {
        clearTimeout(quiet);
        clearTimeout(deadline);
        this.listeners.delete(restart);
        if (error) reject(error);
        else resolve();
      };
      const restart = (): void => {
        clearTimeout(quiet);
        quiet = setTimeout(() => finish(), Math.max(0, this.rects.at(-1)!.at + quietMs - Date.now()));
      };
      const deadline = setTimeout(() => finish(new Error(`the stream did not settle in ${timeoutMs} ms`)), timeoutMs);
      this.listeners.add(restart);
      if (this.rects.length > 0) restart();
    });
  }

  /**
   * The claim "a still screen sends nothing": resolves after `ms` without a rectangle,
   * and fails at once when one arrives. The time is the claim itself, not a wait for
   * something to happen.
   */
  staysQuietFor(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const seen = this.rects.length;
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.listeners.delete(onRect);
        if (error) reject(error);
        else resolve();
      };
      const onRect = (): void => {
        const { header } = this.rects[seen]!;
        finish(new Error(`a rectangle came from a still screen: ${header.width}×${header.height} at ${header.x},${header.y} (seq ${header.seq})`));
      };
      const timer = setTimeout(() => finish(), ms);
      this.listeners.add(onRect);
    });
  }

  /** Resolves once more than `count` rectangles have come in all; fails after `timeoutMs`. */
  rectsBeyond(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => { if (this.rects.length > count) finish(); };
      const timer = setTimeout(() => finish(new Error(`no rectangle beyond the first ${count} in ${timeoutMs} ms`)), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** The X screen as ImageMagick's `import` sees it: an independent witness. */
export async function captureWithImport(display: XvfbDisplay): Promise<{ width: number; height: number; pixels: Uint8Array }> {
  const result = spawnSync('import', ['-display', display.display, '-window', 'root', 'png:-'], { maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr.toString()}`);
  const { data, info } = await sharp(result.stdout).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, pixels: new Uint8Array(data) };
}

/** Mean absolute difference per channel, and the share of pixels off by more than `tolerance`. */
export function compareRgb(a: Uint8Array, b: Uint8Array, tolerance = 48): { mean: number; badShare: number } {
  let sum = 0;
  let bad = 0;
  const pixels = a.length / 3;
  for (let i = 0; i < a.length; i += 3) {
    const d0 = Math.abs(a[i]! - b[i]!);
    const d1 = Math.abs(a[i + 1]! - b[i + 1]!);
    const d2 = Math.abs(a[i + 2]! - b[i + 2]!);
    sum += d0 + d1 + d2;
    if (Math.max(d0, d1, d2) > tolerance) bad++;
  }
  return { mean: sum / a.length, badShare: bad / pixels };
}

/** The known block on the customer's screen of the end-to-end tests, and its colour. */
export interface ColourBlock {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: readonly [number, number, number];
}

/**
 * The customer's desktop of the end-to-end tests: a coloured block (what the canvas must
 * show), a pad that records mouse presses (`window.clicks`, screen coordinates) and a text
 * area (where typed text must land).
 */
export function customerDesktopPage(block: ColourBlock): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;width:100%;height:100%;overflow:hidden;background:#fafafa;font:16px "DejaVu Sans",sans-serif}
  * { caret-color: transparent; }
  #block{position:absolute;left:${block.x}px;top:${block.y}px;width:${block.width}px;height:${block.height}px;background:rgb(${block.rgb.join(',')})}
  #pad{position:absolute;left:480px;top:60px;width:700px;height:260px;background:#ffe4b5}
  #text{position:absolute;left:80px;top:380px;width:1100px;height:200px;font-size:22px}
</style></head><body>
  <div id="block"></div><div id="pad"></div><textarea id="text"></textarea>
  <script>
    window.clicks = [];
    document.getElementById('pad').addEventListener('mousedown', (e) => window.clicks.push({ button: e.button, x: e.screenX, y: e.screenY }));
    document.getElementById('pad').addEventListener('contextmenu', (e) => e.preventDefault());
  </script></body></html>`;
}

/** Resolves once the technician page's canvas shows `block`'s colour at its centre (JPEG tolerance). */
export async function untilCanvasShows(panel: Page, block: ColourBlock, timeoutMs = 20_000): Promise<void> {
  const cx = block.x + block.width / 2;
  const cy = block.y + block.height / 2;
  await panel.waitForFunction(([x, y, r, g, b]) => {
    const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
    if (canvas.width < 100) return false;
    const d = canvas.getContext('2d')!.getImageData(x!, y!, 1, 1).data;
    return Math.abs(d[0]! - r!) < 12 && Math.abs(d[1]! - g!) < 12 && Math.abs(d[2]! - b!) < 12;
  }, [cx, cy, ...block.rgb], { timeout: timeoutMs });
}
