import { benchArg, medianRun, type Benchmark, type BenchRow } from './support/benchmark';
import {
  alternating, ensureServersBuilt, machineNote, measureWindow, merge, MiB, openAll, openSplit, sleep, withServer, type ServerKind,
} from './load/processes';

/**
 * Forwarding throughput: one client streams frames through the server to one technician,
 * which acknowledges each as it arrives; the client keeps about 1 MiB of frames in flight
 * (the real client keeps 2 updates; a large window finds the forwarding limit instead of
 * the round trip). The built relay and the bare `ws` pipe each run as their own process,
 * the peers in a load-generator process, interleaved and repeated; the median run counts.
 */
const SIZES = [
  { label: '5 KB', bytes: 5_000 },
  { label: '50 KB', bytes: 50_000 },
  { label: '200 KB', bytes: 200_000 },
] as const;
const WINDOW_BYTES = 1 * MiB;
const WARMUP_MS = 1000;
const MEASURE_MS = 3000;
const DEFAULT_REPEATS = 3;
/**
 * The defaults (1000 messages/s, 64 MiB/s per socket, bursts twice that) are meant for
 * real peers and would cut a sender that streams as fast as loopback allows.
 */
const RELAY_ENV = { MAX_MESSAGES_PER_SECOND: '10000000', MAX_BYTES_PER_SECOND: String(64 * 1024 * MiB) };

interface Run {
  readonly mibPerSecond: number;
  readonly framesPerSecond: number;
  readonly serverCpuPercent: number;
  readonly cpuMsPerMib: number;
  readonly generatorCpuPercent: number;
  readonly refreshes: number;
  readonly load: string;
}

async function measure(kind: ServerKind, frameBytes: number, split: boolean): Promise<Run> {
  return withServer(kind, split ? 2 : 1, async (server, generators) => {
    const window = Math.max(2, Math.round(WINDOW_BYTES / frameBytes));
    const profile = { frameBytes, frameIntervalMs: 0, frameWindow: window, inputIntervalMs: 0 };
    if (split) {
      const opened = await openSplit(generators[0]!, generators[1]!, 't', server.wsUrl, 1, profile);
      if (opened.opened !== 1) throw new Error(`pairing failed: ${opened.firstError}`);
    } else {
      await openAll(generators, 't', server.wsUrl, 1, profile, 1);
    }
    await sleep(WARMUP_MS);
    const { stats, before, after, serverCpuPercent } = await measureWindow(server, generators, MEASURE_MS);
    const m = merge(stats, 't');
    if (m.closedSessions > 0) throw new Error(`the session was closed: ${JSON.stringify(m.closeCodes)} ${server.warnings.join(' ')}`);
    const seconds = m.elapsedMs / 1000;
    const mib = m.frameBytesReceived / MiB;
    return {
      mibPerSecond: mib / seconds,
      framesPerSecond: m.framesReceived / seconds,
      serverCpuPercent,
      cpuMsPerMib: (after.cpuMs - before.cpuMs) / Math.max(mib, 1e-9),
      generatorCpuPercent: m.generatorCpuPercent,
      refreshes: m.refreshes,
      load: machineNote(),
    };
  }, { env: RELAY_ENV });
}

const bench: Benchmark = {
  name: 'relay-throughput',
  description: 'frames of 5/50/200 KB client → relay → technician vs a bare ws pipe (separate processes)',
  async run(log, args) {
    await ensureServersBuilt(log);
    const repeats = Number(benchArg(args, 'repeats') ?? DEFAULT_REPEATS);
    // `together`: both peers in one generator process (then the generator, not the server, is the limit).
    const split = !args.includes('together');
    const sizeArgs = args.filter((a) => !a.includes('=') && a !== 'together');
    const sizes = SIZES.filter((s) => sizeArgs.length === 0 || sizeArgs.includes(s.label.replace(' ', '').toLowerCase()));
    const rows: BenchRow[] = [];
    for (const size of sizes) {
      const runs = await alternating(repeats, async (kind) => {
        const r = await measure(kind, size.bytes, split);
        log(`${size.label} ${kind}: ${r.mibPerSecond.toFixed(1)} MiB/s, ${Math.round(r.framesPerSecond)} frames/s, `
          + `server CPU ${Math.round(r.serverCpuPercent)}% (${r.cpuMsPerMib.toFixed(2)} ms/MiB), generator CPU ${Math.round(r.generatorCpuPercent)}%, ${r.load}`);
        return r;
      });
      const byMiBps = (r: Run): number => r.mibPerSecond;
      const relay = medianRun(runs.relay, byMiBps);
      const bare = medianRun(runs['bare pipe'], byMiBps);
      const ratio = relay.mibPerSecond / bare.mibPerSecond;
      rows.push({
        case: `${size.label} frames client→technician, throughput`,
        value: relay.mibPerSecond, unit: 'MiB/s',
        baseline: { name: 'bare pipe', value: bare.mibPerSecond },
        target: { text: '≥ 90 % of bare pipe', met: ratio >= 0.9 },
        note: `${Math.round(relay.framesPerSecond)} vs ${Math.round(bare.framesPerSecond)} frames/s; server CPU ${Math.round(relay.serverCpuPercent)}% vs ${Math.round(bare.serverCpuPercent)}%, `
          + `generators CPU ${Math.round(relay.generatorCpuPercent)}% (client and technician, 2 processes); median of ${repeats}; ${relay.load}`,
      });
      rows.push({
        case: `${size.label} frames: server CPU per MiB forwarded`,
        value: relay.cpuMsPerMib, unit: 'ms/MiB',
        baseline: { name: 'bare pipe', value: bare.cpuMsPerMib },
        note: `relay dropped frames (refresh asked) ${relay.refreshes} times`,
      });
    }
    return rows;
  },
};

export default bench;
