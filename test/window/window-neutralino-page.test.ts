import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { TRAY_ICON } from '../../client/app/neutralino-host';
import { parseHandshake, runExtension, type RunningExtension } from '../../client/window/neutralino-extension';
import { WindowBridge } from '../../client/window/window-bridge';
import type { Relay } from '../../relay/server';
import { browserForBlock, describeWithChromium, waitForBodyState } from '../support/browser';
import { eventually, startTestRelay } from '../support/relay-harness';
import { shownCode } from '../support/customer-window';
import { joinSealed } from '../support/sealed-peers';
import type { WsTestPeer } from '../support/ws-peer';
import { NeutralinoRuntimeStandIn } from './neutralino-stand-in';
import { RecordingSink } from '../support/fake-hardware';
import { fakeHardwareAgent, PAGE_DIR } from './window-harness';

const CONFIG = JSON.parse(readFileSync(join(__dirname, '../../neutralino.config.json'), 'utf8')) as { nativeAllowList: string[] };

describeWithChromium('the window page inside a local stand-in of the Neutralino runtime (the binary cannot be downloaded here): the Neutralino channel, with neutralino.js from @neutralinojs/lib', () => {
  const browser = browserForBlock({ locale: 'es-ES', viewport: { width: 420, height: 560 } });
  let relay: Relay;
  let runtime: NeutralinoRuntimeStandIn;
  let extension: RunningExtension;
  let sink: RecordingSink;
  let bridge: WindowBridge;
  let tech: WsTestPeer | undefined;

  beforeEach(async () => {
    relay = await startTestRelay();
    runtime = await NeutralinoRuntimeStandIn.start({ documentRoot: PAGE_DIR, nativeAllowList: CONFIG.nativeAllowList });
    sink = new RecordingSink();
    const logger = pino({ level: 'silent' });
    bridge = new WindowBridge({ logger, createAgent: fakeHardwareAgent(relay.wsUrl, sink) });
    extension = await runExtension(parseHandshake(JSON.stringify(runtime.handshake()))!, bridge, { logger });
  });
  afterEach(async () => {
    tech?.close();
    extension.client.close();
    await extension.done;
    await runtime.close();
    await relay.close();
  });

  test('the page talks to the agent through extension events only: connect, the question, allow control, the tray\'s stop', async () => {
    const page = await browser().newPage();
    await page.goto(runtime.url);
    await waitForBodyState(page, 'idle');
    expect(await page.getAttribute('body', 'data-channel')).toBe('neutralino');
    // Native window touches: the title and a tray with show / stop / quit, in the customer's language.
    await eventually(() => runtime.appCalls.some((c) => c.method === 'os.setTray'), 5000, 'the tray');
    expect(runtime.appCalls.find((c) => c.method === 'os.setTray')!.data).toEqual({
      icon: TRAY_ICON,
      menuItems: [{ id: 'show', text: 'Mostrar ventana' }, { id: 'stop', text: 'Dejar de compartir' }, { id: 'quit', text: 'Salir' }],
    });
    expect(runtime.appCalls.find((c) => c.method === 'window.setTitle')!.data).toEqual({ title: 'CompuEasys Soporte Remoto' });

    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const code = await shownCode(page);
    expect(code).toMatch(/^[0-9]{9}$/);
    tech = (await joinSealed(relay.wsUrl, code)).tech;
    await waitForBodyState(page, 'consent');
    expect(await page.isVisible('#consent-encrypted')).toBe(true);
    // The question comes to the front, takes focus and stays on top until sharing ends.
    const calls = (): string[] => runtime.appCalls.map((c) => `${c.method}${c.method === 'window.setAlwaysOnTop' ? ` ${JSON.stringify(c.data)}` : ''}`);
    await eventually(() => calls().includes('window.focus'), 5000, 'the window to take focus');
    expect(calls().filter((c) => c.startsWith('window.') && c !== 'window.setTitle')).toEqual(
      expect.arrayContaining(['window.show', 'window.unminimize', 'window.focus', 'window.setAlwaysOnTop {"onTop":true}']));
    expect(await page.textContent('#consent-question')).toBe('Juan (CompuEasys) quiere ver y controlar su pantalla');
    await page.click('#allow-control');
    expect((await tech.until('paired')).viewOnly).toBe(false);
    await waitForBodyState(page, 'sharing');
    // The runtime set the tray icon, whose menu stops sharing: no hint needed.
    expect(await page.isVisible('#sharing-no-tray')).toBe(false);
    tech.sendJson({ type: 'input', seq: 0, event: { kind: 'click', button: 'left', x: 3, y: 4 } });
    await eventually(() => sink.log.includes('left up'), 5000, 'the click');

    // "Dejar de compartir" from the tray menu.
    runtime.dispatchToPages('trayMenuItemClicked', { id: 'stop', text: 'Dejar de compartir' });
    expect(await tech.until('peer-left')).toEqual({ type: 'peer-left', reason: 'bye' });
    await waitForBodyState(page, 'ended');
    await eventually(() => calls().includes('window.setAlwaysOnTop {"onTop":false}'), 5000, 'the window no longer on top');
    expect(calls().filter((c) => c.startsWith('window.setAlwaysOnTop'))).toEqual(['window.setAlwaysOnTop {"onTop":true}', 'window.setAlwaysOnTop {"onTop":false}']);

    // Every call went through the allow list of neutralino.config.json, with the right token.
    expect(runtime.refused).toEqual([]);
    const pageMethods = new Set(runtime.appCalls.map((c) => c.method));
    expect([...pageMethods].sort()).toEqual([
      'extensions.dispatch', 'extensions.getStats', 'os.setTray', 'window.focus', 'window.setAlwaysOnTop', 'window.setTitle', 'window.show', 'window.unminimize',
    ]);
    expect(runtime.appCalls.filter((c) => c.method === 'extensions.dispatch').map((c) => String(c.data.extensionId)))
      .toEqual(expect.arrayContaining(['com.compueasys.agent']));
    expect(new Set(runtime.calls.map((c) => c.method))).toEqual(new Set(['app.broadcast']));

    // A reload (the one-time token now comes from sessionStorage) finds the agent where it was.
    await page.reload();
    await waitForBodyState(page, 'ended');
    expect(runtime.refused).toEqual([]);

    // The runtime's connection to the agent is gone: the page says the program is not responding.
    extension.client.close();
    await extension.done;
    await waitForBodyState(page, 'offline');
    await page.close();
  });

  test('the switch changes the language of the tray menu too; "quit" stops sharing first', async () => {
    const page = await browser().newPage();
    await page.goto(runtime.url);
    await waitForBodyState(page, 'idle');
    await page.click('#lang-toggle');
    await eventually(() => runtime.appCalls.filter((c) => c.method === 'os.setTray').length >= 2, 5000, 'the tray again');
    expect(runtime.appCalls.filter((c) => c.method === 'os.setTray').at(-1)!.data).toMatchObject({
      menuItems: [{ id: 'show', text: 'Show window' }, { id: 'stop', text: 'Stop sharing' }, { id: 'quit', text: 'Quit' }],
    });
    expect(runtime.appCalls.filter((c) => c.method === 'window.setTitle').at(-1)!.data).toEqual({ title: 'CompuEasys Remote Support' });

    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    runtime.dispatchToPages('trayMenuItemClicked', { id: 'quit' });
    await eventually(() => runtime.appCalls.some((c) => c.method === 'app.exit'), 5000, 'app.exit');
    const calls = runtime.appCalls.map((c) => (c.method === 'extensions.dispatch' ? `dispatch ${JSON.stringify(c.data.data)}` : c.method));
    expect(calls.indexOf('dispatch {"command":"stop"}')).toBeGreaterThan(-1);
    expect(calls.indexOf('dispatch {"command":"stop"}')).toBeLessThan(calls.indexOf('app.exit'));
    await waitForBodyState(page, 'ended');
    await page.close();
  });
});
