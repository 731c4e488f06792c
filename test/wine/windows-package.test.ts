import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import type { InputEvent } from '../../protocol';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { connectAndAllowControl } from '../support/customer-window';
import { captureWithImport, compareRgb, ComposingTechnician } from '../support/desktop';
import { startTestRelay } from '../support/relay-harness';
import { describeWithWine, untilFileMatches, WinePrefix } from '../support/wine';
import { openTestX } from '../support/x11-windows';
import type { WsTestPeer } from '../support/ws-peer';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const NAME = 'CompuEasys-Soporte-win-x64';
const WIDTH = 1024;
const HEIGHT = 768;
/** Every character here was lost or cut to a byte by libnut-win32's typing. */
const PHRASE = 'Útil: año, € ñ ü ß 日本';
/** The technician's text for the customer's clipboard (issue 15's phrase). */
const CLIPBOARD_TEXT = 'año, €, ñ';
const NO_MODIFIERS = { ctrl: false, alt: false, shift: false, meta: false };

/**
 * The customer's Windows download (issue 12), proven under Wine on Xvfb: `npm run
 * package:win` builds the zip here, it is unpacked elsewhere and its sums checked, and
 * CompuEasys-Soporte.exe runs in a fresh Wine prefix against a real relay. A sealed
 * technician pairs through the customer's window (real Chromium), the picture it
 * composes matches an independent screenshot of the Wine desktop, a click and a phrase
 * full of non-ASCII characters reach Wine's Notepad exactly (read back through the
 * clipboard), and the program exits 0 when the customer closes the window. Wine is not
 * Windows: README, "The customer's download", says what this does not prove.
 */
