import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { X11WindowAttention, DEFAULT_X11_ATTENTION_LIMITS } from '../../client/window/attention/x11-attention-adapter';
import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { describeWithDesktop, startWindowProcess } from '../support/desktop';
import { eventually, startTestRelay, within } from '../support/relay-harness';
import { requireTool } from '../support/require-tool';
import { joinSealed } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';
import { NeutralinoRuntimeStandIn } from '../window/neutralino-stand-in';
import { openTestX, type TestX, type XEvent } from '../support/x11-windows';
import { startXvfb, stopChild, type XvfbDisplay } from '../support/xvfb';

const URGENT = 'The urgency hint bit is set';
const WM_HINTS = 35;
const WINDOW = 33;
const SUBSTRUCTURE_NOTIFY = 0x80000;
const SUBSTRUCTURE_REDIRECT = 0x100000;
/** WM_HINTS as a toolkit writes them: InputHint | StateHint, accepts input, NormalState. */
const TOOLKIT_HINTS = [1 | 2, 1, 1, 0, 0, 0, 0, 0, 0];

/** A logger whose lines the test reads (debug: where attention reports). */
function recordingLogger(): { logger: pino.Logger; lines: () => { msg: string; err?: string; windows?: number; written?: number }[] } {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { raw.push(line); } });
  return { logger, lines: () => raw.map((l) => JSON.parse(l)) };
}

const urgentHints = (hints: number[] | undefined): boolean => ((hints?.[0] ?? 0) & 256) !== 0;

const haveTools = [requireTool('Xvfb', 'xvfb'), requireTool('xprop', 'x11-utils')].every(Boolean);

