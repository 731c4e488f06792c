import type { Page } from 'playwright-core';
import type { InputEvent } from '../../protocol';
import type { Relay } from '../../relay/server';
import { hasChromium, launchTestBrowser, type TestBrowser } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import type { WsTestPeer } from '../support/ws-peer';
import { assertTechnicianBuilt, connectedPage, inputsUntil, pagePointOf, SCREEN } from './panel-driver';

const maybe = hasChromium() ? describe : describe.skip;

const isUp = (button: string) => (e: InputEvent): boolean => e.kind === 'button-up' && e.button === button;
const buttonEvents = (events: InputEvent[]): InputEvent[] => events.filter((e) => e.kind !== 'pointer-move');
const NONE = { ctrl: false, alt: false, shift: false, meta: false };

maybe('technician input in Chromium reaches the stand-in client', () => {
  let browser: TestBrowser;
  let relay: Relay;
  let page: Page;
  let client: WsTestPeer | undefined;
  beforeAll(async () => {
    assertTechnicianBuilt();
    // Smaller than the 1280×720 remote screen, so "fit" really scales.
    browser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1000, height: 700 } });
  });
  afterAll(async () => { await browser?.close(); });
  beforeEach(async () => {
    relay = await startTestRelay();
    page = await browser.newPage();
    client = undefined;
  });
  afterEach(async () => {
    client?.close();
    await page.close();
    await relay.close();
  });

  it('a click at fit scale arrives at the matching remote pixel', async () => {
    ({ client } = await connectedPage(page, relay));
    const target = { x: 300, y: 200 };
    const at = await pagePointOf(page, target.x, target.y);
    expect(at.scale).toBeLessThan(0.9);
    expect(at.scale).toBeGreaterThan(0.5);
    await page.mouse.click(at.x, at.y);
    const events = buttonEvents(await inputsUntil(client, isUp('left')));
    expect(events).toEqual([
      { kind: 'button-down', button: 'left', ...target },
      { kind: 'button-up', button: 'left', ...target },
    ]);
  });

  it('at 1:1 with the view scrolled, a click still lands on the right pixel', async () => {
    ({ client } = await connectedPage(page, relay));
    await page.click('#scale-one');
    const width = await page.evaluate(() => document.getElementById('remote-screen')!.getBoundingClientRect().width);
    expect(width).toBe(SCREEN.width);
    await page.evaluate(() => document.getElementById('screen-container')!.scrollTo(400, 150));
    const target = { x: 1100, y: 600 };
    const at = await pagePointOf(page, target.x, target.y);
    expect(at.scale).toBe(1);
    await page.mouse.click(at.x, at.y);
    expect(buttonEvents(await inputsUntil(client, isUp('left')))).toEqual([
      { kind: 'button-down', button: 'left', ...target },
      { kind: 'button-up', button: 'left', ...target },
    ]);
    await page.click('#scale-fit');
    expect(await page.evaluate(() => document.getElementById('remote-screen')!.getBoundingClientRect().width)).toBeLessThan(SCREEN.width);
  });

  it('double click, drag, right click (without the browser menu) and the wheel', async () => {
    ({ client } = await connectedPage(page, relay));
    const a = await pagePointOf(page, 640, 360);
    await page.mouse.dblclick(a.x, a.y);
    expect(buttonEvents(await inputsUntil(client, isUp('left'))).map((e) => e.kind)).toEqual(['button-down', 'button-up']);
    expect(buttonEvents(await inputsUntil(client, isUp('left'))).map((e) => e.kind)).toEqual(['button-down', 'button-up']);

    const from = await pagePointOf(page, 100, 100);
    const to = await pagePointOf(page, 500, 300);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    const drag = await inputsUntil(client, isUp('left'));
    expect(drag.filter((e) => e.kind === 'button-down')).toEqual([{ kind: 'button-down', button: 'left', x: 100, y: 100 }]);
    expect(drag.at(-1)).toEqual({ kind: 'button-up', button: 'left', x: 500, y: 300 });
    const moves = drag.filter((e) => e.kind === 'pointer-move');
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.length).toBeLessThanOrEqual(9); // coalesced: never more than the DOM produced

    await page.evaluate(() => {
      (window as unknown as { menuPrevented?: boolean }).menuPrevented = undefined;
      document.addEventListener('contextmenu', (e) => { (window as unknown as { menuPrevented?: boolean }).menuPrevented = e.defaultPrevented; });
    });
    await page.mouse.click(a.x, a.y, { button: 'right' });
    expect(buttonEvents(await inputsUntil(client, isUp('right')))).toEqual([
      { kind: 'button-down', button: 'right', x: 640, y: 360 },
      { kind: 'button-up', button: 'right', x: 640, y: 360 },
    ]);
    expect(await page.evaluate(() => (window as unknown as { menuPrevented?: boolean }).menuPrevented)).toBe(true);

    await page.mouse.wheel(0, 120);
    const wheel = (await inputsUntil(client, (e) => e.kind === 'wheel')).at(-1);
    expect(wheel).toMatchObject({ kind: 'wheel', dx: 0, dy: 1 });
    // Chromium gives wheel events whole CSS-pixel coordinates (pointer events keep the
    // fraction); at this scale a CSS pixel is 1.5 remote pixels, hence ±1.
    expect(wheel?.kind === 'wheel' && Math.abs(wheel.x - 640) <= 1 && Math.abs(wheel.y - 360) <= 1).toBe(true);
  });

  it('key presses arrive with their code, key and modifiers; typed characters as text', async () => {
    ({ client } = await connectedPage(page, relay));
    await page.focus('#remote-screen');
    await page.keyboard.press('Enter');
    expect(await inputsUntil(client, (e) => e.kind === 'key-up')).toEqual([
      { kind: 'key-down', code: 'Enter', key: 'Enter', modifiers: NONE },
      { kind: 'key-up', code: 'Enter', key: 'Enter', modifiers: NONE },
    ]);
    await page.keyboard.press('Control+KeyS');
    const ctrl = { ...NONE, ctrl: true };
    expect(await inputsUntil(client, (e) => e.kind === 'key-up' && e.code === 'ControlLeft')).toEqual([
      { kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: ctrl },
      { kind: 'key-down', code: 'KeyS', key: 's', modifiers: ctrl },
      { kind: 'key-up', code: 'KeyS', key: 's', modifiers: ctrl },
      { kind: 'key-up', code: 'ControlLeft', key: 'Control', modifiers: NONE },
    ]);
    // A Spanish keyboard's Ñ key, as Chromium receives it from the OS (Playwright's own
    // typing would insert a character outside its US layout as text, without any key event).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'ñ', code: 'Semicolon', text: 'ñ', windowsVirtualKeyCode: 192 });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'ñ', code: 'Semicolon', windowsVirtualKeyCode: 192 });
    await page.keyboard.type('a1');
    expect(await inputsUntil(client, (e) => e.kind === 'text' && e.text === '1')).toEqual([
      { kind: 'text', text: 'ñ' }, { kind: 'text', text: 'a' }, { kind: 'text', text: '1' },
    ]);
    // The page itself did not act on the keys (Ctrl+S would open a save dialog).
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('remote-screen');
  });

  it('the send-text box sends the whole Unicode string exactly', async () => {
    ({ client } = await connectedPage(page, relay));
    const text = '¿Añadir el último pingüino? ¡Sí! 10 €';
    await page.click('#text-toggle');
    await page.fill('#send-text-input', text);
    await page.click('#send-text-button');
    expect(await inputsUntil(client, (e) => e.kind === 'text')).toEqual([{ kind: 'text', text }]);
    expect(await page.isVisible('#text-panel')).toBe(false);
    expect(await page.textContent('#stat-notice')).toBe('Texto enviado');
  });

  it('the special-keys menu sends Ctrl+Alt+Del as a key sequence', async () => {
    ({ client } = await connectedPage(page, relay));
    await page.click('#keys-toggle');
    expect(await page.textContent('[data-combo="ctrl-alt-del"]')).toBe('Ctrl+Alt+Supr');
    await page.click('[data-combo="ctrl-alt-del"]');
    const events = await inputsUntil(client, (e) => e.kind === 'key-up' && e.code === 'ControlLeft');
    expect(events.map((e) => (e.kind === 'key-down' || e.kind === 'key-up' ? `${e.kind}:${e.code}` : e.kind))).toEqual([
      'key-down:ControlLeft', 'key-down:AltLeft', 'key-down:Delete', 'key-up:Delete', 'key-up:AltLeft', 'key-up:ControlLeft',
    ]);
  });

  it('a view-only session shows it and sends no input at all', async () => {
    ({ client } = await connectedPage(page, relay, true));
    expect(await page.textContent('#control-badge')).toBe('Solo ver');
    expect(await page.isVisible('#view-only-banner')).toBe(true);
    expect(await page.evaluate(() => document.body.classList.contains('view-only'))).toBe(true);
    for (const id of ['#keys-toggle', '#text-toggle', '#send-text-button', '#send-text-input']) {
      expect([id, await page.isDisabled(id)]).toEqual([id, true]);
    }
    const at = await pagePointOf(page, 300, 200);
    await page.mouse.click(at.x, at.y);
    await page.focus('#remote-screen');
    await page.keyboard.press('Enter');
    await page.keyboard.type('abc');
    await page.mouse.wheel(0, 240);
    // Nothing was sent: the relay would have forwarded it (or refused it with an error).
    await page.waitForTimeout(500);
    expect(client.received.filter((r) => r.kind === 'text' && (r.message.type === 'input' || r.message.type === 'error'))).toEqual([]);
    // The view still works: a frame is drawn and acknowledged.
    expect(await page.isVisible('#screen-placeholder')).toBe(false);
  });
});