describeWithWine('the Windows package under Wine', () => {
  let relay: Relay;
  let xvfb: XvfbDisplay;
  let wine: WinePrefix;
  let work: string;
  let exe: ChildProcess | undefined;
  let browser: TestBrowser | undefined;
  let tech: WsTestPeer | undefined;
  let view: ComposingTechnician | undefined;
  let closeX: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rs-package-win-'));
    relay = await startTestRelay();
    xvfb = await startXvfb({ width: WIDTH, height: HEIGHT });
    wine = await WinePrefix.create(xvfb);
  }, 180_000);

  afterAll(async () => {
    await view?.stop();
    await closeX?.();
    tech?.close();
    await browser?.close();
    if (exe && exe.exitCode === null) exe.kill('SIGKILL');
    await wine?.close();
    await xvfb?.stop();
    await relay?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('built, unpacked and started with no options: opens its window in the default browser, pairs sealed, shows the Wine desktop, types into Notepad exactly, fetches and sets the clipboard, exits 0', async () => {
    // 1. Build and unpack, as the customer gets it; every sum holds.
    const built = join(work, 'built');
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), 'win', '--relay', relay.wsUrl, '--out', built],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
    const archive = stdout.trim().split('\n').pop()!;
    expect(archive).toBe(join(built, `${NAME}.zip`));
    const unpacked = join(work, 'customer');
    mkdirSync(unpacked);
    execFileSync('unzip', ['-q', archive, '-d', unpacked]);
    const dir = join(unpacked, NAME);
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    for (const line of sums) {
      const [hash, file] = line.split(/  /);
      expect(createHash('sha256').update(readFileSync(join(dir, file!))).digest('hex')).toBe(hash);
    }
    const listed = sums.map((l) => l.split(/  /)[1]!);
    expect(listed).toEqual(expect.arrayContaining(['CompuEasys-Soporte.exe', 'capture-worker.js', 'dist/client-app/index.html']));
    // The Windows native parts, not this machine's.
    for (const native of ['node_modules/@img/sharp-win32-x64/', 'node_modules/@nut-tree-fork/libnut-win32/', 'node_modules/@koromix/koffi-win32-x64/', 'node_modules/bufferutil/prebuilds/win32-x64/']) {
      expect(listed.some((f) => f.startsWith(native))).toBe(true);
    }
    expect(readFileSync(join(dir, 'CompuEasys-Soporte.exe')).subarray(0, 2).toString('latin1')).toBe('MZ');

    // 2. Two Notepads on Wine's desktop. One's title holds the window's name, as the
    // customer's window would on Windows: the taskbar flash is asked of it (this test's
    // window is a Linux Chromium, which no Windows call can reach). It stays out of the
    // way, below the other, where the technician will type.
    writeFileSync(join(wine.dir, 'drive_c', 'CompuEasys Soporte Remoto.txt'), '');
    wine.start('notepad', ['C:\\CompuEasys Soporte Remoto.txt']);
    const namesake = (await run('xdotool', ['search', '--sync', '--onlyvisible', '--name', 'CompuEasys Soporte Remoto'], { env: xvfb.env(), timeout: 60_000 })).stdout.trim().split('\n')[0]!;
    await run('xdotool', ['windowmove', namesake, '600', '560'], { env: xvfb.env() });
    wine.start('notepad', []);
    const notepad = (await run('xdotool', ['search', '--sync', '--onlyvisible', '--name', '^Untitled - Notepad$'], { env: xvfb.env(), timeout: 60_000 })).stdout.trim().split('\n')[0]!;
    const geometry = (await run('xdotool', ['getwindowgeometry', '--shell', notepad], { env: xvfb.env() })).stdout;
    const at = (key: string): number => Number(new RegExp(`^${key}=(\\d+)`, 'm').exec(geometry)![1]);
    const textArea = { x: at('X') + Math.round(at('WIDTH') / 2), y: at('Y') + Math.round(at('HEIGHT') / 2) };

    // 3. The program as a double-click starts it: no options at all (the relay is the one
    // baked in). It opens its window in "the default browser", which records the address for
    // this test's Chromium to open.
    const opened = join(work, 'browser-opens.txt');
    await wine.recordBrowserOpens(opened);
    const output = join(work, 'program.log');
    exe = wine.start(join(dir, 'CompuEasys-Soporte.exe'), [], { cwd: dir, env: { LOG_LEVEL: 'debug' }, outputFile: output });
    const exited = new Promise<number | null>((done) => exe!.once('exit', (code) => done(code)));
    const [launcherUrl] = await untilFileMatches(opened, /^file:\/\/\S+\.html$/m, 60_000, exited);

    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
    const page: Page = await browser.newPage();
    await page.goto(launcherUrl!);
    // 4. The customer connects, reads the code, a sealed technician pairs, control is allowed.
    let code: string;
    let info;
    // The technician can use the clipboard (a page names it; step 7 uses it).
    ({ tech, code, info } = await connectAndAllowControl(page, relay.wsUrl, () => readFileSync(output, 'utf8'), ['clipboard']));
    expect(code).toMatch(/^[0-9]{9}$/);
    expect(info.displays[0]).toMatchObject({ width: WIDTH, height: HEIGHT });
    expect(await page.isVisible('#sharing-encrypted')).toBe(true);

    // 5. What the technician composes is the Wine desktop, as `import` sees it.
    view = new ComposingTechnician(tech);
    await view.settle(1000, 30_000);
    const shot = await captureWithImport(xvfb);
    expect([view.width, view.height]).toEqual([shot.width, shot.height]);
    const { mean, badShare } = compareRgb(view.pixels, shot.pixels);
    expect(mean).toBeLessThan(4);
    expect(badShare).toBeLessThan(0.01);
    // The view reads every message of the peer and drops the text ones: stopped now that the
    // desktop is compared, so the clipboard answers of step 7 reach `tech.until` (while it
    // ran, it took them first in about half of the runs).
    await view.stop();

    // 6. A click into Notepad, the phrase, then select all and copy, all from the technician.
    let seq = 0;
    const input = (event: InputEvent): void => tech!.sendJson({ type: 'input', seq: seq++, event });
    const key = (kind: 'key-down' | 'key-up', code: string, k: string, ctrl = false): void =>
      input({ kind, code, key: k, modifiers: { ...NO_MODIFIERS, ctrl } });
    // Wine takes the X clipboard when Notepad copies: listen for that before anything is typed.
    const x = await openTestX(xvfb.display);
    closeX = () => x.close();
    let clipboardTaken: () => void = () => undefined;
    await x.watchSelectionOwner('CLIPBOARD', () => clipboardTaken());
    input({ kind: 'click', button: 'left', x: textArea.x, y: textArea.y });
    input({ kind: 'text', text: PHRASE });
    key('key-down', 'ControlLeft', 'Control', true);
    key('key-down', 'KeyA', 'a', true);
    key('key-up', 'KeyA', 'a', true);
    key('key-down', 'KeyC', 'c', true);
    key('key-up', 'KeyC', 'c', true);
    key('key-up', 'ControlLeft', 'Control');
    expect(await untilClipboardIs(xvfb, PHRASE, (next) => { clipboardTaken = next; }, 20_000)).toBe(PHRASE);

    // 7. The clipboard through the agent (koffi, CF_UNICODETEXT): the technician fetches what
    //    Notepad copied, then puts its own text there, which Wine hands to the X clipboard.
    tech.sendJson({ type: 'clipboard-request', follow: false });
    expect(await tech.until('clipboard', 20_000)).toEqual({ type: 'clipboard', text: PHRASE });
    tech.sendJson({ type: 'clipboard', text: CLIPBOARD_TEXT });
    expect(await untilClipboardIs(xvfb, CLIPBOARD_TEXT, (next) => { clipboardTaken = next; }, 20_000)).toBe(CLIPBOARD_TEXT);

    // 8. The customer stops and closes the window; the program ends by itself, cleanly.
    await page.click('#stop-button');
    await waitForBodyState(page, 'ended', 20_000);
    await page.close();
    expect(await exited).toBe(0);
    const log = readFileSync(output, 'utf8');
    // The native capture and encoder ran: no silent fallback to the JavaScript ones.
    expect(log).toMatch(/"source":"nut-js \(worker thread\)","encoder":"sharp","input":"nut-js"[^\n]*"agent ready"/);
    expect(log).not.toMatch(/unavailable, trying the next|text typer unavailable|could not flash|user32 unavailable/);
    // The question found the namesake among Windows' top-level windows through user32 (koffi:
    // EnumWindows, GetWindowTextW) and flashed it without an error. Wine forwards a flash to
    // X only for the calling process's own windows, so the flash itself is not seen here.
    expect(log).toMatch(/"windows":1,"msg":"flashing the window for attention"/);
    expect(log).not.toContain(code);
  }, 420_000);
});

/**
 * The X clipboard's text once it equals `expected`, or its last text after `timeoutMs`.
 * Read now, then again each time the clipboard gets an owner (`onOwnerChange` is handed the
 * resolver of the next one, before each read, so a change during the read is not missed).
 */
async function untilClipboardIs(display: XvfbDisplay, expected: string, onOwnerChange: (next: () => void) => void, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const changed = new Promise<void>((resolve) => onOwnerChange(resolve));
    last = await run('xclip', ['-o', '-selection', 'clipboard'], { env: display.env(), timeout: 5_000, encoding: 'utf8' })
      .then((r) => r.stdout, () => last);
    const left = deadline - Date.now();
    if (last === expected || left <= 0) return last;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([changed, new Promise<void>((resolve) => { timer = setTimeout(resolve, left); })]).finally(() => clearTimeout(timer));
  }
}
