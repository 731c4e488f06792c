/**
 * A load-generator process: it opens many paired sessions (a customer's client and a
 * technician each, both in this process) against a relay or the bare pipe, drives them
 * with a SessionProfile, and reports latencies and counts over a measurement window.
 * The bench talks to it over Node's IPC channel (GeneratorEnvelope in,
 * GeneratorReply out). It runs apart from the relay so the relay's CPU and memory can
 * be read from outside, and it exits when the bench goes away, when told to, or after
 * its maximum lifetime (argv[2], ms), whichever comes first. Only the URL it is given
 * is contacted (the bench passes 127.0.0.1).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  BinaryKind, decodeText, encodeControl, encodeFrameAck, FrameFlag, ImageFormat, UNSEALED_VERSION, writeFrameHeader,
  type ControlMessage,
} from '../../protocol';
import type {
  GeneratorEnvelope, GeneratorReply, GeneratorRequest, GeneratorStats, GroupStats, OpenRequest, OpenResult, SessionProfile,
} from './generator-protocol';
import { LatencyHistogram } from './histogram';

const MAX_LIFETIME_MS = Number(process.argv[2] ?? 30 * 60_000);
const PAIRING_TIMEOUT_MS = 30_000;
/** Send times of the last input events per session (a ring): enough for > 40 s at 100/s. */
const SEND_RING = 4096;
/** An input still unanswered after this long counts as lost. */
const LOST_AFTER_MS = 1000;
const TICK_MS = 5;

const now = (): number => performance.now();
/** Epoch ms with sub-ms precision, for the FRAME header's captureTimeMs. */
const epochMs = (): number => performance.timeOrigin + performance.now();

const WS_OPTIONS: WebSocket.ClientOptions = {
  perMessageDeflate: false,
  // The generator's own CPU is scarce on a 2-core machine; the relay validates anyway.
  skipUTF8Validation: true,
};

class Group {
  readonly sessions: LoadSession[] = [];
  /** A shared frame body: ws copies it while masking, so one buffer serves every session. */
  readonly frame: Buffer;
  quiet = false;
  closedSessions = 0;
  closeCodes: Record<string, number> = {};
  inputSent = 0;
  inputReceived = 0;
  inputGaps = 0;
  readonly inputLatency = new LatencyHistogram();
  framesSent = 0;
  framesSkipped = 0;
  framesReceived = 0;
  frameBytesReceived = 0;
  readonly frameLatency = new LatencyHistogram();
  refreshes = 0;
  wireBase = 0;

  constructor(readonly name: string, readonly profile: SessionProfile) {
    this.frame = profile.frameBytes > 0 ? randomBytes(Math.max(33, profile.frameBytes)) : Buffer.alloc(0);
  }

  resetWindow(): void {
    this.closedSessions = 0;
    this.closeCodes = {};
    this.inputSent = 0;
    this.inputReceived = 0;
    this.inputGaps = 0;
    this.inputLatency.reset();
    this.framesSent = 0;
    this.framesSkipped = 0;
    this.framesReceived = 0;
    this.frameBytesReceived = 0;
    this.frameLatency.reset();
    this.refreshes = 0;
    this.wireBase = this.wireBytes();
  }

  wireBytes(): number {
    let total = 0;
    for (const s of this.sessions) total += s.wireBytes();
    return total;
  }

  stats(): GroupStats {
    let lost = this.inputGaps;
    const t = now();
    for (const s of this.sessions) lost += s.overdueInputs(t);
    return {
      sessions: this.sessions.length,
      closedSessions: this.closedSessions,
      closeCodes: this.closeCodes,
      inputSent: this.inputSent,
      inputReceived: this.inputReceived,
      inputLost: lost,
      inputLatency: this.inputLatency.toData(),
      inputLatencyMax: this.inputLatency.max,
      framesSent: this.framesSent,
      framesSkipped: this.framesSkipped,
      framesReceived: this.framesReceived,
      frameBytesReceived: this.frameBytesReceived,
      frameLatency: this.frameLatency.toData(),
      frameLatencyMax: this.frameLatency.max,
      refreshes: this.refreshes,
      wireBytes: this.wireBytes() - this.wireBase,
    };
  }
}

