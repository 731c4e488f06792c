import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { nodeSha256 } from '../../client/files/node-file-source';
import { parseHandshake, runExtension, type RunningExtension } from '../../client/window/neutralino-extension';
import { WindowBridge } from '../../client/window/window-bridge';
import type { FileSink } from '../../common/files/file-io';
import type { TransferOutcome } from '../../common/files/file-transfers';
import type { Relay } from '../../relay/server';
import { TechnicianSession } from '../../technician/core/session/technician-session';
import { testCrypto } from '../../technician/test/fake-customer';
import { browserForBlock, describeWithChromium, waitForBodyState } from '../support/browser';
import { shownCode } from '../support/customer-window';
import { RecordingSink } from '../support/fake-hardware';
import { eventually, startTestRelay } from '../support/relay-harness';
import { NeutralinoRuntimeStandIn } from './neutralino-stand-in';
import { fakeHardwareAgent, PAGE_DIR } from './window-harness';

const CONFIG = JSON.parse(readFileSync(join(__dirname, '../../neutralino.config.json'), 'utf8')) as { nativeAllowList: string[] };
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Files in the customer's window inside the Neutralino stand-in: a requested file is picked
 * in the runtime's file dialog (`os.showOpenDialog`, on the config's allow list), an offered
 * one accepted in the window; the technician is the real page session in Node.
 */
describeWithChromium('files in the customer\'s window (Neutralino channel, the runtime\'s file dialog)', () => {
  const browser = browserForBlock({ locale: 'es-ES', viewport: { width: 420, height: 700 } });
  let relay: Relay;
  let runtime: NeutralinoRuntimeStandIn;
  let extension: RunningExtension;
  let tech: TechnicianSession | undefined;
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(os.tmpdir(), 'window-files-'));
    relay = await startTestRelay();
    runtime = await NeutralinoRuntimeStandIn.start({ documentRoot: PAGE_DIR, nativeAllowList: CONFIG.nativeAllowList });
    const logger = pino({ level: 'silent' });
    const bridge = new WindowBridge({
      logger, createAgent: fakeHardwareAgent(relay.wsUrl, new RecordingSink()),
      files: { downloadsFolder: join(root, 'Descargas'), maxFileBytes: 64 * 1024 * 1024 },
    });
    extension = await runExtension(parseHandshake(JSON.stringify(runtime.handshake()))!, bridge, { logger });
  });
  afterEach(async () => {
    tech?.disconnect();
    extension.client.close();
    await extension.done;
    await runtime.close();
    await relay.close();
    await rm(root, { recursive: true, force: true });
  });

  test('asked for a file, the customer picks it in the dialog; offered one, accepts it in the window', async () => {
    const page = await browser().newPage();
    await page.goto(runtime.url);
    await waitForBodyState(page, 'idle');
    await page.click('#connect-button');
    await waitForBodyState(page, 'code');
    const received: { parts: Uint8Array[] } = { parts: [] };
    const finished: TransferOutcome[] = [];
    const sink: FileSink = { write: async (b) => void received.parts.push(b), commit: async () => 'x', discard: async () => undefined };
    const session = new TechnicianSession({
      url: relay.wsUrl, code: await shownCode(page), name: 'Ana (CompuEasys)', app: 'test', crypto: testCrypto,
      createSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
      files: { openIncoming: async () => sink, createHasher: nodeSha256, onFinished: (_i, outcome) => finished.push(outcome) },
    }, { onFrame: (frame) => session.acknowledge(frame.header.seq, frame.header.captureTimeMs) });
    tech = session;
    session.start();
    await waitForBodyState(page, 'consent');
    await page.click('#allow-control');
    await eventually(() => session.canTransferFiles, 10_000, 'files offered');

    const data = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const picked = join(root, 'factura.pdf');
    await writeFile(picked, data);
    runtime.openDialogPaths = [picked];
    session.requestFile();
    await page.waitForSelector('.file-question .file-pick', { timeout: 10_000 });
    expect(await page.isVisible('.file-question .file-path')).toBe(false); // the dialog, not a typed path
    await page.click('.file-question .file-pick');
    await eventually(() => finished.length === 1, 20_000, 'the requested file');
    expect(finished[0]).toBe('saved');
    expect(sha256(Buffer.concat(received.parts))).toBe(sha256(data));
    expect(runtime.appCalls.some((c) => c.method === 'os.showOpenDialog')).toBe(true);
    expect(runtime.refused).toEqual([]);

    session.sendFile({ name: 'léame.txt', size: 5, read: async () => new TextEncoder().encode('hola!'), close: async () => undefined });
    await page.waitForSelector('.file-question .file-accept', { timeout: 10_000 });
    expect(await page.textContent('.file-question p')).toBe('El técnico quiere enviarle «léame.txt» (5 B)');
    await page.click('.file-question .file-accept');
    await eventually(() => finished.length === 2, 20_000, 'the offered file');
    expect(finished[1]).toBe('sent');
    expect(await readFile(join(root, 'Descargas', 'léame.txt'), 'utf8')).toBe('hola!');
    await page.waitForSelector('#file-transfers [data-state="saved"]', { timeout: 10_000 });

    // The customer cancels in the window: the technician hears it, nothing stays in Descargas.
    // The file is read slowly past its first MiB (until the test lets it go), so the cancel comes mid-way.
    const big = new Uint8Array(40 * 1024 * 1024);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    session.sendFile({
      name: 'grande.iso', size: big.length, close: async () => undefined,
      read: async (o, l) => { if (o >= 1024 * 1024) await held; return big.subarray(o, o + l); },
    });
    await page.waitForSelector('.file-question .file-accept', { timeout: 10_000 });
    await page.click('.file-question .file-accept');
    await page.waitForSelector('#file-transfers [data-id="3"] .file-cancel', { timeout: 10_000 });
    await page.click('#file-transfers [data-id="3"] .file-cancel');
    await eventually(() => finished.length === 3, 20_000, 'the cancel to reach the technician');
    expect(finished[2]).toBe('cancelled-by-peer');
    release();
    await page.waitForSelector('#file-transfers [data-id="3"][data-state="cancelled"]', { timeout: 10_000 });
    const { readdir } = await import('node:fs/promises');
    await eventually(async () => (await readdir(join(root, 'Descargas'))).length === 1, 10_000, 'the partial file to go');
    await page.close();
  }, 60_000);
});
