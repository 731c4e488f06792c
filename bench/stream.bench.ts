import { loadavg } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRelay } from '../relay/server';
import { startXvfb } from '../test/support/xvfb';
import { startBarePipe } from './support/bare-pipe';
import { median, percentile, type Benchmark, type BenchRow } from './support/benchmark';
import { forkTs, type TsChild } from './support/child';
import { REGION, showScene, type SceneName } from './support/chromium-scene';
import { wallClockMs } from './support/instrument-agent-deps';
import type { AgentMessage } from './support/stream-agent';
import { joinAsTechnician, type TechnicianSim } from './support/technician-sim';

const WIDTH = 1920;
const HEIGHT = 1080;
/** Time to let the agent's first full frame settle before measuring, ms. */
const WARMUP_MS = 2500;
/** Chromium keeps starting up (profile, fonts, raster) for a while after its first paint, ms. */
const SCENE_SETTLE_MS = 4000;
/** Measurement window, ms. */
const WINDOW_MS = 6000;
/**
 * Runs per scene and server, interleaved (bare, relay, bare, relay …), the median kept:
 * the machine is shared, and a neighbour's burst should not decide the ratio.
 */
const REPEATS = 3;

/**
 * Input latency, measured in scenes (a) and (b) after the frame-rate window while the agent
 * keeps running: this many pointer moves, one per display frame (the viewer coalesces moves
 * to requestAnimationFrame, so 60/s is what a technician moving the mouse sends).
 */
const INPUT_MOVES = 120;
const INPUT_INTERVAL_MS = 1000 / 60;
/** Where the moves go: a row below the page's content, away from the animated canvas. */
const INPUT_ROW = Object.freeze({ x0: 100, dx: 2, y: 1000 });
/** Moves not injected this long after the last one was sent count as lost, ms. */
const INPUT_DRAIN_MS = 3000;
/** IPC round trips used to check the clock offset between the bench and the agent. */
const CLOCK_PINGS = 7;

interface Server {
  readonly name: string;
  start(): Promise<{ wsUrl: string; close(): Promise<void> }>;
}

const SERVERS: readonly Server[] = [
  { name: 'bare pipe', start: startBarePipe },
  {
    name: 'relay',
    async start() {
      const relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'warn' }) });
      return { wsUrl: relay.wsUrl, close: () => relay.close() };
    },
  },
];

/** Pointer moves of one run: technician send → the real input sink (XTest) done. */
interface InputLatency {
  readonly sent: number;
  /** One per move that reached the sink, ms, corrected by `clockOffsetMs`. */
  readonly latenciesMs: readonly number[];
  /** Duration of the sink's own `move` call (nut-js → XTest → X server), ms. */
  readonly injectMs: readonly number[];
  /** Agent clock minus bench clock, from the IPC round trip with the shortest time. */
  readonly clockOffsetMs: number;
  /** That round trip: the offset is known to within half of it. */
  readonly clockRttMs: number;
  /** The agent's event-loop delay while the moves arrived (perf_hooks, 5 ms resolution, the resolution taken off), ms. */
  readonly loopDelay: { readonly p50Ms: number; readonly p95Ms: number; readonly maxMs: number };
}

interface Measurement {
  readonly fps: number;
  readonly bytesPerSecond: number;
  readonly latencyMs: number;
  readonly quality: number;
  readonly grabsPerSecond: number;
  readonly meanUpdateBytes: number;
  /** Agent process CPU time over wall time, in % of one core. */
  readonly agentCpuPercent: number;
  /**
   * This process's CPU over wall time, % of one core: the server (relay or bare pipe) and
   * the technician, which is the same in both, so the difference is the server's.
   */
  readonly serverCpuPercent: number;
  /** 1-minute load average at the end of the window: other work on the machine skews everything. */
  readonly loadAverage: number;
  /** Only in runs that measured input latency. */
  readonly input?: InputLatency;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isMessage = <K extends AgentMessage['kind']>(kind: K) =>
  (m: AgentMessage): m is Extract<AgentMessage, { kind: K }> => m.kind === kind;

/** Agent clock minus ours, from the quickest of a few IPC round trips. */
async function clockOffset(agent: TsChild<AgentMessage>): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < CLOCK_PINGS; i++) {
    const sentAt = wallClockMs();
    agent.send({ kind: 'clock' });
    const { atMs } = await agent.next(isMessage('clock'), 5000);
    const backAt = wallClockMs();
    if (backAt - sentAt < best.rttMs) best = { offsetMs: atMs - (sentAt + backAt) / 2, rttMs: backAt - sentAt };
  }
  return best;
}

