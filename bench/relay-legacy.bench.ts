import { randomBytes, randomInt } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { parseJsonObject } from '../protocol';
import type { Benchmark, BenchRow } from './support/benchmark';
import { LatencyHistogram } from './load/histogram';
import {
  cpuPercent, ensureServersBuilt, KiB, machineNote, measureWindow, merge, openAll, sleep, withServer, type Generator, type ServerProcess,
} from './load/processes';

/**
 * The old way against the new: the same screen stream (a new 100 KB screen every 100 ms,
 * as a whole JPEG) and the same clicks (one every 200 ms) between one client and one
 * technician, through the built relay, three ways:
 *
 * - WebSocket peers (the new protocol): binary frames paced by acknowledgements (2 in
 *   flight), input as JSON messages;
 * - legacy peers polling every 500 ms, as the old programs did: each cycle the client posts
 *   its newest screen and fetches its actions; the technician fetches the newest screen;
 *   a click is posted the moment it happens;
 * - legacy peers using the long poll (`wait_ms`): the client posts every new screen and
 *   keeps a long poll open for actions; the technician keeps one open for screens.
 *
 * Reported for each: screens delivered per second, click latency (technician's send →
 * client's receipt, one clock: both peers live in the bench or in one generator), and
 * bytes on the wire both ways for both peers, HTTP headers and WebSocket framing included.
 * The relay runs as its own process; the WebSocket case's peers in a load generator.
 */
const IMAGE_BYTES = 100_000;
const SCREEN_EVERY_MS = 100;
const CLICK_EVERY_MS = 200;
const POLL_EVERY_MS = 500;
const LONG_POLL_WAIT_MS = 25_000;
const WARMUP_MS = 1500;
const MEASURE_MS = 10_000;

interface Outcome {
  readonly fps: number;
  readonly inputP50: number;
  readonly inputP99: number;
  readonly clicksSent: number;
  readonly clicksReceived: number;
  readonly wireBytesPerSecond: number;
  readonly serverCpuPercent: number;
  readonly load: string;
}

/** A JPEG the relay could size if it had to (SOI, SOF0 1920×1080), then filler. */
function fakeJpeg(bytes: number): Buffer {
  const out = randomBytes(bytes);
  const head = [0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
  out.set(head, 0);
  out.set([0xff, 0xd9], bytes - 2);
  return out;
}

/** One legacy peer's HTTP connection pool, counting every byte its sockets carry. */
class LegacyHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });
  private readonly sockets = new Set<Socket>();

  constructor(private readonly port: number) {}

  post(path: string, body: object): Promise<Record<string, unknown>> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.port, path: `/api/relay/${path}/`, method: 'POST', agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.byteLength },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = parseJsonObject(Buffer.concat(chunks).toString('utf8'));
          if (parsed === undefined || res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
          else resolve(parsed);
        });
      });
      req.on('socket', (s: Socket) => this.sockets.add(s));
      req.on('error', reject);
      req.end(payload);
    });
  }

  wireBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesRead + s.bytesWritten;
    return n;
  }

  close(): void {
    this.agent.destroy();
  }
}

type Envelope = { sender?: unknown; message?: Record<string, unknown> };

async function legacy(server: ServerProcess, mode: 'poll' | 'long-poll'): Promise<Outcome> {
  const port = Number(new URL(server.httpUrl).port);
  const client = new LegacyHttp(port);
  const tech = new LegacyHttp(port);
  const screen = fakeJpeg(IMAGE_BYTES).toString('base64');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const reg = await client.post('register_client', { client_id: `BENCH-PC_${Date.now()}`, access_code: code });
  const joined = await tech.post('connect_technician', { access_code: code, technician_name: 'bench' });
  if (joined.status !== 'paired') throw new Error(`legacy technician not paired: ${JSON.stringify(joined)}`);
  // Each old program uses the id its own call returned.
  const ids: Record<string, string> = { client: reg.session_id as string, technician: joined.session_id as string };

  const clickSentAt = new Map<number, number>();
  const latency = new LatencyHistogram();
  let screensReceived = 0;
  let clicksSent = 0;
  let clicksReceived = 0;
  let running = true;
  const failures: Error[] = [];

  const onClientMessages = (answer: Record<string, unknown>): void => {
    for (const e of (answer.messages ?? []) as Envelope[]) {
      const m = e.message;
      if (m?.action !== 'mouse_click') continue;
      const seq = Number(m.y) * 1920 + Number(m.x);
      const sentAt = clickSentAt.get(seq);
      if (sentAt === undefined) continue;
      clickSentAt.delete(seq);
      latency.record(performance.now() - sentAt);
      clicksReceived++;
    }
  };
  const onTechMessages = (answer: Record<string, unknown>): void => {
    for (const e of (answer.messages ?? []) as Envelope[]) if (e.message?.type === 'screen') screensReceived++;
  };
  const every = async (ms: number, fn: () => Promise<unknown>): Promise<void> => {
    while (running) {
      const start = performance.now();
      await fn();
      await sleep(Math.max(0, ms - (performance.now() - start)));
    }
  };
  const guard = (p: Promise<void>): Promise<void> => p.catch((e: Error) => { if (running) failures.push(e); });
  const sendScreen = (): Promise<unknown> => client.post('send_message', { session_id: ids.client, sender: 'client', message: { type: 'screen', data: screen } });
  const receive = (who: LegacyHttp, receiver: string, waitMs: number): Promise<Record<string, unknown>> =>
    who.post('receive_messages', { session_id: ids[receiver], receiver, wait_ms: waitMs });
  let clickSeq = 0;
  const click = (): Promise<unknown> => {
    const seq = clickSeq++;
    clickSentAt.set(seq, performance.now());
    clicksSent++;
    return tech.post('send_message', { session_id: ids.technician, sender: 'technician', message: { action: 'mouse_click', x: seq % 1920, y: Math.floor(seq / 1920), button: 'left' } });
  };

  const loops = mode === 'poll'
    ? [
      every(POLL_EVERY_MS, async () => { await sendScreen(); onClientMessages(await receive(client, 'client', 0)); }),
      every(POLL_EVERY_MS, async () => { onTechMessages(await receive(tech, 'technician', 0)); }),
      every(CLICK_EVERY_MS, click),
    ]
    : [
      every(SCREEN_EVERY_MS, sendScreen),
      every(0, async () => { onClientMessages(await receive(client, 'client', LONG_POLL_WAIT_MS)); }),
      every(0, async () => { onTechMessages(await receive(tech, 'technician', LONG_POLL_WAIT_MS)); }),
      every(CLICK_EVERY_MS, click),
    ];
  const all = Promise.all(loops.map(guard));

  await sleep(WARMUP_MS);
  const start = { at: performance.now(), screens: screensReceived, sent: clicksSent, received: clicksReceived, wire: client.wireBytes() + tech.wireBytes() };
  latency.reset();
  const before = server.sample();
  await sleep(MEASURE_MS);
  const after = server.sample();
  const seconds = (performance.now() - start.at) / 1000;
  const outcome: Outcome = {
    fps: (screensReceived - start.screens) / seconds,
    inputP50: latency.percentile(50), inputP99: latency.percentile(99),
    clicksSent: clicksSent - start.sent, clicksReceived: clicksReceived - start.received,
    wireBytesPerSecond: (client.wireBytes() + tech.wireBytes() - start.wire) / seconds,
    serverCpuPercent: cpuPercent(before, after), load: machineNote(),
  };
  running = false;
  // Ending the session answers the open long polls at once.
  await client.post('disconnect', { session_id: ids.client, sender: 'client' }).catch(() => undefined);
  await Promise.race([all, sleep(5000)]);
  client.close();
  tech.close();
  if (failures.length > 0) throw failures[0]!;
  return outcome;
}

