import { loadavg } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRelay } from '../relay/server';
import { startXvfb } from '../test/support/xvfb';
import { startBarePipe } from './support/bare-pipe';
import { median, type Benchmark, type BenchRow } from './support/benchmark';
import { forkTs } from './support/child';
import { REGION, showScene, type SceneName } from './support/chromium-scene';
import type { AgentMessage } from './support/stream-agent';
import { joinAsTechnician } from './support/technician-sim';

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

interface Measurement {
  readonly fps: number;
  readonly bytesPerSecond: number;
  readonly latencyMs: number;
  readonly quality: number;
  readonly grabsPerSecond: number;
  readonly meanUpdateBytes: number;
  /** Agent process CPU time over wall time, in % of one core. */
  readonly agentCpuPercent: number;
  /** 1-minute load average at the end of the window: other work on the machine skews everything. */
  readonly loadAverage: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isMessage = <K extends AgentMessage['kind']>(kind: K) =>
  (m: AgentMessage): m is Extract<AgentMessage, { kind: K }> => m.kind === kind;

/** One agent, one technician, one server: updates acknowledged and bytes received per second. */
async function measure(server: Server, env: NodeJS.ProcessEnv, options: object): Promise<Measurement> {
  const relay = await server.start();
  const agent = forkTs<AgentMessage>(join(__dirname, 'support', 'stream-agent.ts'), env, [relay.wsUrl, JSON.stringify(options)]);
  const failed = agent.next(isMessage('failed'), 600_000).then((m) => { throw new Error(`agent: ${m.message}`); });
  failed.catch(() => undefined);
  try {
    const { code } = await Promise.race([agent.next(isMessage('code'), 20_000), failed]);
    const technician = joinAsTechnician(relay.wsUrl, code);
    try {
      await Promise.race([technician.paired, failed]);
      await Promise.race([agent.next(isMessage('streaming'), 10_000), failed]);
      await sleep(WARMUP_MS);
      const c = technician.counters;
      agent.send({ kind: 'stats' });
      const first = await agent.next(isMessage('stats'), 5000);
      const before = first.stats;
      const start = { at: performance.now(), updates: c.updates, bytes: c.bytes, latencies: c.latenciesMs.length };
      await sleep(WINDOW_MS);
      agent.send({ kind: 'stats' });
      const last = await agent.next(isMessage('stats'), 5000);
      const after = last.stats;
      const seconds = (performance.now() - start.at) / 1000;
      const updates = c.updates - start.updates;
      const bytes = c.bytes - start.bytes;
      return {
        fps: updates / seconds,
        bytesPerSecond: bytes / seconds,
        latencyMs: median(c.latenciesMs.slice(start.latencies)) || 0,
        quality: after.quality,
        grabsPerSecond: (after.grabs - before.grabs) / seconds,
        meanUpdateBytes: updates > 0 ? bytes / updates : 0,
        agentCpuPercent: (last.cpuMs - first.cpuMs) / (seconds * 10),
        loadAverage: loadavg()[0] ?? 0,
      };
    } finally {
      technician.close();
    }
  } finally {
    agent.send({ kind: 'stop' });
    await agent.stop();
    await relay.close();
  }
}

interface SceneSpec {
  readonly scene: SceneName;
  readonly label: string;
  readonly rows: (relay: Measurement, bare: Measurement) => BenchRow[];
}

const kb = (bytesPerSecond: number): number => bytesPerSecond / 1024;

function detail(m: Measurement): string {
  return `${Math.round(m.meanUpdateBytes / 1024)} KiB/update, ack latency ${Math.round(m.latencyMs)} ms, q${m.quality}, `
    + `${m.grabsPerSecond.toFixed(1)} grabs/s (${Math.max(0, m.grabsPerSecond - m.fps).toFixed(1)} saw no change), agent CPU ${Math.round(m.agentCpuPercent)}%, load ${m.loadAverage.toFixed(1)}`;
}

const SCENES: readonly SceneSpec[] = [
  {
    scene: 'still',
    label: '(a) still screen',
    rows: (relay, bare) => [{
      case: '(a) still screen: traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s',
      baseline: { name: 'bare pipe', value: kb(bare.bytesPerSecond) },
      target: { text: '< 2 KB/s', met: relay.bytesPerSecond < 2000 },
      note: `${relay.fps.toFixed(2)} updates/s; ${detail(relay)}`,
    }],
  },
  {
    scene: 'region',
    label: `(b) ${REGION.width}x${REGION.height} region changing`,
    rows: (relay, bare) => [
      {
        case: `(b) ${REGION.width}x${REGION.height} region changing every frame`, value: relay.fps, unit: 'fps',
        baseline: { name: 'bare pipe', value: bare.fps }, target: { text: '≥ 30', met: relay.fps >= 30 }, note: detail(relay),
      },
      { case: '(b) traffic', value: kb(relay.bytesPerSecond), unit: 'KiB/s', baseline: { name: 'bare pipe', value: kb(bare.bytesPerSecond) } },
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
  description: 'end to end on Xvfb 1920x1080: agent (nut-js, tile diff, sharp, credits) → relay → technician acking; baseline: a bare ws pipe',
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
              const m = await measure(server, xvfb.env(), options);
              log(`  ${m.fps.toFixed(1)} fps, ${Math.round(kb(m.bytesPerSecond))} KiB/s, ${detail(m)}`);
              results.get(server.name)!.push(m);
            }
          }
          rows.push(...spec.rows(medianRun(results.get('relay')!), medianRun(results.get('bare pipe')!)));
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
