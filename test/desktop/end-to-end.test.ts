import type { Page } from 'playwright-core';
import type { Relay } from '../../relay/server';
import { launchTestBrowser, type TestBrowser } from '../support/browser';
import {
  customerDesktopPage, describeWithDesktop, startAgentProcess, startDesktop, untilCanvasShows, type AgentProcess, type Desktop, type DesktopBrowser,
} from '../support/desktop';
import { assertTechnicianBuilt, canvasPixel, pagePointOf, submitCode, waitForState, openPanel } from '../browser/panel-driver';

const WIDTH = 1280;
const HEIGHT = 720;
const PHRASE = '¿Añadir el último pingüino? ¡Sí! 10 €';
/** The known block on the customer's screen, and its colour. */
const BLOCK = { x: 80, y: 60, width: 320, height: 200, rgb: [0x1e, 0x90, 0xff] as const };

const CUSTOMER_PAGE = customerDesktopPage(BLOCK);

/**
 * The whole system on one machine: the customer's X display with a real window, the
 * real agent sharing it, the real relay, and the technician page in a second Chromium.
 */
describeWithDesktop('end to end: technician page → relay → agent → X display', () => {
  let desktop: Desktop;
  let customer: DesktopBrowser;
  let relay: Relay;
  let agent: AgentProcess;
  let technicianBrowser: TestBrowser;
  let panel: Page;

  beforeAll(async () => {
    assertTechnicianBuilt();
    desktop = await startDesktop(CUSTOMER_PAGE, { width: WIDTH, height: HEIGHT });
    ({ window: customer, relay } = desktop);
    agent = startAgentProcess(desktop.display, relay.wsUrl);
    technicianBrowser = await launchTestBrowser({ locale: 'es-ES', viewport: { width: 1400, height: 900 } });
    panel = await technicianBrowser.newPage();
  }, 90_000);

  afterAll(async () => {
    await technicianBrowser?.close();
    await agent?.stop();
    await desktop?.close();
  });

  test('the technician enters the code, the customer accepts, and the canvas shows the customer\'s screen', async () => {
    const code = await agent.code;
    await openPanel(panel, relay.url);
    // All nine digits, as the customer reads them; the page keeps the last three to itself.
    expect(code).toMatch(/^[0-9]{9}$/);
    await submitCode(panel, `${code.slice(0, 3)} ${code.slice(3, 6)} ${code.slice(6)}`, 'Juan (CompuEasys)');
    await waitForState(panel, 'connected', 20_000);
    expect((await panel.textContent('#e2e-badge'))?.trim()).toBe('🔒 Cifrado de extremo a extremo');
    // The known block, drawn from real captured frames.
    await untilCanvasShows(panel, BLOCK);
    expect(await panel.evaluate(() => [(document.getElementById('remote-screen') as HTMLCanvasElement).width, (document.getElementById('remote-screen') as HTMLCanvasElement).height]))
      .toEqual([WIDTH, HEIGHT]);
    const outside = await canvasPixel(panel, 40, 40);
    outside.slice(0, 3).forEach((v) => expect(v).toBeGreaterThan(230)); // the page background
    expect(agent.output()).toContain('Juan (CompuEasys) is viewing and controlling your screen');
    expect(agent.output()).toContain('🔒 End-to-end encrypted.');
  });

  test('a click on the canvas lands at the matching point of the customer\'s window', async () => {
    const target = { x: 700, y: 200 };
    const point = await pagePointOf(panel, target.x, target.y);
    await panel.mouse.click(point.x, point.y, { button: 'right' });
    await customer.page.waitForFunction('window.clicks.length > 0', undefined, { timeout: 10_000 });
    const [click] = await customer.page.evaluate(() => (window as unknown as { clicks: { button: number; x: number; y: number }[] }).clicks);
    expect(click!.button).toBe(2);
    // At fit scale one CSS pixel of the canvas covers about 1.1 remote pixels.
    expect(Math.abs(click!.x - target.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(click!.y - target.y)).toBeLessThanOrEqual(1);
  });

  test('typed keys and the send-text box put the Spanish phrase into the text area exactly', async () => {
    const field = await pagePointOf(panel, 400, 450);
    await panel.mouse.click(field.x, field.y);
    await customer.page.waitForFunction(`document.activeElement && document.activeElement.id === 'text'`, undefined, { timeout: 10_000 });
    const sendText = async (text: string): Promise<void> => {
      await panel.click('#text-toggle');
      await panel.fill('#send-text-input', text);
      await panel.click('#send-text-button');
    };
    await sendText('¿Añadir el último pingüino? ');
    await customer.page.waitForFunction(`document.getElementById('text').value.length >= 28`, undefined, { timeout: 10_000 });
    // Keys typed while the canvas has focus go to the customer's machine one by one. (Focus it
    // without clicking: three clicks on the same spot would be a triple click, selecting all.)
    await panel.focus('#remote-screen');
    await panel.keyboard.type('hola');
    await customer.page.waitForFunction(`document.getElementById('text').value.endsWith('hola')`, undefined, { timeout: 10_000 });
    for (let i = 0; i < 4; i++) await panel.keyboard.press('Backspace');
    await customer.page.waitForFunction(`!document.getElementById('text').value.endsWith('hola')`, undefined, { timeout: 10_000 });
    await sendText('¡Sí! ');
    await customer.page.waitForFunction(`document.getElementById('text').value.endsWith(' ')`, undefined, { timeout: 10_000 });
    await panel.focus('#remote-screen');
    await panel.keyboard.type('10 ');
    await sendText('€');
    await customer.page.waitForFunction(`document.getElementById('text').value.endsWith('€')`, undefined, { timeout: 10_000 });
    expect(await customer.page.inputValue('#text')).toBe(PHRASE);
  });

  test('disconnecting ends the session on both sides', async () => {
    await panel.click('#disconnect-button');
    await waitForState(panel, 'ended', 10_000);
    await agent.waitForOutput('The technician ended the session.');
    expect(relay.hub.registry.size).toBe(0);
  });
});
