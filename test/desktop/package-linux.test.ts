import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { connectAndAllowControl } from '../support/customer-window';
import { describeWithDesktop } from '../support/desktop';
import { startTestRelay } from '../support/relay-harness';
import type { WsTestPeer } from '../support/ws-peer';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

const ROOT = resolve(__dirname, '../..');
const NAME = 'CompuEasys-Soporte-linux-x64';

/**
 * The customer's Linux download (issue 12 (1)): `npm run package:linux` as a customer gets
 * it. The archive is built for a real relay, unpacked elsewhere, its sums checked, and its
 * executable run on a real X display with nothing from this checkout: a sealed technician
 * pairs, frames of the display arrive (capture and JPEG encoding from the native modules
 * in the package), and the program exits 0. Twice: without the Neutralino runtime (the
 * window in the browser) and with it in the package (a stand-in of the runtime's binary,
 * since the real one cannot be downloaded here).
 */
describeWithDesktop('the Linux package: built, unpacked and run on its own', () => {
  let relay: Relay;
  let xvfb: XvfbDisplay;
  let work: string;
  let exe: ChildProcess | undefined;
  let browser: TestBrowser | undefined;
  let tech: WsTestPeer | undefined;

  beforeAll(async () => {
    relay = await startTestRelay();
    xvfb = await startXvfb({ width: 800, height: 600 });
    work = mkdtempSync(join(tmpdir(), 'rs-package-'));
  }, 30_000);

  afterEach(async () => {
    tech?.close();
    await browser?.close();
    if (exe && exe.exitCode === null) exe.kill('SIGKILL');
    tech = undefined;
    browser = undefined;
    exe = undefined;
  });

  afterAll(async () => {
    await xvfb?.stop();
    await relay?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Builds the package into `work/<label>`, unpacks it beside, checks every sum; the unpacked folder. */
  function buildAndUnpack(label: string, extraArgs: string[] = []): string {
    const built = join(work, label, 'built');
    const archive = execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), 'linux', '--relay', relay.wsUrl, '--out', built, ...extraArgs], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    }).trim().split('\n').pop()!;
    expect(archive).toBe(join(built, `${NAME}.tar.gz`));
    const unpacked = join(work, label, 'customer');
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const dir = join(unpacked, NAME);
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.length).toBeGreaterThan(100);
    for (const line of sums) {
      const [hash, file] = line.split(/  /);
      expect(createHash('sha256').update(readFileSync(join(dir, file!))).digest('hex')).toBe(hash);
    }
    return dir;
  }

  /** Starts the unpacked program with `args`; its output so far, a line matching `pattern`, and its exit. */
  function startProgram(dir: string, args: string[], pattern: RegExp): { output: () => string; line: Promise<string>; exited: Promise<number | null> } {
    const child = spawn(join(dir, 'CompuEasys-Soporte'), args, { cwd: dir, env: { ...xvfb.env(), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    exe = child;
    let output = '';
    child.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const line = new Promise<string>((done, fail) => {
      const look = (): void => {
        const m = pattern.exec(output);
        if (m) done(m[1]!);
      };
      child.stdout!.on('data', look);
      child.once('exit', (code) => fail(new Error(`the packaged program exited (${code}):\n${output}`)));
    });
    return { output: () => output, line, exited };
  }

  /** The customer connects in the window at `url`, a sealed technician pairs and gets a frame, the customer stops and closes the window. */
  async function shareOnce(url: string, output: () => string): Promise<void> {
    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
    const page: Page = await browser.newPage();
    await page.goto(url);
    let info;
    let code: string;
    ({ tech, code, info } = await connectAndAllowControl(page, relay.wsUrl, output));
    expect(code).toMatch(/^[0-9]{9}$/);
    expect(info.displays[0]).toMatchObject({ width: 800, height: 600 });
    const frame = await tech.nextBinary(20_000);
    if (frame.message.kind !== 'frame') throw new Error('expected a frame');
    expect(Array.from(frame.message.image.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);

    await page.click('#stop-button');
    await waitForBodyState(page, 'ended', 20_000);
    await page.close();
  }

  test('without the runtime: the window in the browser; the sums hold, it pairs sealed, streams the display and exits 0', async () => {
    const dir = buildAndUnpack('browser');
    // Run from the unpacked folder, with no relay on the command line: the one baked in.
    const program = startProgram(dir, ['--no-open'], /(http:\/\/127\.0\.0\.1:\d+\/open\?code=[A-Za-z0-9_-]+)/);
    await shareOnce(await program.line, program.output);
    // The last window closed: the program stops sharing and exits by itself.
    expect(await program.exited).toBe(0);
    expect(program.output()).toContain('"service":"agent-window"');
    // Input from the package goes through XTest on the x11 package, not nut-js.
    expect(program.output()).toMatch(/"input":"x11-xtest"[^\n]*"agent ready"/);
  }, 120_000);

  test('with the Neutralino runtime in it: the program starts the runtime, which starts the program as its extension; both end cleanly', async () => {
    // What `neu update` puts in bin/, stood in for by a script (the real binary cannot be downloaded here).
    const bin = join(work, 'neutralino-bin');
    mkdirSync(bin, { recursive: true });
    const runtime = join(bin, 'neutralino-linux_x64');
    writeFileSync(runtime, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')}" "${join(ROOT, 'test', 'support', 'neutralino-runtime-main.ts')}" "$@"\n`);
    chmodSync(runtime, 0o755);
    const dir = buildAndUnpack('neutralino', ['--neutralino-bin', bin]);
    const config = JSON.parse(readFileSync(join(dir, 'neutralino.config.json'), 'utf8')) as { extensions: { command: string }[]; documentRoot: string };
    expect(config.extensions[0]!.command).toBe('"${NL_PATH}/CompuEasys-Soporte" --neutralino-extension');
    expect(readFileSync(join(dir, config.documentRoot.replace(/^\//, ''), 'index.html'), 'utf8')).toContain('neutralino.js');

    // A double-click: no options. The window is the runtime's (here, its address for Chromium).
    const program = startProgram(dir, [], /NEUTRALINO-STAND-IN-WINDOW (http:\/\/127\.0\.0\.1:\d+\/)/);
    await shareOnce(await program.line, program.output);
    // The window closed: the runtime ends, after its extension (this program again) stopped cleanly.
    expect(await program.exited).toBe(0);
    expect(program.output()).toContain('connected to the Neutralino runtime');
    expect(program.output()).toContain('"service":"agent-extension"');
  }, 120_000);
});
