import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Errors, PeerFeature } from '../../protocol';
import { createAgent, type Agent } from '../../client/agent';
import type { CustomerFiles } from '../../client/files/customer-files';
import { nodeSha256 } from '../../client/files/node-file-source';
import type { FileSink, FileSource } from '../../common/files/file-io';
import type { TransferInfo, TransferOutcome } from '../../common/files/file-transfers';
import { TechnicianSession } from '../../technician/core/session/technician-session';
import type { RelayOptions } from '../../relay/options';
import type { Relay } from '../../relay/server';
import { testCrypto } from '../../technician/test/fake-customer';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { fakeHardware } from '../support/fake-hardware';
import { eventually, startTestRelay } from '../support/relay-harness';

/**
 * File transfer end to end (issue 15 item 2): the real agent (screen and input faked,
 * files real, in a temporary Downloads folder) and the real page's session
 * (TechnicianSession over a real WebSocket, files in memory as the page keeps them) through
 * a real relay on port 0.
 */
const MB = 1024 * 1024;

interface Events {
  progress: TransferInfo[];
  finished: { info: TransferInfo; outcome: TransferOutcome; savedAs?: string }[];
}

const newEvents = (): Events => ({ progress: [], finished: [] });

interface Customer {
  agent: Agent;
  downloads: string;
  events: Events;
  /** How the customer answers an offer; the names it was asked about. */
  answer: boolean;
  asked: string[];
  /** The path the customer picks when asked for a file. */
  pick: string | undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The page's way to keep a file it asked for: in memory, as a Blob's parts. */
class MemorySink implements FileSink {
  readonly parts: Uint8Array[] = [];
  state: 'open' | 'kept' | 'discarded' = 'open';
  async write(bytes: Uint8Array): Promise<void> {
    this.parts.push(bytes);
  }
  async commit(): Promise<string> {
    this.state = 'kept';
    return 'download';
  }
  async discard(): Promise<void> {
    this.state = 'discarded';
    this.parts.length = 0;
  }
}

function memorySource(bytes: Uint8Array, name: string): FileSource {
  return { name, size: bytes.length, read: async (offset, length) => bytes.slice(offset, offset + length), close: async () => undefined };
}

async function startCustomer(relayUrl: string, root: string): Promise<Customer> {
  const { deps } = fakeHardware(relayUrl);
  const customer = { downloads: path.join(root, 'Downloads'), events: newEvents(), answer: true, asked: [], pick: undefined } as unknown as Customer;
  const files: CustomerFiles = {
    downloadsFolder: customer.downloads,
    maxFileBytes: 200 * MB,
    confirmReceive: async (offer) => {
      customer.asked.push(offer.name);
      return customer.answer;
    },
    pickFile: async () => customer.pick,
    onProgress: (info) => customer.events.progress.push(info),
    onFinished: (info, outcome, detail) => customer.events.finished.push({ info, outcome, ...(detail?.savedAs ? { savedAs: detail.savedAs } : {}) }),
  };
  customer.agent = await createAgent({
    ...deps, files, consent: async () => 'control', onState: () => undefined,
    backoff: { initialDelayMs: 20, maxDelayMs: 100, factor: 2, jitter: 0 },
    streamer: { minFrameIntervalMs: 20, maxIdleIntervalMs: 50 },
  });
  customer.agent.session.connect();
  return customer;
}

interface Technician {
  session: TechnicianSession;
  events: Events;
  sinks: MemorySink[];
}

function startTechnician(relayWsUrl: string, code: string): Technician {
  const tech = { events: newEvents(), sinks: [] as MemorySink[] } as unknown as Technician;
  tech.session = new TechnicianSession({
    url: relayWsUrl, code, name: 'Ana (CompuEasys)', app: 'test', crypto: testCrypto,
    backoff: { initialDelayMs: 20, maxDelayMs: 100, factor: 2, jitter: 0, maxRetries: 5 },
    createSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
    files: {
      openIncoming: async () => {
        const sink = new MemorySink();
        tech.sinks.push(sink);
        return sink;
      },
      createHasher: nodeSha256,
      onProgress: (info) => tech.events.progress.push(info),
      onFinished: (info, outcome) => tech.events.finished.push({ info, outcome }),
    },
  }, {
    onFrame: (frame) => tech.session.acknowledge(frame.header.seq, frame.header.captureTimeMs),
  });
  tech.session.start();
  return tech;
}

async function codeOf(customer: Customer): Promise<string> {
  await eventually(() => customer.agent.session.current.kind === 'code', 5000, 'a code');
  const s = customer.agent.session.current;
  if (s.kind !== 'code') throw new Error('no code');
  return s.code;
}

/** Percentages one side reported for a transfer, in order: they only rise, and end at 100. */
function percents(events: Events, id: number): number[] {
  return events.progress.filter((p) => p.id === id).map((p) => p.progress.percent);
}

describe('file transfer (real agent, real page session, real relay)', () => {
  let relay: Relay;
  let proxy: CuttableProxy | undefined;
  let customer: Customer | undefined;
  let tech: Technician | undefined;
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'file-transfer-'));
  });
  afterEach(async () => {
    tech?.session.disconnect();
    await customer?.agent.close();
    customer = undefined;
    tech = undefined;
    await proxy?.close();
    proxy = undefined;
    await relay.close();
    await rm(root, { recursive: true, force: true });
  });

  async function setUp(options: Partial<RelayOptions> = {}, throughProxy = false): Promise<{ c: Customer; t: Technician }> {
    relay = await startTestRelay(options);
    if (throughProxy) proxy = await startCuttableProxy(relay.wsUrl);
    customer = await startCustomer(proxy?.wsUrl ?? relay.wsUrl, root);
    tech = startTechnician(relay.wsUrl, await codeOf(customer));
    await eventually(() => tech!.session.snapshot.state === 'connected' && customer!.agent.session.current.kind === 'sharing', 5000, 'both sides in session');
    await eventually(() => tech!.session.canTransferFiles, 5000, 'files offered');
    return { c: customer, t: tech };
  }

  test('50 MB from the technician arrive in Downloads with the same SHA-256; progress rises to 100 % on both sides', async () => {
    const { c, t } = await setUp();
    const data = new Uint8Array(randomBytes(50 * MB));
    const id = t.session.sendFile(memorySource(data, 'copia de seguridad.bin'))!;
    expect(id).toBeGreaterThan(0);
    await eventually(() => t.events.finished.length === 1, 60_000, 'the transfer to finish');
    expect(t.events.finished[0]!.outcome).toBe('sent');
    expect(c.events.finished[0]).toMatchObject({ outcome: 'saved', savedAs: 'copia de seguridad.bin' });
    expect(c.asked).toEqual(['copia de seguridad.bin']);
    expect(await readdir(c.downloads)).toEqual(['copia de seguridad.bin']);
    expect(sha256(await readFile(path.join(c.downloads, 'copia de seguridad.bin')))).toBe(sha256(data));
    for (const events of [t.events, c.events]) {
      const seen = percents(events, id);
      expect(seen.at(-1)).toBe(100);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
      expect(seen.filter((p) => p > 0 && p < 100).length).toBeGreaterThan(3);
    }
    expect(c.agent.session.fileTransfersActive + t.session.fileTransfersActive).toBe(0);
  });

  test('50 MB asked for by the technician come from the file the customer picked, with the same SHA-256', async () => {
    const { c, t } = await setUp();
    const data = new Uint8Array(randomBytes(50 * MB));
    c.pick = path.join(root, 'registro.log');
    await writeFile(c.pick, data);
    const id = t.session.requestFile()!;
    await eventually(() => t.events.finished.length === 1, 60_000, 'the transfer to finish');
    expect(t.events.finished[0]).toMatchObject({ outcome: 'saved', info: { name: 'registro.log', size: 50 * MB } });
    expect(sha256(Buffer.concat(t.sinks[0]!.parts))).toBe(sha256(data));
    await eventually(() => c.events.finished.length === 1, 10_000, 'the customer\'s side to hear it was saved');
    expect(c.events.finished[0]!.outcome).toBe('sent');
    const seen = percents(t.events, id);
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  test('the customer picks nothing: nothing is sent', async () => {
    const { c, t } = await setUp();
    c.pick = undefined;
    t.session.requestFile();
    await eventually(() => t.events.finished.length === 1, 10_000, 'the answer');
    expect(t.events.finished[0]!.outcome).toBe('declined');
    expect(t.sinks).toEqual([]);
  });

  test('a hostile name stays inside Downloads, and a second file of the same name does not overwrite the first', async () => {
    const { c, t } = await setUp();
    for (const name of ['../../escape.txt', '..\\..\\escape.txt']) {
      t.session.sendFile(memorySource(new TextEncoder().encode(name), name));
    }
    t.session.sendFile(memorySource(new TextEncoder().encode('con'), 'CON'));
    await eventually(() => t.events.finished.length === 3, 10_000, 'three transfers');
    expect(t.events.finished.map((f) => f.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect((await readdir(c.downloads)).sort()).toEqual(['_CON', 'escape (1).txt', 'escape.txt']);
    expect((await readdir(root)).sort()).toEqual(['Downloads']);
    const contents = await Promise.all(['escape.txt', 'escape (1).txt'].map((n) => readFile(path.join(c.downloads, n), 'utf8')));
    expect(contents.sort()).toEqual(['../../escape.txt', '..\\..\\escape.txt']);
  });

  test('declining sends nothing and keeps nothing', async () => {
    const { c, t } = await setUp();
    c.answer = false;
    t.session.sendFile(memorySource(new Uint8Array(randomBytes(5 * MB)), 'no.bin'));
    await eventually(() => t.events.finished.length === 1, 10_000, 'the answer');
    expect(t.events.finished[0]!.outcome).toBe('declined');
    expect(c.events.progress.every((p) => p.progress.bytes === 0)).toBe(true);
    expect(await readdir(c.downloads).catch(() => [])).toEqual([]);
  });

  test('cancelling mid-way, from either side, leaves no partial file and no transfer held', async () => {
    const { c, t } = await setUp();
    const data = new Uint8Array(randomBytes(50 * MB));
    const first = t.session.sendFile(memorySource(data, 'grande.bin'))!;
    await eventually(() => c.events.progress.some((p) => p.id === first && p.progress.percent >= 10), 30_000, 'a tenth to arrive');
    expect((await readdir(c.downloads)).filter((n) => n.endsWith('.part'))).toHaveLength(1);
    expect(t.session.cancelFile(first)).toBe(true);
    await eventually(() => c.events.finished.length === 1, 10_000, 'the customer to hear of it');
    expect(c.events.finished[0]!.outcome).toBe('cancelled-by-peer');
    await eventually(async () => (await readdir(c.downloads)).length === 0, 10_000, 'the partial file to go');

    const second = t.session.sendFile(memorySource(data, 'grande.bin'))!;
    await eventually(() => c.events.progress.some((p) => p.id === second && p.progress.percent >= 10), 30_000, 'a tenth to arrive');
    expect(c.agent.session.cancelFile(second)).toBe(true);
    await eventually(() => t.events.finished.length === 2, 10_000, 'the page to hear of it');
    expect(t.events.finished[1]!.outcome).toBe('cancelled-by-peer');
    await eventually(async () => (await readdir(c.downloads)).length === 0, 10_000, 'the partial file to go');
    expect(c.agent.session.fileTransfersActive + t.session.fileTransfersActive).toBe(0);
    // The relay holds nothing for the session any more: every byte it had queued went out.
    await eventually(() => [...relay.connections].every((conn) => conn.heldBytes === 0), 10_000, 'the relay to hold no bytes');
  });

  test('a transfer cut by a dropped connection goes on where it stopped once the session resumes, and arrives whole', async () => {
    const { c, t } = await setUp({}, true);
    const data = new Uint8Array(randomBytes(20 * MB));
    const id = t.session.sendFile(memorySource(data, 'sigue.bin'))!;
    await eventually(() => c.events.progress.some((p) => p.id === id && p.progress.percent >= 20), 30_000, 'a fifth to arrive');
    proxy!.refusing = true;
    proxy!.cutAll();
    await eventually(() => c.agent.session.current.kind === 'reconnecting', 10_000, 'the agent to notice the drop');
    proxy!.refusing = false;
    await eventually(() => t.events.finished.length === 1, 60_000, 'the transfer to finish');
    expect(t.events.finished[0]!.outcome).toBe('sent');
    expect(c.agent.session.current.kind).toBe('sharing');
    expect(sha256(await readFile(path.join(c.downloads, 'sigue.bin')))).toBe(sha256(data));
    expect(c.events.finished).toHaveLength(1);
  });

  test('the relay ends a session that moves more file bytes than it allows, and does not offer files when its budget is 0', async () => {
    const { c, t } = await setUp({ maxFileBytesPerSession: 2 * MB });
    // The page knows the relay's budget and offers nothing larger …
    expect(t.session.sendFile(memorySource(new Uint8Array(3 * MB), 'big.bin'))).toBeUndefined();
    // … but several files together can pass it: the relay counts and ends the session.
    for (let i = 0; i < 3; i++) t.session.sendFile(memorySource(new Uint8Array(randomBytes(1.5 * MB)), `f${i}.bin`));
    await eventually(() => c.agent.session.current.kind === 'ended', 30_000, 'the session to end');
    expect(c.agent.session.current).toMatchObject({ kind: 'ended' });
    await eventually(async () => (await readdir(c.downloads)).every((n) => !n.endsWith('.part')), 10_000, 'partial files to go');
    await relay.close();

    relay = await startTestRelay({ maxFileBytesPerSession: 0 });
    const ws = new WebSocket(relay.wsUrl);
    const welcome = await new Promise<Record<string, unknown>>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', version: 2, role: 'technician' })));
      ws.on('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
    });
    ws.close();
    expect(welcome.features).not.toContain(PeerFeature.FILES);
    expect(welcome.maxFileBytes).toBeUndefined();
    expect(Errors.LIMIT_FILE_BYTES.code).toBe('RS_ERR_LIMIT_FILE_BYTES');
  });
});
