import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { describeWithDesktop } from '../support/desktop';
import { startTestRelay } from '../support/relay-harness';
import { joinSealed } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

const ROOT = resolve(__dirname, '../..');
const NAME = 'CompuEasys-Soporte-linux-x64';

/**
 * The customer's Linux download (issue 12 (1), Linux half): `npm run package:linux` as a
 * customer gets it. The archive is built for a real relay, unpacked elsewhere, its sums
 * checked, and its executable run on a real X display with nothing from this checkout: a
 * sealed technician pairs, frames of the display arrive (capture and JPEG encoding from the
 * native modules in the package), and the program exits 0 when told to stop.
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

  afterAll(async () => {
    tech?.close();
    await browser?.close();
    if (exe && exe.exitCode === null) exe.kill('SIGKILL');
    await xvfb?.stop();
    await relay?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the archive unpacks, its SHA256SUMS hold, and the executable pairs sealed, streams the display and exits 0', async () => {
    const built = join(work, 'built');
    const archive = execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), 'linux', '--relay', relay.wsUrl, '--out', built], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    }).trim().split('\n').pop()!;
    expect(archive).toBe(join(built, `${NAME}.tar.gz`));

    const unpacked = join(work, 'customer');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const dir = join(unpacked, NAME);
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.length).toBeGreaterThan(100);
    for (const line of sums) {
      const [hash, file] = line.split(/  /);
      expect(createHash('sha256').update(readFileSync(join(dir, file!))).digest('hex')).toBe(hash);
    }

    // Run from the unpacked folder, with no relay on the command line: the one baked in.
    exe = spawn(join(dir, 'CompuEasys-Soporte'), ['--no-open'], { cwd: dir, env: { ...xvfb.env(), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    exe.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    exe.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    const exited = new Promise<number | null>((done) => exe!.once('exit', (code) => done(code)));
    const launchUrl = await new Promise<string>((done, fail) => {
      const look = (): void => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/open\?code=[A-Za-z0-9_-]+)/.exec(output);
        if (m) done(m[1]!);
      };
      exe!.stdout!.on('data', look);
      exe!.once('exit', (code) => fail(new Error(`the packaged program exited (${code}):\n${output}`)));
    });

    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
    const page: Page = await browser.newPage();
    await page.goto(launchUrl);
    await waitForBodyState(page, 'idle', 20_000);
    await page.click('#connect-button');
    await waitForBodyState(page, 'code', 20_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nwindow: ${await page.getAttribute('body', 'data-state')} ${await page.textContent('#failed-text')}\nprogram:\n${output}`);
    });
    const code = await shownCode(page);
    expect(code).toMatch(/^[0-9]{9}$/);

    ({ tech } = await joinSealed(relay.wsUrl, code));
    await waitForBodyState(page, 'consent', 20_000);
    await page.click('#allow-control');
    await tech.until('paired', 20_000);
    const info = await tech.until('screen-info', 20_000);
    expect(info.displays[0]).toMatchObject({ width: 800, height: 600 });
    const frame = await tech.nextBinary(20_000);
    if (frame.message.kind !== 'frame') throw new Error('expected a frame');
    expect(Array.from(frame.message.image.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);

    await page.click('#stop-button');
    await waitForBodyState(page, 'ended', 20_000);
    exe.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
