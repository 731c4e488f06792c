import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import { requireTool } from '../support/require-tool';
import { startXvfb, type XvfbDisplay } from '../support/xvfb';

/**
 * Finding 8: the customer's window (browser fallback) put its secret in the URL it passed
 * to xdg-open, and every local user can read every process's command line. A script
 * running as `nobody` read it, connected, read the code, joined as a technician, answered
 * the consent question itself and received frames.
 *
 * Here the window runs as root (the customer), its browser opener is a stand-in that
 * records what it was asked to open and stays running as a browser would (with that in its
 * command line), and the attacker is a real script run as the user `nobody`.
 */

/** What the attacker script does, as `nobody`: everything another local user can try. */
const ATTACKER = String.raw`
const fs = require('node:fs');
const http = require('node:http');
const found = { urls: [], files: [], fileReads: [], requests: [], sockets: [] };
for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
  let cmd = '';
  try { cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\0').join(' '); } catch { continue; }
  for (const m of cmd.matchAll(/http:\/\/127\.0\.0\.1:\d+\/\S*/g)) found.urls.push(m[0]);
  for (const m of cmd.matchAll(/(?:file:\/\/)?(\/\S*compueasys-window\S*)/g)) found.files.push(m[1]);
}
const port = Number(process.argv[2]);
function get(path) {
  return new Promise((done) => {
    http.get({ host: '127.0.0.1', port, path, headers: { host: '127.0.0.1:' + port } }, (res) => { res.resume(); done(res.statusCode); })
      .on('error', (e) => done('error ' + e.code));
  });
}
function ws(path, cookie) {
  return new Promise((done) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: {
      host: '127.0.0.1:' + port, origin: 'http://127.0.0.1:' + port, connection: 'Upgrade', upgrade: 'websocket',
      'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...(cookie ? { cookie } : {}) } });
    req.on('upgrade', () => done(101));
    req.on('response', (res) => done(res.statusCode));
    req.on('error', (e) => done('error ' + e.code));
    req.end();
  });
}
(async () => {
  for (const file of found.files) {
    try { found.fileReads.push(fs.readFileSync(file.replace(/^file:\/\//, ''), 'utf8').length > 0 ? 'read' : 'empty'); }
    catch (e) { found.fileReads.push(e.code); }
  }
  for (const url of found.urls) found.requests.push(await get(new URL(url).pathname + new URL(url).search));
  for (const path of ['/', '/index.html', '/open?code=guess', '/open']) found.requests.push(await get(path));
  found.sockets.push(await ws('/ui'));
  found.sockets.push(await ws('/ui', 'compueasys_window=guess'));
  process.stdout.write(JSON.stringify(found));
})();
`;

const isRoot = process.getuid?.() === 0;
const canRun = requireTool('runuser', 'util-linux') && requireTool('Xvfb', 'xvfb') && requireTool('chromium', 'chromium');
if (!isRoot && process.env.CI === 'true') throw new Error('the local-user attack test needs root, to run the attacker as another user');
const describeAsRoot = isRoot && canRun ? describe : describe.skip;
if (!isRoot) console.warn('\n*** SKIPPING the local-user attack test: it needs root to run a script as the user nobody ***\n');

describeAsRoot('attack: another user of the same computer drives the customer\'s window', () => {
  let relay: Relay;
  let display: XvfbDisplay;
  let work: string;
  let windowProcess: ChildProcess | undefined;

  beforeAll(async () => {
    relay = await startTestRelay();
    display = await startXvfb({ width: 800, height: 600 });
    work = mkdtempSync(join(tmpdir(), 'local-window-'));
    chmodSync(work, 0o755);
  });
  afterAll(async () => {
    windowProcess?.kill('SIGKILL');
    spawnSync('pkill', ['-f', join(work, 'bin')]);
    rmSync(work, { recursive: true, force: true });
    await display.stop();
    await relay.close();
  });

  test('nobody learns the secret from command lines or files, and nothing it tries opens the window; the customer\'s browser does', async () => {
    // The stand-in browser opener: records what it was given, then stays up like a browser
    // would, with what it was given still in its command line.
    const bin = join(work, 'bin');
    const opened = join(work, 'opened.txt');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > "${opened}"\nsleep 120\n`, { mode: 0o755 });
    const attackerScript = join(work, 'attacker.js');
    writeFileSync(attackerScript, ATTACKER, { mode: 0o644 });

    const main = resolve(__dirname, '../../dist/client/window.js');
    windowProcess = spawn(process.execPath, [main, '--relay', relay.wsUrl, '--name', 'PC-CLIENTE'], {
      env: { ...display.env(), PATH: `${bin}:${process.env.PATH ?? ''}`, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // What the window handed the browser opener: the opener writes it into `opened` as it starts.
    let out = '';
    windowProcess.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    windowProcess.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    const target = await new Promise<string>((done, fail) => {
      const read = (): string => (existsSync(opened) ? readFileSync(opened, 'utf8') : '');
      const watcher = watch(work, () => {
        if (read() === '') return;
        watcher.close();
        clearTimeout(deadline);
        done(read());
      });
      const deadline = setTimeout(() => {
        watcher.close();
        fail(new Error(`the window never opened a browser:\n${out}`));
      }, 20_000);
      if (read() !== '') {
        watcher.close();
        clearTimeout(deadline);
        done(read());
      }
    });
    const portMatch = /127\.0\.0\.1:(\d+)/.exec(target) ?? /127\.0\.0\.1:(\d+)/.exec(readFileSync(target.replace(/^file:\/\//, ''), 'utf8'));
    const port = Number(portMatch![1]);

    // The attacker, as nobody.
    const attack = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, attackerScript, String(port)], { encoding: 'utf8', timeout: 30_000 });
    expect(attack.status).toBe(0);
    const found = JSON.parse(attack.stdout) as { urls: string[]; files: string[]; fileReads: string[]; requests: (number | string)[]; sockets: (number | string)[] };
    // It may see that a launcher file exists; it cannot read it, and no address with a secret is anywhere.
    expect(found.urls.filter((u) => u.includes('code=') || /\/[A-Za-z0-9_-]{16,}\//.test(u))).toEqual([]);
    expect(found.fileReads.every((r) => r === 'EACCES')).toBe(true);
    expect(found.requests.every((s) => s === 403)).toBe(true);
    expect(found.sockets).toEqual([403, 403]);

    // The customer's browser opens what the window handed it, and the window works.
    const browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
    try {
      const page = await browser.newPage();
      await page.goto(target.startsWith('file:') ? target : pathToFileURL(target).href);
      await waitForBodyState(page, 'idle');
      await page.click('#connect-button');
      await waitForBodyState(page, 'code', 20_000);
    } finally {
      await browser.close();
    }
  }, 90_000);
});