/** One peer's socket. */
interface Half {
  readonly ws: WebSocket;
  readonly socket: Socket;
}

/**
 * One paired session: the client streams frames, the technician acks them and sends
 * input. Usually both halves live here; for throughput the two halves may live in two
 * generators (then this process holds one of them, and input is not sent: its latency
 * needs both ends on one clock).
 */
class LoadSession {
  private frameSeq = 0;
  private ackedThrough = -1;
  private inputSeq = 0;
  private expectInput = 0;
  private readonly sendTimes = new Float64Array(SEND_RING);
  nextFrameAt: number;
  nextInputAt: number;
  private ended = false;
  stopping = false;

  constructor(readonly group: Group, private readonly client: Half | undefined, private readonly tech: Half | undefined) {
    const p = group.profile;
    const t = now();
    // Random phases, so that a thousand sessions do not all send in the same tick.
    this.nextFrameAt = t + Math.random() * p.frameIntervalMs;
    this.nextInputAt = t + Math.random() * p.inputIntervalMs;
    client?.ws.on('message', this.onClientMessage);
    tech?.ws.on('message', this.onTechMessage);
    client?.ws.on('close', this.onClose);
    tech?.ws.on('close', this.onClose);
  }

  /** Starts (or, after a quiet spell, restarts) the traffic, with fresh random phases. */
  start(): void {
    const p = this.group.profile;
    const t = now();
    this.nextFrameAt = t + Math.random() * p.frameIntervalMs;
    this.nextInputAt = t + Math.random() * p.inputIntervalMs;
    if (this.client && p.frameBytes > 0 && p.frameIntervalMs === 0) this.fillWindow();
  }

  wireBytes(): number {
    let n = 0;
    if (this.client) n += this.client.socket.bytesRead + this.client.socket.bytesWritten;
    if (this.tech) n += this.tech.socket.bytesRead + this.tech.socket.bytesWritten;
    return n;
  }

  /** Inputs sent more than LOST_AFTER_MS ago that have not arrived. */
  overdueInputs(t: number): number {
    let n = 0;
    for (let seq = this.expectInput; seq < this.inputSeq && this.inputSeq - seq < SEND_RING; seq++) {
      if (t - this.sendTimes[seq % SEND_RING]! > LOST_AFTER_MS) n++;
      else break;
    }
    return n;
  }

  tick(t: number): void {
    if (this.ended || this.group.quiet) return;
    const p = this.group.profile;
    if (this.client && p.frameBytes > 0 && p.frameIntervalMs > 0 && t >= this.nextFrameAt) {
      this.nextFrameAt += p.frameIntervalMs;
      if (this.nextFrameAt < t) this.nextFrameAt = t + p.frameIntervalMs; // fell behind: no burst
      if (p.frameWindow === 0 || this.frameSeq - 1 - this.ackedThrough < p.frameWindow) this.sendFrame();
      else this.group.framesSkipped++;
    }
    if (this.client && this.tech && p.inputIntervalMs > 0 && t >= this.nextInputAt) {
      this.nextInputAt += p.inputIntervalMs;
      if (this.nextInputAt < t) this.nextInputAt = t + p.inputIntervalMs;
      this.sendInput();
    }
  }

  private fillWindow(): void {
    const p = this.group.profile;
    while (this.client && !this.ended && !this.group.quiet && this.frameSeq - 1 - this.ackedThrough < p.frameWindow) this.sendFrame();
  }