/**
 * Sends INPUT_MOVES pointer moves along INPUT_ROW, one per display frame, and matches each
 * with the agent's record of it reaching the input sink (the x coordinate tells which).
 */
async function measureInput(agent: TsChild<AgentMessage>, technician: TechnicianSim): Promise<InputLatency> {
  const clock = await clockOffset(agent);
  agent.send({ kind: 'moves' });
  await agent.next(isMessage('moves'), 5000); // forget anything older
  agent.send({ kind: 'loop' });
  await agent.next(isMessage('loop'), 5000); // and start the event-loop histogram now
  const sentAt: number[] = [];
  const firstAt = performance.now();
  for (let i = 0; i < INPUT_MOVES; i++) {
    // Paced against the start, so a late timer does not slow the whole series down.
    await sleep(Math.max(0, firstAt + i * INPUT_INTERVAL_MS - performance.now()));
    sentAt.push(wallClockMs());
    technician.sendInput({ kind: 'pointer-move', x: INPUT_ROW.x0 + i * INPUT_ROW.dx, y: INPUT_ROW.y });
  }
  const latenciesMs: number[] = [];
  const injectMs: number[] = [];
  const deadline = performance.now() + INPUT_DRAIN_MS;
  while (latenciesMs.length < INPUT_MOVES && performance.now() < deadline) {
    await sleep(100);
    agent.send({ kind: 'moves' });
    const { moves } = await agent.next(isMessage('moves'), 5000);
    for (const m of moves) {
      const i = (m.x - INPUT_ROW.x0) / INPUT_ROW.dx;
      const sent = sentAt[i];
      if (m.y !== INPUT_ROW.y || !Number.isInteger(i) || sent === undefined) continue; // not ours
      latenciesMs.push(m.doneMs - clock.offsetMs - sent);
      injectMs.push(m.doneMs - m.startMs);
    }
  }
  agent.send({ kind: 'loop' });
  const { p50Ms, p95Ms, maxMs } = await agent.next(isMessage('loop'), 5000);
  return { sent: INPUT_MOVES, latenciesMs, injectMs, clockOffsetMs: clock.offsetMs, clockRttMs: clock.rttMs, loopDelay: { p50Ms, p95Ms, maxMs } };
}

/** One agent, one technician, one server: updates acknowledged and bytes received per second. */
async function measure(server: Server, env: NodeJS.ProcessEnv, options: object, withInput: boolean): Promise<Measurement> {
  const relay = await server.start();
  const agent = forkTs<AgentMessage>(join(__dirname, 'support', 'stream-agent.ts'), env, [relay.wsUrl, JSON.stringify(options)]);
  const failed = agent.next(isMessage('failed'), 600_000).then((m) => { throw new Error(`agent: ${m.message}`); });
  failed.catch(() => undefined);
  let agentStopped: Promise<void> | undefined;
  const stopAgent = (): Promise<void> => (agentStopped ??= (async () => {
    if (agent.process.connected) agent.send({ kind: 'stop' });
    await agent.stop();
  })());
  const stats = async () => {
    agent.send({ kind: 'stats' });
    return Promise.race([agent.next(isMessage('stats'), 5000), failed]);
  };
  try {
    const { code } = await Promise.race([agent.next(isMessage('code'), 30_000), failed]);
    const technician = await Promise.race([joinAsTechnician(relay.wsUrl, code), failed]);
    try {
      await Promise.race([agent.next(isMessage('streaming'), 10_000), failed]);
      await sleep(WARMUP_MS);
      const c = technician.counters;
      const before = await stats();
      const start = { at: performance.now(), updates: c.updates, bytes: c.bytes, latencies: c.latenciesMs.length, cpu: process.cpuUsage() };
      await sleep(WINDOW_MS);
      const after = await stats();
      const seconds = (performance.now() - start.at) / 1000;
      const serverCpu = process.cpuUsage(start.cpu);
      const updates = c.updates - start.updates;
      const bytes = c.bytes - start.bytes;
      const loadAverage = loadavg()[0] ?? 0;
      const input = withInput ? await Promise.race([measureInput(agent, technician), failed]) : undefined;
      return {
        fps: updates / seconds,
        bytesPerSecond: bytes / seconds,
        latencyMs: median(c.latenciesMs.slice(start.latencies)) || 0,
        quality: after.quality,
        grabsPerSecond: (after.grabs - before.grabs) / seconds,
        meanUpdateBytes: updates > 0 ? bytes / updates : 0,
        agentCpuPercent: (after.cpuMs - before.cpuMs) / (seconds * 10),
        serverCpuPercent: (serverCpu.user + serverCpu.system) / 1000 / (seconds * 10),
        loadAverage,
        ...(input ? { input } : {}),
      };
    } finally {
      // The agent first: a technician leaving would end its session and look like a failure.
      await stopAgent();
      technician.close();
    }
  } finally {
    await stopAgent();
    await relay.close();
  }
}