/** The same stream and clicks between WebSocket peers in a load generator. */
async function websocket(server: ServerProcess, generators: readonly Generator[]): Promise<Outcome> {
  await openAll(generators, 'ws', server.wsUrl, 1, {
    frameBytes: IMAGE_BYTES + 32, frameIntervalMs: SCREEN_EVERY_MS, frameWindow: 2, inputIntervalMs: CLICK_EVERY_MS,
  }, 1);
  await sleep(WARMUP_MS);
  const { stats, serverCpuPercent } = await measureWindow(server, generators, MEASURE_MS);
  const m = merge(stats, 'ws');
  const seconds = m.elapsedMs / 1000;
  return {
    fps: m.framesReceived / seconds, inputP50: m.input.percentile(50), inputP99: m.input.percentile(99),
    clicksSent: m.inputSent, clicksReceived: m.inputReceived, wireBytesPerSecond: m.wireBytes / seconds,
    serverCpuPercent, load: machineNote(),
  };
}

const bench: Benchmark = {
  name: 'relay-legacy',
  description: 'the same screen stream and clicks: legacy polling (500 ms), legacy long poll, WebSocket peers',
  async run(log) {
    await ensureServersBuilt(log);
    const show = (name: string, o: Outcome): void => log(`${name}: ${o.fps.toFixed(1)} screens/s, click p50 ${o.inputP50.toFixed(1)} / p99 ${o.inputP99.toFixed(1)} ms `
      + `(${o.clicksReceived}/${o.clicksSent}), ${(o.wireBytesPerSecond / KiB).toFixed(0)} KiB/s on the wire, relay CPU ${Math.round(o.serverCpuPercent)}%, ${o.load}`);
    const ws = await withServer('relay', 1, websocket);
    show('WebSocket', ws);
    // The legacy peers are HTTP clients in this process: no generator.
    const poll = await withServer('relay', 0, (s) => legacy(s, 'poll'));
    show('legacy poll 500 ms', poll);
    const longPoll = await withServer('relay', 0, (s) => legacy(s, 'long-poll'));
    show('legacy long poll', longPoll);
    const rows: BenchRow[] = [];
    for (const [name, o] of [['legacy polling every 500 ms', poll], ['legacy long poll', longPoll]] as const) {
      rows.push(
        {
          case: `${name}: screens delivered`, value: o.fps, unit: 'fps',
          baseline: { name: 'WebSocket', value: ws.fps },
          note: `offered ${1000 / SCREEN_EVERY_MS}/s, ${IMAGE_BYTES / 1000} KB each; relay CPU ${Math.round(o.serverCpuPercent)}% vs ${Math.round(ws.serverCpuPercent)}%; ${o.load}`,
        },
        {
          case: `${name}: click latency p50`, value: o.inputP50, unit: 'ms',
          baseline: { name: 'WebSocket', value: ws.inputP50 },
          note: `p99 ${o.inputP99.toFixed(1)} vs ${ws.inputP99.toFixed(1)} ms; ${o.clicksSent} clicks sent, ${o.clicksReceived} received in the window`,
        },
        {
          case: `${name}: bytes on the wire`, value: o.wireBytesPerSecond / KiB, unit: 'KiB/s',
          baseline: { name: 'WebSocket', value: ws.wireBytesPerSecond / KiB },
          note: `${(o.wireBytesPerSecond / Math.max(o.fps, 1e-9) / KiB).toFixed(0)} vs ${(ws.wireBytesPerSecond / Math.max(ws.fps, 1e-9) / KiB).toFixed(0)} KiB per screen delivered (base64 adds a third)`,
        },
      );
    }
    return rows;
  },
};

export default bench;
