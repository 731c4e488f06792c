import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AgentOptionsError } from '../../client/agent-options';
import { browserCommand, openInBrowser } from '../../client/window/open-browser';
import { parseWindowArgs } from '../../client/window/window-options';

const WINDOW_MAIN = join(__dirname, '../../dist/client/window.js');

describe('window options and opening the browser', () => {
  test('the window takes the agent options plus --no-open and --port', () => {
    const o = parseWindowArgs(['--no-open', '--relay', 'wss://r.example/ws', '--port', '4321', '--accept', 'view-only'], {}, 'PC-1');
    expect(o).toMatchObject({ open: false, port: 4321, agent: { relayUrl: 'wss://r.example/ws', accept: 'view-only', name: 'PC-1' } });
    expect(parseWindowArgs([], { RELAY_URL: 'ws://10.0.0.2:8080/ws' }, 'PC-1')).toMatchObject({ open: true, port: 0, agent: { relayUrl: 'ws://10.0.0.2:8080/ws' } });
    expect(() => parseWindowArgs(['--port', '70000'], {}, 'PC-1')).toThrow(AgentOptionsError);
    expect(() => parseWindowArgs(['--port'], {}, 'PC-1')).toThrow(AgentOptionsError);
    expect(() => parseWindowArgs(['--kiosk'], {}, 'PC-1')).toThrow(/unknown option --kiosk/);
  });

  test('each platform opens the launcher file in the default browser its own way, the path as one argument', () => {
    const file = '/home/ana/.cache/rs-window-x/open.html';
    expect(browserCommand(file, 'linux')).toEqual({ command: 'xdg-open', args: [file] });
    expect(browserCommand(file, 'darwin')).toEqual({ command: 'open', args: [file] });
    const windows = 'C:\\Users\\Juan & Ana\\AppData\\Local\\Temp\\rs-window-x\\open.html';
    expect(browserCommand(windows, 'win32')).toEqual({ command: 'explorer.exe', args: [windows] });
  });

  test('a missing opener is reported, not thrown', async () => {
    const failing = (() => {
      const child = new EventEmitter() as EventEmitter & { unref(): void };
      child.unref = () => undefined;
      setImmediate(() => child.emit('error', new Error('spawn xdg-open ENOENT')));
      return child;
    }) as unknown as typeof spawn;
    await expect(openInBrowser('/tmp/x/open.html', 'linux', failing)).resolves.toBe(false);
  });
});

describe('the browser-fallback process (dist/client/window.js)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  test('prints its one-time address, serves the page only to the browser that used it, and quits once its window has been closed', async () => {
    child = spawn(process.execPath, [WINDOW_MAIN, '--no-open', '--relay', 'ws://127.0.0.1:9/ws'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed:\n${out}`)), 10_000);
      child!.stdout!.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /(http:\/\/127\.0\.0\.1:\d+\/open\?code=[A-Za-z0-9_-]{32,})/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child!.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    });
    const base = new URL('/', url).href;
    expect((await fetch(base)).status).toBe(403);
    // The address is exchanged once for the window's cookie, then the page is served with it.
    const opened = await fetch(url, { redirect: 'manual' });
    expect(opened.status).toBe(200);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(403);
    const page = await (await fetch(base, { headers: { cookie } })).text();
    expect(page).toContain('id="connect-button"');

    // A window connects, sees the idle state, and is closed.
    const ws = new WebSocket(`${base.replace('http:', 'ws:')}ui`, { headers: { cookie, origin: base.replace(/\/$/, '') } });
    const first = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString('utf8'))));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ event: 'ui:command', data: { command: 'hello' } }));
    expect(JSON.parse(await first)).toEqual({ event: 'agent:state', data: { kind: 'idle' } });
    ws.close();
    const started = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  }, 30_000);
});