(haveTools ? describe : describe.skip)('the window asks for attention on a real X display (Xvfb, no window manager)', () => {
  let xvfb: XvfbDisplay;
  let x: TestX;
  /** Ours in Spanish, titled the EWMH way only (UTF-8 _NET_WM_NAME), no WM_HINTS yet. */
  let spanish: number;
  /** Ours in English as the browser fallback titles it, the old way only (WM_NAME), with a toolkit's WM_HINTS. */
  let browser: number;
  /** Someone else's window. */
  let other: number;
  /** Ours, one level down under an untitled frame, as a reparenting window manager leaves it. */
  let framed: number;

  /** `xprop`'s reading of a window's WM_HINTS: the independent witness. */
  const xprop = (window: number): string => {
    const r = spawnSync('xprop', ['-display', xvfb.display, '-id', String(window), 'WM_HINTS'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`xprop failed: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 640, height: 480 });
    x = await openTestX(xvfb.display);
    spanish = await x.window({ netWmName: 'CompuEasys Soporte Remoto' });
    browser = await x.window({ wmName: 'CompuEasys Remote Support - Chromium', wmHints: TOOLKIT_HINTS });
    other = await x.window({ netWmName: 'Notas — Editor de texto' });
    const frame = await x.window();
    framed = await x.window({ parent: frame, netWmName: 'CompuEasys Soporte Remoto' });
  });

  afterAll(async () => {
    await x?.close();
    await xvfb?.stop();
  });

  test('sets the urgency hint on our windows only, by either title, keeping their other hints; clear takes it off', async () => {
    const { logger, lines } = recordingLogger();
    const attention = new X11WindowAttention(xvfb.display, logger);
    for (const w of [spanish, browser, framed, other]) expect(xprop(w)).not.toContain(URGENT);

    await attention.request();
    expect(xprop(spanish)).toContain(URGENT);
    expect(xprop(browser)).toContain(URGENT);
    expect(xprop(framed)).toContain(URGENT);
    expect(await x.card32s(browser, WM_HINTS, WM_HINTS)).toEqual([TOOLKIT_HINTS[0]! | 256, ...TOOLKIT_HINTS.slice(1)]);
    // Created where there was none: nine fields, only the flag.
    expect(await x.card32s(spanish, WM_HINTS, WM_HINTS)).toEqual([256, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Not ours: not touched at all.
    expect(await x.card32s(other, WM_HINTS, WM_HINTS)).toBeUndefined();
    expect(xprop(other)).toContain('not found');
    // The _NET_WM_STATE message went to the root with nobody to read it, and nothing failed.
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'asked the desktop for attention', windows: 3, written: 3 }));
    expect(lines().filter((l) => l.msg.startsWith('could not'))).toEqual([]);

    await attention.clear();
    for (const w of [spanish, browser, framed]) expect(xprop(w)).not.toContain(URGENT);
    expect(await x.card32s(browser, WM_HINTS, WM_HINTS)).toEqual(TOOLKIT_HINTS);
    expect(xprop(browser)).toContain('Client accepts input or input focus: True');
    expect(await x.card32s(other, WM_HINTS, WM_HINTS)).toBeUndefined();
    expect(lines().filter((l) => l.msg.startsWith('could not'))).toEqual([]);
    attention.close();
  });

  test('where the window manager lists its clients (_NET_CLIENT_LIST), only those are looked at', async () => {
    const clientList = await x.atom('_NET_CLIENT_LIST');
    await x.setCard32s(x.root, clientList, WINDOW, [other, browser]);
    try {
      const attention = new X11WindowAttention(xvfb.display, pino({ level: 'silent' }));
      await attention.request();
      expect(xprop(browser)).toContain(URGENT);
      expect(xprop(spanish)).not.toContain(URGENT); // titled like ours, but not a client of the window manager
      expect(await x.card32s(other, WM_HINTS, WM_HINTS)).toBeUndefined();
      await attention.clear();
      expect(xprop(browser)).not.toContain(URGENT);
    } finally {
      await x.deleteProperty(x.root, clientList);
    }
  });

  test('asks a window manager for _NET_WM_STATE_DEMANDS_ATTENTION on each of our windows, and to remove it on clear', async () => {
    // The test client stands in for the window manager: it is the one that reads these messages.
    const received: XEvent[] = [];
    x.onEvent((e) => { if (e.name === 'ClientMessage') received.push(e); });
    await x.selectEvents(x.root, SUBSTRUCTURE_REDIRECT | SUBSTRUCTURE_NOTIFY);
    try {
      const [netWmState, demandsAttention] = [await x.atom('_NET_WM_STATE'), await x.atom('_NET_WM_STATE_DEMANDS_ATTENTION')];
      const attention = new X11WindowAttention(xvfb.display, pino({ level: 'silent' }));
      const about = (action: number) => [spanish, browser, framed].map((wid) => ({ wid, message_type: netWmState, data: [action, demandsAttention, 0, 1, 0] }));
      const seen = () => received.map(({ wid, message_type, data }) => ({ wid, message_type, data }));

      await attention.request();
      await eventually(() => received.length >= 3, 5000, 'three _NET_WM_STATE add messages');
      expect(seen()).toEqual(expect.arrayContaining(about(1)));
      expect(received.map((e) => e.wid)).not.toContain(other);

      received.length = 0;
      await attention.clear();
      await eventually(() => received.length >= 3, 5000, 'three _NET_WM_STATE remove messages');
      expect(seen()).toEqual(expect.arrayContaining(about(0)));
    } finally {
      await x.selectEvents(x.root, 0);
    }
  });

  test('atoms are asked of each server anew: a second X server, whose atoms are numbered differently, is served right', async () => {
    const attention = new X11WindowAttention(xvfb.display, pino({ level: 'silent' }));
    await attention.request(); // learns this server's atom numbers
    await attention.clear();
    const second = await startXvfb({ width: 320, height: 240 });
    const y = await openTestX(second.display);
    try {
      for (let i = 0; i < 7; i++) await y.atom(`CE_TEST_SHIFT_${i}`); // the same names get other numbers here
      expect(await y.atom('_NET_WM_NAME')).not.toBe(await x.atom('_NET_WM_NAME'));
      const there = await y.window({ netWmName: 'CompuEasys Soporte Remoto' });
      const onSecond = new X11WindowAttention(second.display, pino({ level: 'silent' }));
      await onSecond.request();
      expect(urgentHints(await y.card32s(there, WM_HINTS, WM_HINTS))).toBe(true);
    } finally {
      await y.close();
      await second.stop();
    }
  });

  test('never throws and is bounded: no X server there, or one that never answers', async () => {
    const { logger, lines } = recordingLogger();
    // A display on a port nobody listens on (taken, then freed): the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const gone = new X11WindowAttention(`127.0.0.1:${freePort - 6000}`, logger);
    await within(gone.request(), 5000, 'request without an X server');
    await within(gone.clear(), 5000, 'clear without an X server');
    expect(lines().filter((l) => l.msg === 'could not ask the desktop for attention')).toHaveLength(2);

    // A "server" that takes the connection and says nothing: the connection's timeout ends it.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => { sockets.push(s); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const mute = new X11WindowAttention(`127.0.0.1:${port - 6000}`, logger, { ...DEFAULT_X11_ATTENTION_LIMITS, requestTimeoutMs: 300 });
      await within(mute.request(), 5000, 'request to a silent X server');
      await eventually(() => sockets.length > 0, 5000, 'the connection to the silent server');
      expect(lines().at(-1)).toMatchObject({ msg: 'could not ask the desktop for attention', err: expect.stringContaining('no answer within 300 ms') });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describeWithDesktop('the customer\'s window process asks for attention while a technician asks (dist/client/window.js on Xvfb)', () => {
  let xvfb: XvfbDisplay;
  let x: TestX;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let controls: TestBrowser;
  let page: Page;
  /** The browser's window as the desktop sees it (the page itself runs headless, off the display). */
  let browserWindow: number;
  const techs: WsTestPeer[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 800, height: 600 });
    x = await openTestX(xvfb.display);
    browserWindow = await x.window({ netWmName: 'CompuEasys Remote Support - Chromium', wmHints: TOOLKIT_HINTS });
    relay = await startTestRelay();
    agent = startWindowProcess(xvfb, relay.wsUrl, ['--log-level', 'debug']);
    controls = await launchTestBrowser({ locale: 'en-US', viewport: { width: 420, height: 560 } });
    page = await controls.newPage();
    await page.goto(await agent.url);
    await waitForBodyState(page, 'idle', 20_000);
  }, 90_000);

  afterAll(async () => {
    for (const t of techs) t.close();
    await controls?.close();
    if (agent) await stopChild(agent.child);
    await relay?.close();
    await x?.close();
    await xvfb?.stop();
  });

  test('the urgency hint is set when the question shows and taken off when it is answered, the other hints kept', async () => {
    await page.click('#connect-button');
    await waitForBodyState(page, 'code', 20_000);
    expect(urgentHints(await x.card32s(browserWindow, WM_HINTS, WM_HINTS))).toBe(false);
    const { tech } = await joinSealed(relay.wsUrl, await shownCode(page));
    techs.push(tech);
    await waitForBodyState(page, 'consent', 20_000);
    await x.untilProperty(browserWindow, WM_HINTS, WM_HINTS, urgentHints, 10_000);

    await page.click('#deny');
    await waitForBodyState(page, 'code', 20_000);
    const after = await x.untilProperty(browserWindow, WM_HINTS, WM_HINTS, (h) => !urgentHints(h), 10_000);
    expect(after).toEqual(TOOLKIT_HINTS);
  });
});

describeWithDesktop('the Neutralino extension process asks for attention while a technician asks (dist/client/extension.js on Xvfb, a stand-in of the runtime\'s socket)', () => {
  let xvfb: XvfbDisplay;
  let x: TestX;
  let relay: Relay;
  let runtime: NeutralinoRuntimeStandIn;
  let extension: ChildProcess;
  let output = '';
  /** Neutralino's window as WebKitGTK titles it (the runtime binary cannot be downloaded here). */
  let nativeWindow: number;
  const techs: WsTestPeer[] = [];

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 800, height: 600 });
    x = await openTestX(xvfb.display);
    nativeWindow = await x.window({ netWmName: 'CompuEasys Soporte Remoto' });
    relay = await startTestRelay();
    runtime = await NeutralinoRuntimeStandIn.start();
    extension = spawn(process.execPath, [join(__dirname, '../../dist/client/extension.js'), '--lang', 'es', '--relay', relay.wsUrl, '--log-level', 'warn'], {
      env: xvfb.env(), stdio: ['pipe', 'pipe', 'pipe'],
    });
    extension.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    extension.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    extension.stdin!.end(JSON.stringify(runtime.handshake()));
    await within(runtime.connected, 10_000, 'the extension to connect');
    await runtime.nextState('idle');
  }, 60_000);

  afterAll(async () => {
    for (const t of techs) t.close();
    if (extension) await stopChild(extension);
    await runtime?.close();
    await relay?.close();
    await x?.close();
    await xvfb?.stop();
  });

  test('the urgency hint comes with the question and goes with the answer', async () => {
    runtime.dispatch('ui:command', { command: 'connect' });
    const code = await runtime.nextState('code', 20_000).catch((e: Error) => { throw new Error(`${e.message}\n${output}`); });
    expect(await x.card32s(nativeWindow, WM_HINTS, WM_HINTS)).toBeUndefined();
    const { tech } = await joinSealed(relay.wsUrl, code.code as string);
    techs.push(tech);
    await runtime.nextState('consent', 10_000);
    expect(await x.untilProperty(nativeWindow, WM_HINTS, WM_HINTS, urgentHints, 10_000)).toEqual([256, 0, 0, 0, 0, 0, 0, 0, 0]);

    runtime.dispatch('ui:command', { command: 'consent', answer: 'deny' });
    await runtime.nextState('code', 10_000);
    await x.untilProperty(nativeWindow, WM_HINTS, WM_HINTS, (h) => !urgentHints(h), 10_000);
  });
});