  private sendFrame(): void {
    const frame = this.group.frame;
    writeFrameHeader({
      flags: FrameFlag.LAST | (this.frameSeq === 0 ? FrameFlag.FULL : 0), seq: this.frameSeq, captureTimeMs: epochMs(),
      displayId: 0, format: ImageFormat.JPEG, rectIndex: 0, x: 0, y: 0, width: 1920, height: 1080,
      screenWidth: 1920, screenHeight: 1080,
    }, frame);
    this.frameSeq++;
    this.group.framesSent++;
    this.client!.ws.send(frame, { binary: true });
  }

  private sendInput(): void {
    const seq = this.inputSeq++;
    this.sendTimes[seq % SEND_RING] = now();
    this.group.inputSent++;
    // The position carries the sequence too, so a legacy peer could be measured the same way.
    this.tech!.ws.send(encodeControl({ type: 'input', seq, event: { kind: 'pointer-move', x: seq % 1920, y: Math.floor(seq / 1920) % 1080 } }));
  }

  private readonly onTechMessage = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary || data.byteLength < 16 || data[0] !== BinaryKind.FRAME) return;
    const g = this.group;
    const seq = data.readUInt32BE(4);
    const captured = data.readDoubleBE(8);
    g.framesReceived++;
    g.frameBytesReceived += data.byteLength;
    g.frameLatency.record(epochMs() - captured);
    if (data[1]! & FrameFlag.LAST) this.tech!.ws.send(encodeFrameAck(seq, captured));
  };

  private readonly onClientMessage = (data: Buffer, isBinary: boolean): void => {
    if (isBinary) {
      if (data.byteLength === 16 && data[0] === BinaryKind.FRAME_ACK) {
        const seq = data.readUInt32BE(4);
        if (seq > this.ackedThrough) this.ackedThrough = seq;
        if (this.group.profile.frameIntervalMs === 0) this.fillWindow();
      }
      return;
    }
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) return;
    const m: ControlMessage = decoded.message;
    if (m.type === 'input') {
      const g = this.group;
      if (m.seq !== this.expectInput) g.inputGaps += Math.max(0, m.seq - this.expectInput);
      g.inputLatency.record(now() - this.sendTimes[m.seq % SEND_RING]!);
      g.inputReceived++;
      this.expectInput = m.seq + 1;
    } else if (m.type === 'refresh') {
      this.group.refreshes++;
    }
  };

  private readonly onClose = (code: number): void => {
    if (this.ended) return;
    this.ended = true;
    if (!this.stopping) {
      this.group.closedSessions++;
      this.group.closeCodes[code] = (this.group.closeCodes[code] ?? 0) + 1;
    }
    this.client?.ws.terminate();
    this.tech?.ws.terminate();
  };

  end(): void {
    this.stopping = true;
    this.ended = true;
    this.client?.ws.terminate();
    this.tech?.ws.terminate();
  }

  setPaused(paused: boolean): void {
    if (paused) this.tech?.ws.pause();
    else this.tech?.ws.resume();
  }
}

// ---- pairing ---------------------------------------------------------------------

/** Reads control messages during the handshake, handing them to whoever waits for a type. */
class HandshakeReader {
  private readonly seen: ControlMessage[] = [];
  private waiter: { type: string; resolve: (m: ControlMessage) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly ws: WebSocket, private readonly label: string) {
    ws.on('message', this.onMessage);
    ws.once('close', (code: number) => this.fail(new Error(`${label} closed ${code} during pairing`)));
  }

  next(type: ControlMessage['type']): Promise<ControlMessage> {
    if (this.failure) return Promise.reject(this.failure);
    const i = this.seen.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => { this.waiter = { type, resolve, reject }; });
  }

  detach(): void {
    this.ws.off('message', this.onMessage);
  }

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    if (isBinary) return;
    const decoded = decodeText(data.toString('utf8'));
    if (!decoded.ok) return this.fail(new Error(`${this.label}: undecodable message`));
    const m = decoded.message;
    if (m.type === 'error') return this.fail(new Error(`${this.label}: ${m.code}`));
    if (this.waiter && this.waiter.type === m.type) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(m);
    } else {
      this.seen.push(m);
    }
  };

  private fail(error: Error): void {
    this.failure ??= error;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(error);
  }
}

