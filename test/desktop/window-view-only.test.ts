import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { Errors, type InputEvent } from '../../protocol';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import { ComposingTechnician, hasDesktopTools, openDesktopBrowser, type DesktopBrowser } from '../support/desktop';
import { eventually, startTestRelay } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';
import { startXvfb, stopChild, type XvfbDisplay } from '../support/xvfb';

const WIDTH = 1280;
const HEIGHT = 720;
const M = { ctrl: false, alt: false, shift: false, meta: false };

/** The observed window: a text field and a pad that record whatever the mouse and keyboard do. */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;width:100%;height:100%;overflow:hidden;background:#ffffff;font:16px "DejaVu Sans",sans-serif}
  * { caret-color: transparent; }
  #pad{position:absolute;left:40px;top:40px;width:560px;height:300px;background:#f0e68c}
  #text{position:absolute;left:660px;top:40px;width:560px;height:140px;font-size:20px}
  #scroller{position:absolute;left:660px;top:400px;width:560px;height:200px;overflow:auto;background:#eef}
</style></head><body>
  <div id="pad"></div><textarea id="text"></textarea>
  <div id="scroller"><div style="height:3000px;background:linear-gradient(#eef,#99c)"></div></div>
  <script>
    window.events = [];
    for (const type of ['mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'keydown', 'keyup', 'input', 'wheel']) {
      document.addEventListener(type, (e) => {
        if (type === 'contextmenu') e.preventDefault();
        window.events.push({ type, x: e.screenX, y: e.screenY, key: e.key });
      }, true);
    }
  </script></body></html>`;

/** The window's agent as its own process (`npm run client:window`), showing its page on 127.0.0.1. */
function startWindowProcess(display: XvfbDisplay, relayWsUrl: string): { url: Promise<string>; output: () => string; child: ChildProcess } {
  const main = resolve(__dirname, '../../dist/client/window.js');
  const child = spawn(process.execPath, [main, '--no-open', '--relay', relayWsUrl, '--name', 'DESKTOP-WINDOW'], {
    env: { ...display.env(), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolveUrl, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('exit', (c) => reject(new Error(`the window process exited (${c}):\n${out}`)));
    setTimeout(() => reject(new Error(`no window address in 20 s:\n${out}`)), 20_000).unref();
  });
  url.catch(() => undefined);
  return { url, output: () => out, child };
}

async function stateIs(page: Page, state: string, timeout = 20_000): Promise<void> {
  await page.waitForSelector(`body[data-state="${state}"]`, { timeout });
}

async function shownCode(page: Page): Promise<string> {
  await page.waitForFunction(() => /^\d{3} \d{3}$/.test(document.getElementById('code-value')?.textContent ?? ''));
  return ((await page.textContent('#code-value')) ?? '').replace(' ', '');
}

const describeDesktop = hasDesktopTools() ? describe : describe.skip;

describeDesktop('view only through the customer window, on a real X display (Xvfb + Chromium as the observed window)', () => {
  let display: XvfbDisplay;
  let observed: DesktopBrowser;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let controls: TestBrowser;
  let windowPage: Page;
  const techs: WsTestPeer[] = [];
  const views: ComposingTechnician[] = [];

  beforeAll(async () => {
    display = await startXvfb({ width: WIDTH, height: HEIGHT });
    observed = await openDesktopBrowser(display, PAGE);
    relay = await startTestRelay();
    agent = startWindowProcess(display, relay.wsUrl);
    // The customer's window itself runs in a separate headless browser, off the shared screen.
    controls = await launchTestBrowser({ locale: 'en-US', viewport: { width: 420, height: 560 } });
    windowPage = await controls.newPage();
    await windowPage.goto(await agent.url);
    await stateIs(windowPage, 'idle');
  }, 90_000);

  afterAll(async () => {
    for (const v of views) await v.stop();
    for (const t of techs) t.close();
    await controls?.close();
    if (agent) await stopChild(agent.child);
    await relay?.close();
    await observed?.close();
    await display?.stop();
  });

  const recorded = (): Promise<{ type: string }[]> => observed.page.evaluate(() => (window as unknown as { events: { type: string }[] }).events);

  async function shareWith(answerButton: '#allow-view' | '#allow-control'): Promise<{ tech: WsTestPeer; view: ComposingTechnician }> {
    await windowPage.click(await windowPage.isVisible('#connect-button') ? '#connect-button' : '#connect-again-button');
    await stateIs(windowPage, 'code');
    const tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
    techs.push(tech);
    tech.sendJson({ type: 'join', code: await shownCode(windowPage), name: 'Juan (CompuEasys)' });
    await stateIs(windowPage, 'consent');
    expect(await windowPage.textContent('#consent-question')).toBe('Juan (CompuEasys) wants to see and control your screen');
    await windowPage.click(answerButton);
    const paired = await tech.until('paired', 15_000);
    expect(paired.viewOnly).toBe(answerButton === '#allow-view');
    const info = await tech.until('screen-info', 15_000);
    expect(info.displays[0]).toMatchObject({ width: WIDTH, height: HEIGHT });
    const view = new ComposingTechnician(tech);
    views.push(view);
    await view.settle();
    await stateIs(windowPage, 'sharing');
    return { tech, view };
  }

  test('a view-only technician sees the real screen; its clicks, keys, text and wheel are refused by the relay and nothing reaches the window', async () => {
    const { tech, view } = await shareWith('#allow-view');
    expect(await windowPage.textContent('#sharing-mode')).toBe('View only');
    expect(view.width).toBe(WIDTH);
    expect(view.rects.length).toBeGreaterThan(0);

    await observed.page.evaluate(() => { (window as unknown as { events: unknown[] }).events = []; });
    const events: InputEvent[] = [
      { kind: 'click', button: 'left', x: 900, y: 100 },
      { kind: 'text', text: 'hola ñ' },
      { kind: 'click', button: 'left', x: 300, y: 200 },
      { kind: 'double-click', button: 'left', x: 300, y: 200 },
      { kind: 'click', button: 'right', x: 320, y: 220 },
      { kind: 'key-down', code: 'KeyA', key: 'a', modifiers: M },
      { kind: 'key-up', code: 'KeyA', key: 'a', modifiers: M },
      { kind: 'wheel', x: 900, y: 500, dx: 0, dy: 5 },
    ];
    events.forEach((event, seq) => tech.sendJson({ type: 'input', seq, event }));
    const refusals = (): number => tech.received.filter((m) => m.kind === 'text' && m.message.type === 'error'
      && m.message.code === Errors.SESSION_VIEW_ONLY.code).length;
    await eventually(() => refusals() === events.length, 10_000, 'a refusal for every input event');

    // Give anything that slipped through ample time to land, then look at the real window.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await recorded()).toEqual([]);
    expect(await observed.page.inputValue('#text')).toBe('');
    expect(await observed.page.evaluate(() => document.getElementById('scroller')!.scrollTop)).toBe(0);

    // "Stop sharing" ends it for the technician too.
    await view.stop();
    await windowPage.click('#stop-button');
    expect((await tech.closed).code).toBe(4008);
    expect(tech.received.some((m) => m.kind === 'text' && m.message.type === 'peer-left')).toBe(true);
    await stateIs(windowPage, 'ended');
    expect(await windowPage.textContent('#ended-text')).toBe('You stopped sharing your screen.');
  });

  test('the same input with control allowed does reach the window (the observation above can see input)', async () => {
    const { tech, view } = await shareWith('#allow-control');
    expect(await windowPage.textContent('#sharing-mode')).toBe('Control allowed');
    await observed.page.evaluate(() => { (window as unknown as { events: unknown[] }).events = []; });
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 900, y: 100 } });
    tech.sendJson({ type: 'input', seq: 1, event: { kind: 'text', text: 'hola ñ' } });
    await observed.page.waitForFunction(`document.getElementById('text').value === 'hola ñ'`, undefined, { timeout: 10_000 });
    expect((await recorded()).some((e) => e.type === 'click')).toBe(true);
    await view.stop();
    await windowPage.click('#stop-button');
    await tech.closed;
  });
});
