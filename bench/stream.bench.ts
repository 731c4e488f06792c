import { loadavg } from 'node:os';
import pino from 'pino';
import { createRelay } from '../relay/server';
import { startXvfb } from '../test/support/xvfb';
import { startBarePipe } from './support/bare-pipe';
import { median, medianRun, percentile, withNote, type Benchmark, type BenchRow } from './support/benchmark';
import {
  agentNote, assertCaptureWorkerBuilt, collectInjected, pacedMoves, POINTER_MOVES, sleep, startAgent, STREAM_RUN, type AgentChild,
} from './support/agent-child';
import { REGION, showScene, type SceneName } from './support/chromium-scene';
import { wallClockMs } from './support/instrument-agent-deps';
import { joinAsTechnician, type TechnicianSim } from './support/technician-sim';

/**
 * Runs per scene and lane, interleaved (bare, relay, relay, bare, bare, relay), the median kept:
 * the machine is shared, and a neighbour's burst should not decide the ratio.
 */
const REPEATS = 3;
/** Where the pointer moves go on the POINTER_MOVES row: 2 px apart, each its own x. */
const INPUT_X0 = 100;
const INPUT_DX = 2;

interface Server {
  readonly name: string;
  start(): Promise<{ wsUrl: string; close(): Promise<void> }>;
}

const BARE_PIPE: Server = { name: 'bare pipe', start: startBarePipe };
const RELAY: Server = {
  name: 'relay',
  async start() {
    const relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'warn' }) });
    return { wsUrl: relay.wsUrl, close: () => relay.close() };
  },
};

/** One side of the comparison: a server and the agent's streamer options. The first lane is the baseline. */
interface Lane {
  readonly name: string;
  readonly server: Server;
  readonly options: object;
}

/**
 * The word that compares a streamer setting with the agent's default instead of the relay
 * with the bare pipe: `npm run bench -- stream full against-default encodeParallelism=1`
 * runs the relay with the default settings and with encodeParallelism 1, interleaved.
 */
const AGAINST_DEFAULT = 'against-default';

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
  /** The agent's capture source and encoder, as it named them. */
  readonly adapters: string;
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

/**
 * Sends the POINTER_MOVES, one per display frame, and matches each
 * with the agent's record of it reaching the input sink (its coordinates tell which).
 */
async function measureInput(agent: AgentChild, technician: TechnicianSim): Promise<InputLatency> {
  const clock = await agent.clockOffset();
  await agent.takeMoves(); // forget anything older
  await agent.loopDelay(); // and start the event-loop histogram now
  const sent = new Map<string, number>();
  const { y } = POINTER_MOVES;
  await pacedMoves((i) => {
    const x = INPUT_X0 + i * INPUT_DX;
    sent.set(`${x},${y}`, wallClockMs());
    technician.sendInput({ kind: 'pointer-move', x, y });
  });
  const injected = await collectInjected(agent, POINTER_MOVES.count);
  const latenciesMs: number[] = [];
  const injectMs: number[] = [];
  for (const [key, sentAt] of sent) {
    const m = injected.get(key);
    if (!m) continue;
    latenciesMs.push(m.doneMs - clock.offsetMs - sentAt);
    injectMs.push(m.doneMs - m.startMs);
  }
  const { p50Ms, p95Ms, maxMs } = await agent.loopDelay();
  return { sent: POINTER_MOVES.count, latenciesMs, injectMs, clockOffsetMs: clock.offsetMs, clockRttMs: clock.rttMs, loopDelay: { p50Ms, p95Ms, maxMs } };
}