interface SceneSpec {
  readonly scene: SceneName;
  readonly label: string;
  /** Also time pointer moves after the frame-rate window. */
  readonly input?: boolean;
  /** `relay` and `bare` are the median runs; `all` every run of each, for pooled figures. */
  readonly rows: (relay: Measurement, bare: Measurement, all: { relay: readonly Measurement[]; bare: readonly Measurement[] }) => BenchRow[];
}

const kb = (bytesPerSecond: number): number => bytesPerSecond / 1024;

function detail(m: Measurement): string {
  return `${Math.round(m.meanUpdateBytes / 1024)} KiB/update, ack latency ${Math.round(m.latencyMs)} ms, q${m.quality || '–'}, `
    + `${m.grabsPerSecond.toFixed(1)} grabs/s (${Math.max(0, m.grabsPerSecond - m.fps).toFixed(1)} saw no change), agent CPU ${Math.round(m.agentCpuPercent)}%`
    // CPU per update tells a starved run (same cost, fewer updates) from a heavier agent.
    + `${m.fps > 0 ? ` (${Math.round((m.agentCpuPercent * 10) / m.fps)} ms/update)` : ''}, server+technician CPU ${Math.round(m.serverCpuPercent)}%, load ${m.loadAverage.toFixed(1)}`;
}

/** Every run's input figures together (3 runs × INPUT_MOVES moves). */
function pooledInput(runs: readonly Measurement[]): {
  latencies: number[]; inject: number[]; sent: number; worstClockRttMs: number; maxClockOffsetMs: number; loopP50Ms: number; loopP95Ms: number;
} {
  const inputs = runs.flatMap((r) => (r.input ? [r.input] : []));
  return {
    latencies: inputs.flatMap((i) => i.latenciesMs),
    inject: inputs.flatMap((i) => i.injectMs),
    sent: inputs.reduce((n, i) => n + i.sent, 0),
    worstClockRttMs: Math.max(0, ...inputs.map((i) => i.clockRttMs)),
    maxClockOffsetMs: Math.max(0, ...inputs.map((i) => Math.abs(i.clockOffsetMs))),
    // Histograms cannot be pooled from percentiles: the median run's figures.
    loopP50Ms: median(inputs.map((i) => i.loopDelay.p50Ms)),
    loopP95Ms: median(inputs.map((i) => i.loopDelay.p95Ms)),
  };
}

function inputDetail(m: Measurement): string {
  if (!m.input) return '';
  return `p50 ${percentile(m.input.latenciesMs, 50).toFixed(1)} / p95 ${percentile(m.input.latenciesMs, 95).toFixed(1)} ms, `
    + `${m.input.latenciesMs.length}/${m.input.sent} injected, agent event-loop delay p50 ${m.input.loopDelay.p50Ms.toFixed(1)} / p95 ${m.input.loopDelay.p95Ms.toFixed(1)} ms, `
    + `clock offset ${m.input.clockOffsetMs.toFixed(2)} ms ± ${(m.input.clockRttMs / 2).toFixed(2)}`;
}

function inputRows(label: string, all: { relay: readonly Measurement[]; bare: readonly Measurement[] }): BenchRow[] {
  const relay = pooledInput(all.relay);
  const bare = pooledInput(all.bare);
  if (relay.sent === 0) return [];
  const clock = `clocks of the two processes: offset ≤ ${Math.max(relay.maxClockOffsetMs, bare.maxClockOffsetMs).toFixed(2)} ms, `
    + `known to ± ${(Math.max(relay.worstClockRttMs, bare.worstClockRttMs) / 2).toFixed(2)} ms`;
  return [
    {
      case: `${label}: pointer-move sent → injected (XTest done), p50`, value: percentile(relay.latencies, 50), unit: 'ms',
      baseline: { name: 'bare pipe', value: percentile(bare.latencies, 50) },
      note: `${relay.latencies.length}/${relay.sent} moves injected over ${all.relay.length} runs at 60/s (bare pipe ${bare.latencies.length}/${bare.sent}); `
        + `of which the sink's XTest call p50 ${percentile(relay.inject, 50).toFixed(2)} ms; `
        + `agent event-loop delay meanwhile p50 ${relay.loopP50Ms.toFixed(1)} / p95 ${relay.loopP95Ms.toFixed(1)} ms (median of runs); ${clock}`,
    },
    {
      case: `${label}: p95`, value: percentile(relay.latencies, 95), unit: 'ms',
      baseline: { name: 'bare pipe', value: percentile(bare.latencies, 95) },
      note: `max ${Math.max(...relay.latencies).toFixed(1)} ms (bare pipe ${Math.max(...bare.latencies).toFixed(1)} ms)`,
    },
  ];
}

