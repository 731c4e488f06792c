import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { ControlMessage, InputEvent } from '../../protocol';
import type { Relay } from '../../relay/server';
import type { SessionStateName } from '../../technician/core/session/session-state';
import { browserForBlock, type TestBrowserOptions, waitForBodyState } from '../support/browser';
import { startTestRelay } from '../support/relay-harness';
import { fullFrame, SealedClient } from '../support/sealed-client';
import { WsTestPeer } from '../support/ws-peer';

/** The built page the relay serves; `npm test` builds it before jest runs. */
export function assertTechnicianBuilt(): void {
  const entry = join(__dirname, '..', '..', 'dist', 'technician', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before the browser tests`);
}

/** The technician name the tests type in. */
export const TECH_NAME = 'Ana (CompuEasys)';

/** Opens the panel and waits until its script has run (the language buttons say which is active). */
export async function openPanel(page: Page, relayUrl: string): Promise<void> {
  await page.goto(`${relayUrl}/`);
  await page.waitForSelector('#lang-es[aria-pressed]');
}

/** Waits until the panel shows `state` (the body's `data-state`). */
export async function waitForState(page: Page, state: SessionStateName, timeoutMs = 10_000): Promise<void> {
  await waitForBodyState(page, state, timeoutMs);
}

/**
 * Opens the page, types the code as the customer reads it out (in groups of three) and the
 * name, presses Connect, and waits until the session is live (the customer's side answers
 * by itself, as an agent started with --accept does).
 */
export async function connectPanelWithCode(page: Page, relayUrl: string, code: string, name = TECH_NAME): Promise<void> {
  await openPanel(page, relayUrl);
  await submitCode(page, code.replace(/(\d{3})(?=\d)/g, '$1 '), name);
  await waitForState(page, 'connected', 20_000);
}

/** Types the name and code into the form and presses Connect. */
export async function submitCode(page: Page, code: string, name = TECH_NAME): Promise<void> {
  await page.fill('#tech-name', name);
  await page.fill('#access-code', code);
  await page.click('#connect-button');
}

/**
 * A stand-in customer of protocol version 1 (an older agent, or one speaking for a legacy
 * one): a real WebSocket client that registered and holds a six-digit code. Its sessions
 * run in clear, and the page says so.
 */
export async function registeredClient(wsUrl: string, name = 'PC-RECEPCION'): Promise<{ client: WsTestPeer; code: string }> {
  const client = await WsTestPeer.hello(wsUrl, 'client');
  client.sendJson({ type: 'register', name });
  const { code } = await client.next('code');
  return { client, code };
}

/** A solid background with one coloured block, as a baseline JPEG (what createImageBitmap handles). */
export async function jpegWithBlock(width: number, height: number, background: readonly [number, number, number],
  block: { x: number; y: number; width: number; height: number; rgb: readonly [number, number, number] }): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= block.x && x < block.x + block.width && y >= block.y && y < block.y + block.height;
      const [r, g, b] = inside ? block.rgb : background;
      const i = (y * width + x) * 3;
      raw[i] = r; raw[i + 1] = g; raw[i + 2] = b;
    }
  }
  const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer();
  return new Uint8Array(jpeg);
}

/** Sends one whole-screen update in clear (a single rectangle, FULL|LAST), as a version-1 client does. */
export function sendFullFrame(client: WsTestPeer, seq: number, width: number, height: number, jpeg: Uint8Array, captureTimeMs = Date.now()): void {
  client.sendRaw(fullFrame(seq, width, height, jpeg, captureTimeMs));
}

/** Reads one canvas pixel of the remote screen (backing-store coordinates = remote pixels). */
export async function canvasPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(([px, py]) => {
    const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
    return Array.from(canvas.getContext('2d')!.getImageData(px!, py!, 1, 1).data);
  }, [x, y]);
}

/** Where remote pixel (x, y) is on the page right now, at whatever scale the canvas is shown. */
export async function pagePointOf(page: Page, x: number, y: number): Promise<{ x: number; y: number; scale: number }> {
  return page.evaluate(([rx, ry]) => {
    const canvas = document.getElementById('remote-screen') as HTMLCanvasElement;
    const box = canvas.getBoundingClientRect();
    return {
      x: box.left + ((rx! + 0.5) * box.width) / canvas.width,
      y: box.top + ((ry! + 0.5) * box.height) / canvas.height,
      scale: box.width / canvas.width,
    };
  }, [x, y]);
}

/** Collects the input events a version-1 stand-in client receives in clear until `stop` matches one (inclusive). */
export async function inputsUntil(client: WsTestPeer, stop: (e: InputEvent) => boolean, timeoutMs = 5000): Promise<InputEvent[]> {
  const events: InputEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m: ControlMessage = await client.until('input', Math.max(1, deadline - Date.now()));
    if (m.type !== 'input') continue;
    events.push(m.event);
    if (stop(m.event)) return events;
  }
}

/** The stand-in client's screen: a red block on a blue-grey background, 1280×720. */
export const SCREEN = Object.freeze({ width: 1280, height: 720 });
/** Colour of the stand-in client's screen around the block. */
export const BACKGROUND: readonly [number, number, number] = [40, 60, 90];
/** The coloured block whose pixels the tests read back from the canvas. */
export const BLOCK = Object.freeze({ x: 200, y: 120, width: 240, height: 160, rgb: [230, 30, 30] as const });

/**
 * A page in a sealed session with a version-2 stand-in customer: the technician typed the
 * whole code ("385 621 947"), both sides verified, the customer accepted (view-only if
 * asked) and sent its screen information and one full frame, sealed; resolves once the
 * page drew it and acknowledged it (sealed too).
 */
export async function connectedPage(page: Page, relay: { url: string; wsUrl: string }, viewOnly = false): Promise<{ client: SealedClient; code: string }> {
  const client = await SealedClient.register(relay.wsUrl);
  await openPanel(page, relay.url);
  await submitCode(page, client.spokenCode);
  const introduced = await client.pair({ viewOnly });
  if (introduced !== TECH_NAME) throw new Error(`the technician introduced itself as ${JSON.stringify(introduced)}`);
  await waitForState(page, 'connected');
  await client.sendScreenInfo(SCREEN.width, SCREEN.height);
  await client.sendFullFrame(1, SCREEN.width, SCREEN.height, await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, BLOCK), 1_700_000_000_000);
  const ack = await client.nextAck();
  if (ack.seq !== 1) throw new Error(`expected FRAME_ACK 1, got ${JSON.stringify(ack)}`);
  return { client, code: client.wholeCode };
}

/**
 * The same with a version-1 stand-in (six digits, in clear): how an older customer's app
 * is helped from this page.
 */
export async function connectedLegacyPage(page: Page, relay: { url: string; wsUrl: string }): Promise<{ client: WsTestPeer; code: string }> {
  const { client, code } = await registeredClient(relay.wsUrl);
  await openPanel(page, relay.url);
  await submitCode(page, code);
  await client.next('consent-request');
  client.sendJson({ type: 'consent', granted: true, viewOnly: false });
  await client.next('paired');
  await waitForState(page, 'connected');
  client.sendJson({ type: 'screen-info', displays: [{ id: 0, x: 0, y: 0, ...SCREEN, primary: true }], streaming: 0 });
  sendFullFrame(client, 1, SCREEN.width, SCREEN.height, await jpegWithBlock(SCREEN.width, SCREEN.height, BACKGROUND, BLOCK), 1_700_000_000_000);
  const { message } = await client.nextBinary(10_000);
  if (message.kind !== 'frame-ack' || message.seq !== 1) throw new Error(`expected FRAME_ACK 1, got ${JSON.stringify(message)}`);
  return { client, code };
}

/** What each test of a {@link panelSuite} gets. */
export interface PanelTest {
  /** This test's relay; a test may replace it (it is closed after the test either way). */
  relay: Relay;
  /** A fresh page of the block's browser. */
  readonly page: Page;
  /** {@link connectedPage} (sealed) on this test's page and relay; the client is closed after the test. */
  connect(viewOnly?: boolean): Promise<{ client: SealedClient; code: string }>;
  /** {@link connectedLegacyPage} (in clear) on this test's page and relay. */
  connectLegacy(): Promise<{ client: WsTestPeer; code: string }>;
  /** {@link SealedClient.register} on this test's relay; the client is closed after the test. */
  register(): Promise<SealedClient>;
  /** {@link registeredClient} (version 1) on this test's relay; the client is closed after the test. */
  registerLegacy(name?: string): Promise<{ client: WsTestPeer; code: string }>;
}

/**
 * The hooks of a technician-page suite, installed in the calling describe block: one
 * browser for the block (`options`: its locale and window size), and for each test a
 * fresh relay and page, closed after it with any stand-in client it opened.
 */
export function panelSuite(options: TestBrowserOptions): PanelTest {
  beforeAll(() => assertTechnicianBuilt());
  const browser = browserForBlock(options);
  const clients: { close(): void }[] = [];
  let relay: Relay | undefined;
  let page: Page | undefined;
  const keep = <T extends { client: { close(): void } }>(opened: T): T => {
    clients.push(opened.client);
    return opened;
  };
  beforeEach(async () => {
    relay = await startTestRelay();
    page = await browser().newPage();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await page?.close();
    await relay?.close();
  });
  const test: PanelTest = {
    get relay() { return relay!; },
    set relay(replacement: Relay) { relay = replacement; },
    get page() { return page!; },
    connect: async (viewOnly = false) => keep(await connectedPage(page!, relay!, viewOnly)),
    connectLegacy: async () => keep(await connectedLegacyPage(page!, relay!)),
    register: async () => keep({ client: await SealedClient.register(relay!.wsUrl) }).client,
    registerLegacy: async (name) => keep(await registeredClient(relay!.wsUrl, name)),
  };
  return test;
}
