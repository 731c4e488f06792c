import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { nodeSha256 } from '../client/files/node-file-source';
import type { FileSink, FileSource } from '../common/files/file-io';
import { MAX_FILE_CHUNK_BYTES } from '../protocol';
import type { RelayOptions } from '../relay/options';
import { TechnicianSession } from '../technician/core/session/technician-session';
import { testCrypto } from '../technician/test/fake-customer';
import { eventually } from '../test/support/relay-harness';
import { forkTs } from './support/child';
import { benchArg, type Benchmark, type BenchRow } from './support/benchmark';

/**
 * File transfer (issue 15 item 2). Throughput: the real page session (TechnicianSession in
 * Node, WebCrypto, in this process) sends a file through the real relay on 127.0.0.1 (its
 * own process) to the real agent (ClientSession in its own process, files written to a
 * temporary Downloads folder, SHA-256 checked), beside a
 * bare `ws` pipe (a server that copies each message from one socket to the other) moving the
 * same bytes in chunks of the same size, with the same bound on bytes in flight, in the same
 * run. Latency: the technician's pointer moves (technician → customer, the same way as the
 * file) from sendInput to the agent's input sink, p99, while a large file moves and without.
 *
 * `npm run bench -- file-transfer size=200 latency-size=1024 pace=800` (MiB; pace: the page's
 * chunks a second in the latency case; size=0 runs only that case).
 */
const MiB = 1024 * 1024;
const WINDOW = 256 * 1024;

/** The file's bytes, made once per size: a source that never touches the disk (the disk is not what is measured). */
function memorySource(bytes: Uint8Array, name: string): FileSource {
  return { name, size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length), close: async () => undefined };
}

/** A repeating pattern of `size` bytes from a 1 MiB random block (1 GB of fresh randomness costs seconds for nothing). */
function patternBytes(size: number): Uint8Array {
  const block = new Uint8Array(randomBytes(MiB));
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += MiB) out.set(block.subarray(0, Math.min(MiB, size - at)), at);
  return out;
}

type AgentNews = { code: string } | { moved: number; at: number } | { finished: string };

interface Pair {
  tech: TechnicianSession;
  /** When each pointer move reached the agent's input sink, by its position's key. */
  movedAt: Map<number, number>;
  finished: string[];
  close(): Promise<void>;
}

/** The relay and the agent each in their own process, the page's session in this one, as in production. */
async function pairThroughRelay(relayOptions: Partial<RelayOptions>, chunksPerSecond?: number): Promise<Pair> {
  const relay = forkTs<{ wsUrl: string }>(path.join(__dirname, 'support/file-relay-child.ts'), process.env, [JSON.stringify(relayOptions)]);
  const { wsUrl } = await relay.next((m): m is { wsUrl: string } => 'wsUrl' in m, 30_000);
  const agent = forkTs<AgentNews>(path.join(__dirname, 'support/file-agent-child.ts'), process.env, [wsUrl]);
  const movedAt = new Map<number, number>();
  const finished: string[] = [];
  const { code } = await agent.next((m): m is { code: string } => 'code' in m, 30_000);
  agent.process.on('message', (m: AgentNews) => {
    if ('moved' in m) movedAt.set(m.moved, m.at);
  });
  const discard: FileSink = { write: async () => undefined, commit: async () => 'x', discard: async () => undefined };
  const tech = new TechnicianSession({
    url: wsUrl, code, name: 'Bench', app: 'bench', crypto: testCrypto,
    createSocket: (url) => new WebSocket(url) as unknown as globalThis.WebSocket,
    ...(chunksPerSecond !== undefined ? { fileChunksPerSecond: chunksPerSecond } : {}),
    files: {
      openIncoming: async () => discard, createHasher: nodeSha256,
      onFinished: (_info, outcome) => finished.push(outcome),
    },
  }, { onFrame: (frame) => tech.acknowledge(frame.header.seq, frame.header.captureTimeMs) });
  tech.start();
  await eventually(() => tech.canTransferFiles, 20_000, 'a session with files');
  return {
    tech, movedAt, finished,
    async close() {
      tech.disconnect();
      await agent.stop();
      await relay.stop();
    },
  };
}

/** Sends `bytes` as a file from the page to the agent; MiB/s from the offer to the customer's saved answer. */
async function relayThroughput(bytes: Uint8Array, relayOptions: Partial<RelayOptions>, chunksPerSecond?: number): Promise<number> {
  const pair = await pairThroughRelay(relayOptions, chunksPerSecond);
  try {
    const started = performance.now();
    if (pair.tech.sendFile(memorySource(bytes, 'bench.bin')) === undefined) throw new Error('the file was not offered');
    await eventually(() => pair.finished.length === 1, 30 * 60_000, 'the transfer');
    if (pair.finished[0] !== 'sent') throw new Error(`the transfer ended ${pair.finished[0]}`);
    return bytes.length / MiB / ((performance.now() - started) / 1000);
  } finally {
    await pair.close();
  }
}