/** One agent, one technician, one server: updates acknowledged and bytes received per second. */
async function measure(server: Server, env: NodeJS.ProcessEnv, options: object, withInput: boolean): Promise<Measurement> {
  const relay = await server.start();
  try {
    const agent = await startAgent(relay.wsUrl, env, options);
    let technician: TechnicianSim | undefined;
    try {
      const { code } = await agent.next('code', 30_000);
      technician = await agent.race(joinAsTechnician(relay.wsUrl, code));
      await agent.next('streaming', 10_000);
      await sleep(STREAM_RUN.warmupMs);
      const c = technician.counters;
      const before = await agent.stats();
      const start = { at: performance.now(), updates: c.updates, bytes: c.bytes, latencies: c.latenciesMs.length, cpu: process.cpuUsage() };
      await sleep(STREAM_RUN.windowMs);
      const after = await agent.stats();
      const seconds = (performance.now() - start.at) / 1000;
      const serverCpu = process.cpuUsage(start.cpu);
      const updates = c.updates - start.updates;
      const bytes = c.bytes - start.bytes;
      const loadAverage = loadavg()[0] ?? 0;
      const input = withInput ? await agent.race(measureInput(agent, technician)) : undefined;
      return {
        adapters: agent.adapters,
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
      await agent.stop();
      technician?.close();
    }
  } finally {
    await relay.close();
  }
}

interface AllRuns {
  readonly relay: readonly Measurement[];
  readonly bare: readonly Measurement[];
  /** What the baseline is, for the rows. */
  readonly baseName: string;
}

interface SceneSpec {
  readonly scene: SceneName;
  readonly label: string;
  /** Also time pointer moves after the frame-rate window. */
  readonly input?: boolean;
  /**
   * `relay` and `bare` are the median runs of the measured lane and of the baseline (the bare
   * pipe, or the default settings); `all` every run of each, for pooled figures.
   */
  readonly rows: (relay: Measurement, bare: Measurement, all: AllRuns) => BenchRow[];
}

const kb = (bytesPerSecond: number): number => bytesPerSecond / 1024;

function detail(m: Measurement): string {
  return `${Math.round(m.meanUpdateBytes / 1024)} KiB/update, ack latency ${Math.round(m.latencyMs)} ms, q${m.quality || '–'}, `
    + `${m.grabsPerSecond.toFixed(1)} grabs/s (${Math.max(0, m.grabsPerSecond - m.fps).toFixed(1)} saw no change), agent CPU ${Math.round(m.agentCpuPercent)}%`
    // CPU per update tells a starved run (same cost, fewer updates) from a heavier agent.
    + `${m.fps > 0 ? ` (${Math.round((m.agentCpuPercent * 10) / m.fps)} ms/update)` : ''}, server+technician CPU ${Math.round(m.serverCpuPercent)}%, load ${m.loadAverage.toFixed(1)}`;
}

/** Every run's input figures together (3 runs × POINTER_MOVES.count moves). */
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

function inputRows(label: string, all: AllRuns): BenchRow[] {
  const relay = pooledInput(all.relay);
  const bare = pooledInput(all.bare);
  if (relay.sent === 0) return [];
  const clock = `clocks of the two processes: offset ≤ ${Math.max(relay.maxClockOffsetMs, bare.maxClockOffsetMs).toFixed(2)} ms, `
    + `known to ± ${(Math.max(relay.worstClockRttMs, bare.worstClockRttMs) / 2).toFixed(2)} ms`;
  return [
    {
      case: `${label}: pointer-move sent → injected (XTest done), p50`, value: percentile(relay.latencies, 50), unit: 'ms',
      baseline: { name: all.baseName, value: percentile(bare.latencies, 50) },
      note: `${relay.latencies.length}/${relay.sent} moves injected over ${all.relay.length} runs at 60/s (${all.baseName} ${bare.latencies.length}/${bare.sent}); `
        + `of which the sink's XTest call p50 ${percentile(relay.inject, 50).toFixed(2)} ms; `
        + `agent event-loop delay meanwhile p50 ${relay.loopP50Ms.toFixed(1)} / p95 ${relay.loopP95Ms.toFixed(1)} ms (median of runs); ${clock}`,
    },
    {
      case: `${label}: p95`, value: percentile(relay.latencies, 95), unit: 'ms',
      baseline: { name: all.baseName, value: percentile(bare.latencies, 95) },
      note: `max ${Math.max(...relay.latencies).toFixed(1)} ms (${all.baseName} ${Math.max(...bare.latencies).toFixed(1)} ms)`,
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
      baseline: { name: all.baseName, value: kb(bare.bytesPerSecond) },
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
        baseline: { name: all.baseName, value: bare.fps }, target: { text: '≥ 30', met: relay.fps >= 30 }, note: detail(relay),
      },
      { case: '(b) traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s', baseline: { name: all.baseName, value: kb(bare.bytesPerSecond) } },
      ...inputRows('(b) input while streaming', all),
    ],
  },
  {
    scene: 'full',
    label: '(c) whole screen changing',
    rows: (relay, bare, all) => [
      {
        case: '(c) whole 1920x1080 screen changing every frame', value: relay.fps, unit: 'fps',
        baseline: { name: all.baseName, value: bare.fps }, target: { text: '≥ 15', met: relay.fps >= 15 },
        // Against the default settings, the baseline's own figures are what the rows compare.
        note: all.baseName === BARE_PIPE.name ? detail(relay) : `${detail(relay)}; ${all.baseName}: ${detail(bare)}`,
      },
      { case: '(c) traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s', baseline: { name: all.baseName, value: kb(bare.bytesPerSecond) } },
    ],
  },
];