function connect(wsUrl: string): Promise<{ ws: WebSocket; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, WS_OPTIONS);
    let socket: Socket | undefined;
    ws.on('error', () => { /* a close follows; pairing reports it */ });
    ws.once('upgrade', (res: IncomingMessage) => { socket = res.socket as Socket; });
    ws.once('open', () => {
      ws.off('error', reject);
      resolve({ ws, socket: socket! });
    });
    ws.once('error', reject);
  });
}

/** A client half up to its access code; `paired` settles once a technician joined and it consented. */
async function openClient(wsUrl: string): Promise<{ half: Half; code: string; paired: Promise<void> }> {
  const c = await connect(wsUrl);
  const timer = setTimeout(() => c.ws.terminate(), PAIRING_TIMEOUT_MS);
  try {
    const reader = new HandshakeReader(c.ws, 'client');
    // Version 1 peers: the relay forwards a sealed session's messages the same way (it reads
    // the envelope and the type only), and simulated peers need no key agreement per session.
    c.ws.send(encodeControl({ type: 'hello', version: UNSEALED_VERSION, role: 'client', app: 'bench-load' }));
    c.ws.send(encodeControl({ type: 'register', name: 'BENCH-PC' }));
    const code = await reader.next('code');
    if (code.type !== 'code') throw new Error('no code');
    const paired = (async () => {
      try {
        await reader.next('consent-request');
        c.ws.send(encodeControl({ type: 'consent', granted: true, viewOnly: false }));
        await reader.next('paired');
        reader.detach();
      } catch (error) {
        c.ws.terminate();
        throw error;
      } finally {
        clearTimeout(timer);
      }
    })();
    paired.catch(() => undefined);
    return { half: c, code: code.code, paired };
  } catch (error) {
    clearTimeout(timer);
    c.ws.terminate();
    throw error;
  }
}