const SCENES: readonly SceneSpec[] = [
  {
    scene: 'still',
    label: '(a) still screen',
    // Input on an (almost) idle agent: what (b)'s input figures are read against.
    input: true,
    rows: (relay, bare, all) => [{
      case: '(a) still screen: traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s',
      baseline: { name: 'bare pipe', value: kb(bare.bytesPerSecond) },
      target: { text: '< 2 KB/s', met: relay.bytesPerSecond < 2000 },
      note: `${relay.fps.toFixed(2)} updates/s; ${detail(relay)}`,
    }, ...inputRows('(a) input, still screen', all)],
  },
  {
    scene: 'region',
    label: `(b) ${REGION.width}x${REGION.height} region changing`,
    input: true,
    rows: (relay, bare, all) => [
      {
        case: `(b) ${REGION.width}x${REGION.height} region changing every frame`, value: relay.fps, unit: 'fps',
        baseline: { name: 'bare pipe', value: bare.fps }, target: { text: '≥ 30', met: relay.fps >= 30 }, note: detail(relay),
      },
      { case: '(b) traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s', baseline: { name: 'bare pipe', value: kb(bare.bytesPerSecond) } },
      ...inputRows('(b) input while streaming', all),
    ],
  },
  {
    scene: 'full',
    label: '(c) whole screen changing',
    rows: (relay, bare) => [
      {
        case: '(c) whole 1920x1080 screen changing every frame', value: relay.fps, unit: 'fps',
        baseline: { name: 'bare pipe', value: bare.fps }, target: { text: '≥ 15', met: relay.fps >= 15 }, note: detail(relay),
      },
      { case: '(c) traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s', baseline: { name: 'bare pipe', value: kb(bare.bytesPerSecond) } },
    ],
  },
];

/** The run with the median frame rate (whole runs are kept, so a row's figures agree). */
function medianRun(runs: readonly Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.fps - b.fps || a.bytesPerSecond - b.bytesPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bench: Benchmark = {
  name: 'stream',
  description: 'end to end on Xvfb 1920x1080: the real agent (createAgent: nut-js, tile diff, sharp, credits, XTest input) → relay → technician acking and moving the pointer; baseline: a bare ws pipe',
  async run(log, args) {
    // `npm run bench -- stream region full` runs only those scenes; `name=number` words are
    // FrameStreamer options for the agent (`maxInFlight=3`), to try a setting end to end.
    const options = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => {
      const [key, value] = a.split('=');
      return [key, Number(value)];
    }));
    const names = args.filter((a) => !a.includes('='));
    const scenes = names.length === 0 ? SCENES : SCENES.filter((s) => names.includes(s.scene));
    if (scenes.length === 0) throw new Error(`no scene among ${args.join(', ')}; have ${SCENES.map((s) => s.scene).join(', ')}`);
    const xvfb = await startXvfb({ width: WIDTH, height: HEIGHT, depth: 24 });
    const rows: BenchRow[] = [];
    try {
      log(`Xvfb on ${xvfb.display}; agent options ${JSON.stringify(options)}`);
      for (const spec of scenes) {
        log(`${spec.label}: starting Chromium`);
        const scene = await showScene(spec.scene, xvfb.env(), WIDTH, HEIGHT);
        try {
          await sleep(SCENE_SETTLE_MS);
          const results = new Map<string, Measurement[]>(SERVERS.map((s) => [s.name, []]));
          for (let run = 0; run < REPEATS; run++) {
            for (const server of SERVERS) {
              log(`${spec.label} through ${server.name}, run ${run + 1}/${REPEATS}`);
              const m = await measure(server, xvfb.env(), options, spec.input === true);
              log(`  ${m.fps.toFixed(1)} fps, ${Math.round(kb(m.bytesPerSecond))} KiB/s, ${detail(m)}`);
              if (m.input) log(`  input: ${inputDetail(m)}`);
              results.get(server.name)!.push(m);
            }
          }
          const all = { relay: results.get('relay')!, bare: results.get('bare pipe')! };
          rows.push(...spec.rows(medianRun(all.relay), medianRun(all.bare), all));
        } finally {
          await scene.stop();
        }
      }
    } finally {
      await xvfb.stop();
    }
    return rows;
  },
};

export default bench;