const bench: Benchmark = {
  name: 'stream',
  description: 'end to end on Xvfb 1920x1080: the real agent (createAgent with the adapters it picks for --capture nut-js --encoder sharp, no fallback: nut-js in the built worker thread, tile diff, sharp, credits, XTest input) → relay → technician acking and moving the pointer; baseline: a bare ws pipe',
  async run(log, args) {
    // `npm run bench -- stream region full` runs only those scenes; `name=number` words are
    // FrameStreamer options for the agent (`maxInFlight=3`), to try a setting end to end
    // (against the bare pipe, or with `against-default` against the default settings).
    const options = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => {
      const [key, value] = a.split('=');
      return [key, Number(value)];
    }));
    const words = args.filter((a) => !a.includes('='));
    const againstDefault = words.includes(AGAINST_DEFAULT);
    if (againstDefault && Object.keys(options).length === 0) throw new Error(`${AGAINST_DEFAULT} needs a streamer option to compare, e.g. encodeParallelism=1`);
    const names = words.filter((w) => w !== AGAINST_DEFAULT);
    const scenes = names.length === 0 ? SCENES : SCENES.filter((s) => names.includes(s.scene));
    if (scenes.length === 0) throw new Error(`no scene among ${args.join(', ')}; have ${SCENES.map((s) => s.scene).join(', ')}`);
    // The baseline lane first; runs alternate between the lanes.
    const lanes: readonly Lane[] = againstDefault
      ? [{ name: 'relay, default streamer options', server: RELAY, options: {} }, { name: 'relay', server: RELAY, options }]
      : [{ name: BARE_PIPE.name, server: BARE_PIPE, options }, { name: 'relay', server: RELAY, options }];
    assertCaptureWorkerBuilt();
    const xvfb = await startXvfb({ width: STREAM_RUN.width, height: STREAM_RUN.height, depth: 24 });
    const rows: BenchRow[] = [];
    try {
      log(`Xvfb on ${xvfb.display}; agent options ${JSON.stringify(options)}`);
      for (const spec of scenes) {
        log(`${spec.label}: starting Chromium`);
        const scene = await showScene(spec.scene, xvfb.env(), STREAM_RUN.width, STREAM_RUN.height);
        try {
          await sleep(STREAM_RUN.sceneSettleMs);
          const results = new Map<Lane, Measurement[]>(lanes.map((lane) => [lane, []]));
          for (let run = 0; run < REPEATS; run++) {
            // Alternating which lane goes first, so that neither always runs on a warmer scene.
            for (const lane of run % 2 === 0 ? lanes : [...lanes].reverse()) {
              log(`${spec.label} through ${lane.name}, run ${run + 1}/${REPEATS}`);
              const m = await measure(lane.server, xvfb.env(), lane.options, spec.input === true);
              log(`  ${m.fps.toFixed(1)} fps, ${Math.round(kb(m.bytesPerSecond))} KiB/s, ${detail(m)}; ${m.adapters}`);
              if (m.input) log(`  input: ${inputDetail(m)}`);
              results.get(lane)!.push(m);
            }
          }
          const all: AllRuns = { relay: results.get(lanes[1]!)!, bare: results.get(lanes[0]!)!, baseName: lanes[0]!.name };
          const byFps = (m: Measurement): number => m.fps;
          // Every row says what it measured: the agent's adapters (and options, if any were given).
          const what = agentNote([...all.relay, ...all.bare].map((m) => m.adapters), options);
          rows.push(...withNote(spec.rows(medianRun(all.relay, byFps), medianRun(all.bare, byFps), all), what));
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
