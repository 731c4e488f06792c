import type { Page } from 'playwright-core';
import { Errors, type InputEvent } from '../../protocol';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, waitForBodyState, type TestBrowser } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { untilAgentHasRead } from '../support/agent-barrier';
import { ComposingTechnician, describeWithDesktop, startDesktop, startWindowProcess, type Desktop, type DesktopBrowser } from '../support/desktop';
import { eventually } from '../support/relay-harness';
import { WsTestPeer } from '../support/ws-peer';
import { joinSealed } from '../support/sealed-peers';
import { routingPart } from '../../common/access-code';
import { stopChild } from '../support/xvfb';

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

/** The window's state, with room for a real agent on a busy X display. */
async function stateIs(page: Page, state: string): Promise<void> {
  await waitForBodyState(page, state, 20_000);
}

describeWithDesktop('view only through the customer window, on a real X display (Xvfb + Chromium as the observed window)', () => {
  let desktop: Desktop;
  let observed: DesktopBrowser;
  let relay: Relay;
  let agent: ReturnType<typeof startWindowProcess>;
  let controls: TestBrowser;
  let windowPage: Page;
  const techs: WsTestPeer[] = [];
  const views: ComposingTechnician[] = [];

  beforeAll(async () => {
    desktop = await startDesktop(PAGE, { width: WIDTH, height: HEIGHT });
    ({ window: observed, relay } = desktop);
    agent = startWindowProcess(desktop.display, relay.wsUrl);
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
    await desktop?.close();
  });

  type Recorded = { type: string; x: number; y: number; key: string };
  /** Every event the observed window has recorded since its page loaded, in order. */
  const recorded = (): Promise<Recorded[]> => observed.page.evaluate(() => (window as unknown as { events: Recorded[] }).events);

  /**
   * A technician joins and the customer answers. `sealed`: a technician of this version
   * (keys from the whole code, everything sealed); otherwise an older app in clear, whose
   * refused input the relay drops (a sealed stream would take a dropped record for an
   * attack, and the page sends no input to a view-only session).
   */
  async function shareWith(answerButton: '#allow-view' | '#allow-control', sealed: boolean): Promise<{ tech: WsTestPeer; view: ComposingTechnician }> {
    await windowPage.click(await windowPage.isVisible('#connect-button') ? '#connect-button' : '#connect-again-button');
    await stateIs(windowPage, 'code');
    const code = await shownCode(windowPage);
    let tech: WsTestPeer;
    if (sealed) {
      tech = (await joinSealed(relay.wsUrl, code)).tech;
    } else {
      tech = await WsTestPeer.hello(relay.wsUrl, 'technician');
      tech.sendJson({ type: 'join', code: routingPart(code), name: 'Juan (CompuEasys)' });
    }
    techs.push(tech);
    await stateIs(windowPage, 'consent');
    expect(await windowPage.isVisible(sealed ? '#consent-encrypted' : '#consent-not-encrypted')).toBe(true);
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

  // Whether view-only input reached the window is settled by the second test: the window
  // process keeps one agent, one injector and one X connection for both sessions, so input
  // allowed later lands after anything that slipped through before. No sleep can prove that.
  test('a view-only technician (an older app, in clear) sees the real screen, the relay refuses its clicks, keys, text and wheel, and stopping sharing ends it for the technician', async () => {
    const { tech, view } = await shareWith('#allow-view', false);
    expect(await windowPage.textContent('#sharing-mode')).toBe('View only');
    expect(view.width).toBe(WIDTH);
    expect(view.rects.length).toBeGreaterThan(0);

    // None of these is what the second test sends, so the window can tell them apart.
    const events: InputEvent[] = [
      { kind: 'click', button: 'left', x: 950, y: 150 },
      { kind: 'text', text: 'solo mirar' },
      { kind: 'click', button: 'left', x: 300, y: 200 },
      { kind: 'double-click', button: 'left', x: 300, y: 200 },
      { kind: 'click', button: 'right', x: 320, y: 220 },
      { kind: 'key-down', code: 'KeyQ', key: 'q', modifiers: M },
      { kind: 'key-up', code: 'KeyQ', key: 'q', modifiers: M },
      { kind: 'wheel', x: 900, y: 500, dx: 0, dy: 5 },
    ];
    events.forEach((event, seq) => tech.sendJson({ type: 'input', seq, event }));
    const refusals = (): number => tech.received.filter((m) => m.kind === 'text' && m.message.type === 'error'
      && m.message.code === Errors.SESSION_VIEW_ONLY.code).length;
    await eventually(() => refusals() === events.length, 10_000, 'a refusal for every input event');
    // The agent, too, has handled (and, being view-only, refused) every message before this.
    await untilAgentHasRead(tech);
    expect(await recorded()).toEqual([]);

    // "Stop sharing" ends it for the technician too.
    await view.stop();
    await windowPage.click('#stop-button');
    expect((await tech.closed).code).toBe(4008);
    expect(tech.received.some((m) => m.kind === 'text' && m.message.type === 'peer-left')).toBe(true);
    await stateIs(windowPage, 'ended');
    expect(await windowPage.textContent('#ended-text')).toBe('You stopped sharing your screen.');
  });

  test('then a technician allowed control (sealed) reaches the window, and its click is the first input the window has seen: none of the view-only input got there', async () => {
    const { tech, view } = await shareWith('#allow-control', true);
    expect(await windowPage.textContent('#sharing-mode')).toBe('Control allowed');
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 900, y: 100 } });
    tech.sendJson({ type: 'input', seq: 1, event: { kind: 'text', text: 'hola ñ' } });
    await observed.page.waitForFunction(`document.getElementById('text').value.includes('hola ñ')`, undefined, { timeout: 10_000 });
    expect(await observed.page.inputValue('#text')).toBe('hola ñ');
    const seen = await recorded();
    expect(seen[0]).toMatchObject({ type: 'mousedown', x: 900, y: 100 });
    expect(seen.filter((e) => ['dblclick', 'contextmenu', 'wheel'].includes(e.type) || e.key === 'q')).toEqual([]);
    expect(await observed.page.evaluate(() => document.getElementById('scroller')!.scrollTop)).toBe(0);
    await view.stop();
    await windowPage.click('#stop-button');
    await tech.closed;
  });
});
