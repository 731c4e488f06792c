import type { InputEvent } from '../../protocol';
import { describeWithChromium, nextAnimationFrame, watchPageSockets } from '../support/browser';
import { pagePointOf, panelSuite, SCREEN } from './panel-driver';

const isUp = (button: string) => (e: InputEvent): boolean => e.kind === 'button-up' && e.button === button;
const buttonEvents = (events: InputEvent[]): InputEvent[] => events.filter((e) => e.kind !== 'pointer-move');
const NONE = { ctrl: false, alt: false, shift: false, meta: false };

/**
 * Input from the page in Chromium reaches a version-2 stand-in customer through a real
 * relay, sealed end to end: each event is opened with the session's keys before it is
 * compared, so what arrives is exactly what the page sent and nothing else could read it.
 */
describeWithChromium('technician input in Chromium reaches the stand-in client', () => {
  // Smaller than the 1280×720 remote screen, so "fit" really scales.
  const t = panelSuite({ locale: 'es-ES', viewport: { width: 1000, height: 700 } });

  it('a click at fit scale arrives at the matching remote pixel', async () => {
    const { client } = await t.connect();
    expect(await t.page.textContent('#e2e-badge')).toBe('🔒 Cifrado de extremo a extremo');
    const target = { x: 300, y: 200 };
    const at = await pagePointOf(t.page, target.x, target.y);
    expect(at.scale).toBeLessThan(0.9);
    expect(at.scale).toBeGreaterThan(0.5);
    await t.page.mouse.click(at.x, at.y);
    const events = buttonEvents(await client.inputsUntil(isUp('left')));
    expect(events).toEqual([
      { kind: 'button-down', button: 'left', ...target },
      { kind: 'button-up', button: 'left', ...target },
    ]);
  });

  it('at 1:1 with the view scrolled, a click still lands on the right pixel', async () => {
    const { client } = await t.connect();
    await t.page.click('#scale-one');
    const width = await t.page.evaluate(() => document.getElementById('remote-screen')!.getBoundingClientRect().width);
    expect(width).toBe(SCREEN.width);
    await t.page.evaluate(() => document.getElementById('screen-container')!.scrollTo(400, 150));
    const target = { x: 1100, y: 600 };
    const at = await pagePointOf(t.page, target.x, target.y);
    expect(at.scale).toBe(1);
    await t.page.mouse.click(at.x, at.y);
    expect(buttonEvents(await client.inputsUntil(isUp('left')))).toEqual([
      { kind: 'button-down', button: 'left', ...target },
      { kind: 'button-up', button: 'left', ...target },
    ]);
    await t.page.click('#scale-fit');
    expect(await t.page.evaluate(() => document.getElementById('remote-screen')!.getBoundingClientRect().width)).toBeLessThan(SCREEN.width);
  });

  it('double click, drag, right click (without the browser menu) and the wheel', async () => {
    const { client } = await t.connect();
    const a = await pagePointOf(t.page, 640, 360);
    await t.page.mouse.dblclick(a.x, a.y);
    expect(buttonEvents(await client.inputsUntil(isUp('left'))).map((e) => e.kind)).toEqual(['button-down', 'button-up']);
    expect(buttonEvents(await client.inputsUntil(isUp('left'))).map((e) => e.kind)).toEqual(['button-down', 'button-up']);

    const from = await pagePointOf(t.page, 100, 100);
    const to = await pagePointOf(t.page, 500, 300);
    await t.page.mouse.move(from.x, from.y);
    await t.page.mouse.down();
    await t.page.mouse.move(to.x, to.y, { steps: 8 });
    await t.page.mouse.up();
    const drag = await client.inputsUntil(isUp('left'));
    expect(drag.filter((e) => e.kind === 'button-down')).toEqual([{ kind: 'button-down', button: 'left', x: 100, y: 100 }]);
    expect(drag.at(-1)).toEqual({ kind: 'button-up', button: 'left', x: 500, y: 300 });
    const moves = drag.filter((e) => e.kind === 'pointer-move');
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.length).toBeLessThanOrEqual(9); // coalesced: never more than the DOM produced

    await t.page.evaluate(() => {
      (window as unknown as { menuPrevented?: boolean }).menuPrevented = undefined;
      document.addEventListener('contextmenu', (e) => { (window as unknown as { menuPrevented?: boolean }).menuPrevented = e.defaultPrevented; });
    });
    await t.page.mouse.click(a.x, a.y, { button: 'right' });
    expect(buttonEvents(await client.inputsUntil(isUp('right')))).toEqual([
      { kind: 'button-down', button: 'right', x: 640, y: 360 },
      { kind: 'button-up', button: 'right', x: 640, y: 360 },
    ]);
    expect(await t.page.evaluate(() => (window as unknown as { menuPrevented?: boolean }).menuPrevented)).toBe(true);

    await t.page.mouse.wheel(0, 120);
    const wheel = (await client.inputsUntil((e) => e.kind === 'wheel')).at(-1);
    expect(wheel).toMatchObject({ kind: 'wheel', dx: 0, dy: 1 });
    // Chromium gives wheel events whole CSS-pixel coordinates (pointer events keep the
    // fraction); at this scale a CSS pixel is 1.5 remote pixels, hence ±1.
    expect(wheel?.kind === 'wheel' && Math.abs(wheel.x - 640) <= 1 && Math.abs(wheel.y - 360) <= 1).toBe(true);
  });

  it('key presses arrive with their code, key and modifiers; typed characters as text', async () => {
    const { client } = await t.connect();
    await t.page.focus('#remote-screen');
    await t.page.keyboard.press('Enter');
    expect(await client.inputsUntil((e) => e.kind === 'key-up')).toEqual([
      { kind: 'key-down', code: 'Enter', key: 'Enter', modifiers: NONE },
      { kind: 'key-up', code: 'Enter', key: 'Enter', modifiers: NONE },
    ]);
    await t.page.keyboard.press('Control+KeyS');
    const ctrl = { ...NONE, ctrl: true };
    expect(await client.inputsUntil((e) => e.kind === 'key-up' && e.code === 'ControlLeft')).toEqual([
      { kind: 'key-down', code: 'ControlLeft', key: 'Control', modifiers: ctrl },
      { kind: 'key-down', code: 'KeyS', key: 's', modifiers: ctrl },
      { kind: 'key-up', code: 'KeyS', key: 's', modifiers: ctrl },
      { kind: 'key-up', code: 'ControlLeft', key: 'Control', modifiers: NONE },
    ]);
    // A Spanish keyboard's Ñ key, as Chromium receives it from the OS (Playwright's own
    // typing would insert a character outside its US layout as text, without any key event).
    const cdp = await t.page.context().newCDPSession(t.page);
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'ñ', code: 'Semicolon', text: 'ñ', windowsVirtualKeyCode: 192 });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'ñ', code: 'Semicolon', windowsVirtualKeyCode: 192 });
    await t.page.keyboard.type('a1');
    expect(await client.inputsUntil((e) => e.kind === 'text' && e.text === '1')).toEqual([
      { kind: 'text', text: 'ñ' }, { kind: 'text', text: 'a' }, { kind: 'text', text: '1' },
    ]);
    // The page itself did not act on the keys (Ctrl+S would open a save dialog).
    expect(await t.page.evaluate(() => document.activeElement?.id)).toBe('remote-screen');
  });

  it('the send-text box sends the whole Unicode string exactly', async () => {
    const { client } = await t.connect();
    const text = '¿Añadir el último pingüino? ¡Sí! 10 €';
    await t.page.click('#text-toggle');
    await t.page.fill('#send-text-input', text);
    await t.page.click('#send-text-button');
    expect(await client.inputsUntil((e) => e.kind === 'text')).toEqual([{ kind: 'text', text }]);
    expect(await t.page.isVisible('#text-panel')).toBe(false);
    expect(await t.page.textContent('#stat-notice')).toBe('Texto enviado');
  });

  it('the special-keys menu sends Ctrl+Alt+Del as a key sequence', async () => {
    const { client } = await t.connect();
    await t.page.click('#keys-toggle');
    expect(await t.page.textContent('[data-combo="ctrl-alt-del"]')).toBe('Ctrl+Alt+Supr');
    await t.page.click('[data-combo="ctrl-alt-del"]');
    const events = await client.inputsUntil((e) => e.kind === 'key-up' && e.code === 'ControlLeft');
    expect(events.map((e) => (e.kind === 'key-down' || e.kind === 'key-up' ? `${e.kind}:${e.code}` : e.kind))).toEqual([
      'key-down:ControlLeft', 'key-down:AltLeft', 'key-down:Delete', 'key-up:Delete', 'key-up:AltLeft', 'key-up:ControlLeft',
    ]);
  });

  it('a view-only session shows it and sends no input at all', async () => {
    const sockets = await watchPageSockets(t.page);
    await t.connect(true);
    expect(await t.page.textContent('#control-badge')).toBe('Solo ver');
    expect(await t.page.isVisible('#view-only-banner')).toBe(true);
    expect(await t.page.evaluate(() => document.body.classList.contains('view-only'))).toBe(true);
    for (const id of ['#keys-toggle', '#text-toggle', '#send-text-button', '#send-text-input']) {
      expect([id, await t.page.isDisabled(id)]).toEqual([id, true]);
    }
    const at = await pagePointOf(t.page, 300, 200);
    await t.page.mouse.click(at.x, at.y);
    await t.page.focus('#remote-screen');
    await t.page.keyboard.press('Enter');
    await t.page.keyboard.type('abc');
    await t.page.mouse.wheel(0, 240);
    // The page sends input as it handles each event, pointer moves on the next animation
    // frame; after that frame, whatever it was going to send is in the record. (Looking at
    // the client would prove nothing: the relay refuses view-only input before it.)
    await nextAnimationFrame(t.page);
    const sent = await sockets.sent();
    expect(sent.map((m) => m.type)).toContain('join'); // the record does see what the page sends
    expect(sent.map((m) => m.type)).toContain('sealed'); // … sealed ones included (the introduction)
    expect(sent.filter((m) => m.type === 'input' || (m.type === 'sealed' && m.inner === 'input'))).toEqual([]);
    // The view still works: a frame is drawn and acknowledged.
    expect(await t.page.isVisible('#screen-placeholder')).toBe(false);
  });
});