async function joinTechnician(wsUrl: string, code: string): Promise<Half> {
  const t = await connect(wsUrl);
  const timer = setTimeout(() => t.ws.terminate(), PAIRING_TIMEOUT_MS);
  try {
    const reader = new HandshakeReader(t.ws, 'technician');
    t.ws.send(encodeControl({ type: 'hello', version: UNSEALED_VERSION, role: 'technician', app: 'bench-load' }));
    t.ws.send(encodeControl({ type: 'join', code, name: 'bench-technician' }));
    await reader.next('paired');
    reader.detach();
    return t;
  } catch (error) {
    t.ws.terminate();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function pairOne(group: Group, wsUrl: string, techWsUrl = wsUrl): Promise<LoadSession> {
  const client = await openClient(wsUrl);
  try {
    const [tech] = await Promise.all([joinTechnician(techWsUrl, client.code), client.paired]);
    return new LoadSession(group, client.half, tech);
  } catch (error) {
    client.half.ws.terminate();
    throw error;
  }
}

/** Runs `task` for 0 … count−1 with at most `concurrency` at once; counts failures. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<OpenResult> {
  const started = now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        await task(i);
        opened++;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return { opened, failed, ms: now() - started, ...(firstError ? { firstError } : {}) };
}

// ---- the process -----------------------------------------------------------------

const groups = new Map<string, Group>();
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let windowStart = now();
let cpuStart = process.cpuUsage();

function groupFor(name: string, profile: SessionProfile): Group {
  let group = groups.get(name);
  if (!group) {
    group = new Group(name, profile);
    groups.set(name, group);
  }
  return group;
}

function open(req: OpenRequest): Promise<OpenResult> {
  const g = groupFor(req.group, req.profile);
  return pool(req.count, req.concurrency, async () => {
    const s = await pairOne(g, req.wsUrl, req.techWsUrl);
    g.sessions.push(s);
    s.start();
  });
}

/** Client halves waiting for technicians in another generator, by group. */
const pendingClients = new Map<string, { half: Half; paired: Promise<void> }[]>();

async function openClients(req: Extract<GeneratorRequest, { kind: 'open-clients' }>): Promise<string[]> {
  const codes: string[] = [];
  const pending = pendingClients.get(req.group) ?? [];
  pendingClients.set(req.group, pending);
  const result = await pool(req.count, req.concurrency, async () => {
    const c = await openClient(req.wsUrl);
    pending.push(c);
    codes.push(c.code);
  });
  if (result.failed > 0) throw new Error(`${result.failed} clients could not register: ${result.firstError}`);
  return codes;
}

function joinTechnicians(req: Extract<GeneratorRequest, { kind: 'join' }>): Promise<OpenResult> {
  const g = groupFor(req.group, req.profile);
  return pool(req.codes.length, req.concurrency, async (i) => {
    const s = new LoadSession(g, undefined, await joinTechnician(req.wsUrl, req.codes[i]!));
    g.sessions.push(s);
  });
}

async function awaitClients(req: Extract<GeneratorRequest, { kind: 'await-clients' }>): Promise<OpenResult> {
  const g = groupFor(req.group, req.profile);
  const pending = pendingClients.get(req.group) ?? [];
  pendingClients.delete(req.group);
  return pool(pending.length, pending.length, async (i) => {
    const c = pending[i]!;
    await c.paired;
    const s = new LoadSession(g, c.half, undefined);
    g.sessions.push(s);
    s.start();
  });
}

function stats(): GeneratorStats {
  const cpu = process.cpuUsage(cpuStart);
  const out: Record<string, GroupStats> = {};
  for (const [name, g] of groups) out[name] = g.stats();
  return {
    elapsedMs: now() - windowStart,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    rssBytes: process.memoryUsage.rss(),
    groups: out,
  };
}

function reset(): void {
  for (const g of groups.values()) g.resetWindow();
  loopDelay.reset();
  windowStart = now();
  cpuStart = process.cpuUsage();
}

const ticker = setInterval(() => {
  const t = now();
  for (const g of groups.values()) {
    const p = g.profile;
    if (g.quiet || (p.inputIntervalMs === 0 && (p.frameBytes === 0 || p.frameIntervalMs === 0))) continue;
    for (const s of g.sessions) s.tick(t);
  }
}, TICK_MS);

function closeAll(): void {
  clearInterval(ticker);
  for (const g of groups.values()) for (const s of g.sessions) s.end();
}

async function handle(req: GeneratorRequest): Promise<unknown> {
  switch (req.kind) {
    case 'open': return open(req);
    case 'open-clients': return openClients(req);
    case 'join': return joinTechnicians(req);
    case 'await-clients': return awaitClients(req);
    case 'reset': reset(); return null;
    case 'stats': return stats();
    case 'pause': {
      const g = groups.get(req.group);
      if (!g) throw new Error(`no group ${req.group}`);
      for (const s of g.sessions) s.setPaused(req.paused);
      return null;
    }
    case 'quiet':
      for (const g of groups.values()) {
        if (req.group !== undefined && g.name !== req.group) continue;
        g.quiet = req.quiet;
        // Throughput sessions wait for acks to send again: give them their window back.
        if (!req.quiet) for (const s of g.sessions) s.start();
      }
      return null;
    case 'close':
      closeAll();
      setTimeout(() => process.exit(0), 50);
      return null;
    default: {
      const unreachable: never = req;
      throw new Error(`unknown request ${JSON.stringify(unreachable)}`);
    }
  }
}

const reply = (m: GeneratorReply): void => { process.send?.(m); };

process.on('message', (message: GeneratorEnvelope) => {
  handle(message.request).then(
    (value) => reply({ kind: 'reply', id: message.id, ok: true, value }),
    (error: unknown) => reply({ kind: 'reply', id: message.id, ok: false, error: String((error as Error)?.message ?? error) }),
  );
});
// The bench went away (crashed or was killed): nothing else may keep this process alive.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
reply({ kind: 'ready' });