/** The same bytes through a bare ws pipe: chunks of the same size, at most WINDOW bytes in flight (acknowledged by the receiver). */
async function barePipeThroughput(bytes: Uint8Array): Promise<number> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 16 * MiB });
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data, isBinary) => {
      const other = sockets.find((s) => s !== ws);
      other?.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const open = (): Promise<WebSocket> => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const sender = await open();
  const receiver = await open();
  await eventually(() => sockets.length === 2, 5000, 'both sockets');
  let received = 0;
  let acked = 0;
  let sent = 0;
  const done = new Promise<void>((resolve) => {
    receiver.on('message', (data: Buffer) => {
      received += data.length;
      // Acknowledged every quarter window, as the receiver of a file does.
      if (received - acked >= WINDOW / 4 || received === bytes.length) {
        acked = received;
        receiver.send(JSON.stringify({ received }));
      }
      if (received === bytes.length) resolve();
    });
  });
  let senderAcked = 0;
  const pump = (): void => {
    while (sent < bytes.length && sent - senderAcked < WINDOW) {
      const length = Math.min(MAX_FILE_CHUNK_BYTES, bytes.length - sent);
      sender.send(bytes.subarray(sent, sent + length), { binary: true });
      sent += length;
    }
  };
  sender.on('message', (data: Buffer) => {
    senderAcked = (JSON.parse(data.toString()) as { received: number }).received;
    pump();
  });
  const started = performance.now();
  pump();
  await done;
  const seconds = (performance.now() - started) / 1000;
  sender.close();
  receiver.close();
  wss.close();
  http.close();
  return bytes.length / MiB / seconds;
}

/** p99 of pointer moves from sendInput to the agent's sink, at 100 a second, while `during` runs (or for `idleMs`). */
async function inputLatencyP99(pair: Pair, keepGoing: () => boolean): Promise<{ p99: number; count: number }> {
  const sentAt = new Map<number, number>();
  let n = 0;
  while (keepGoing()) {
    const x = n % 640;
    const y = Math.floor(n / 640) % 480;
    const key = y * 640 + x;
    pair.movedAt.delete(key);
    sentAt.set(key, performance.timeOrigin + performance.now());
    pair.tech.sendInput({ kind: 'pointer-move', x, y });
    n++;
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  for (const [key, at] of sentAt) {
    const got = pair.movedAt.get(key);
    if (got !== undefined) latencies.push(got - at);
  }
  latencies.sort((a, b) => a - b);
  return { p99: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? Number.NaN, count: latencies.length };
}

async function latencyRows(size: number, log: (m: string) => void, chunksPerSecond?: number): Promise<BenchRow[]> {
  const pair = await pairThroughRelay({}, chunksPerSecond);
  try {
    log('input latency without a transfer (10 s)');
    const idleUntil = performance.now() + 10_000;
    const idle = await inputLatencyP99(pair, () => performance.now() < idleUntil);
    log(`input latency while ${size / MiB} MiB move`);
    const bytes = patternBytes(size);
    const started = performance.now();
    if (pair.tech.sendFile(memorySource(bytes, 'big.bin')) === undefined) throw new Error('the file was not offered');
    const busy = await inputLatencyP99(pair, () => pair.finished.length === 0);
    const rate = size / MiB / ((performance.now() - started) / 1000);
    if (pair.finished[0] !== 'sent') throw new Error(`the transfer ended ${pair.finished[0]}`);
    return [{
      case: `technician input p99 while ${Math.round(size / MiB)} MiB move (file at ${rate.toFixed(1)} MiB/s${chunksPerSecond === undefined ? '' : `, ${chunksPerSecond} chunks/s`})`,
      value: busy.p99, unit: 'ms', baseline: { name: 'same, no transfer', value: idle.p99 },
      target: { text: '≤ 20 ms', met: busy.p99 <= 20 },
      note: `${busy.count} and ${idle.count} moves measured, sendInput → agent's input sink`,
    }];
  } finally {
    await pair.close();
  }
}

const bench: Benchmark = {
  name: 'file-transfer',
  description: 'file throughput through the relay against a bare ws pipe, and input latency during a large transfer',
  async run(log, args) {
    const size = Number(benchArg(args, 'size') ?? '200') * MiB;
    const latencySize = Number(benchArg(args, 'latency-size') ?? '1024') * MiB;
    const rows: BenchRow[] = [];
    if (size === 0) return latencySize > 0 ? latencyRows(latencySize, log, benchArg(args, 'pace') === undefined ? undefined : Number(benchArg(args, 'pace'))) : rows;
    const bytes = patternBytes(size);
    log(`bare ws pipe, ${size / MiB} MiB`);
    const bare = await barePipeThroughput(bytes);
    log(`through the relay, default limits, ${size / MiB} MiB`);
    const relayDefault = await relayThroughput(bytes, {});
    rows.push({
      case: `${size / MiB} MiB page → agent through the relay (default: 800 chunks/s, the relay's 1,000 messages/s)`,
      value: relayDefault, unit: 'MiB/s', baseline: { name: 'bare ws pipe, same bytes', value: bare },
      target: { text: '≥ 0.8× bare', met: relayDefault >= 0.8 * bare },
      note: 'the bare pipe neither seals, hashes nor writes to disk, and has no rate limit',
    });
    log(`through the relay, message rate unbounded, ${size / MiB} MiB`);
    const relayFree = await relayThroughput(bytes, { maxMessagesPerSecond: 1_000_000, maxBytesPerSecond: 1024 * MiB }, 1_000_000);
    rows.push({
      case: `${size / MiB} MiB page → agent, relay rate limits raised, no pacing (what the sealed path itself costs)`,
      value: relayFree, unit: 'MiB/s', baseline: { name: 'bare ws pipe, same bytes', value: bare },
      target: { text: '≥ 0.8× bare', met: relayFree >= 0.8 * bare },
    });
    const pace = benchArg(args, 'pace');
    if (latencySize > 0) rows.push(...await latencyRows(latencySize, log, pace === undefined ? undefined : Number(pace)));
    return rows;
  },
};

export default bench;
