import { benchArg, median, type Benchmark, type BenchRow } from './support/benchmark';
import type { SessionProfile } from './load/generator-protocol';
import {
  alternating, ensureServersBuilt, machineNote, measureWindow, merge, MiB, openAll, sleep, withServer, type ServerKind,
} from './load/processes';

/**
 * Added latency: one probe session sends a small input event technician → client every
 * 10 ms while 100 other sessions stream frames through the same server. The probe has a
 * load-generator process to itself (so its own event loop adds little); the 100 sessions
 * run in two more. Relay and bare pipe runs alternate; each percentile is the median of
 * the runs.
 */
const BACKGROUND_SESSIONS = 100;
/**
 * Each background session streams 20 KB frames every 100 ms (≈ 1.6 Mbit/s, about 9× the
 * 180 kbit/s average of a real session: a busy screen) with 2 updates in flight, acked by
 * its technician, and sends input every 50 ms.
 */
const BACKGROUND: SessionProfile = { frameBytes: 20_000, frameIntervalMs: 100, frameWindow: 2, inputIntervalMs: 50 };
const PROBE: SessionProfile = { frameBytes: 0, frameIntervalMs: 0, frameWindow: 0, inputIntervalMs: 10 };
const BACKGROUND_GENERATORS = 2;
const SETTLE_MS = 2000;
const MEASURE_MS = 10_000;
const DEFAULT_REPEATS = 3;
const TARGET_ADDED_P99_MS = 5;

interface Run {
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
  readonly lost: number;
  readonly backgroundP99: number;
  readonly backgroundMiBps: number;
  readonly serverCpuPercent: number;
  readonly generatorLoopP99: number;
  readonly load: string;
}

async function measure(kind: ServerKind, background: number): Promise<Run> {
  // generators[0] holds the probe alone, so its own event loop adds little to its latency.
  return withServer(kind, 1 + BACKGROUND_GENERATORS, async (server, generators) => {
    await openAll(generators.slice(1), 'background', server.wsUrl, background, BACKGROUND, 10);
    await openAll(generators.slice(0, 1), 'probe', server.wsUrl, 1, PROBE, 1);
    await sleep(SETTLE_MS);
    const { stats, serverCpuPercent } = await measureWindow(server, generators, MEASURE_MS);
    const pm = merge(stats.slice(0, 1), 'probe');
    const bm = merge(stats.slice(1), 'background');
    if (pm.closedSessions + bm.closedSessions > 0) throw new Error(`sessions closed: ${JSON.stringify({ ...pm.closeCodes, ...bm.closeCodes })}`);
    return {
      p50: pm.input.percentile(50), p99: pm.input.percentile(99), samples: pm.input.count, lost: pm.inputLost,
      backgroundP99: bm.input.percentile(99), backgroundMiBps: bm.frameBytesReceived / MiB / (bm.elapsedMs / 1000),
      serverCpuPercent,
      generatorLoopP99: stats[0]!.loopDelayP99Ms,
      load: machineNote(),
    };
  });
}

const bench: Benchmark = {
  name: 'relay-latency',
  description: 'input technician → client, p50/p99, beside 100 streaming sessions: relay vs bare ws pipe',
  async run(log, args) {
    await ensureServersBuilt(log);
    const repeats = Number(benchArg(args, 'repeats') ?? DEFAULT_REPEATS);
    const background = Number(benchArg(args, 'sessions') ?? BACKGROUND_SESSIONS);
    const runs = await alternating(repeats, async (kind) => {
      const r = await measure(kind, background);
      log(`${kind}: probe p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms (${r.samples} events, ${r.lost} lost); `
        + `background p99 ${r.backgroundP99.toFixed(1)} ms, ${r.backgroundMiBps.toFixed(1)} MiB/s; server CPU ${Math.round(r.serverCpuPercent)}%; `
        + `probe generator loop p99 ${r.generatorLoopP99.toFixed(1)} ms; ${r.load}`);
      return r;
    });
    const med = (kind: ServerKind, f: (r: Run) => number): number => median(runs[kind].map(f));
    const relayP99 = med('relay', (r) => r.p99);
    const bareP99 = med('bare pipe', (r) => r.p99);
    const added = relayP99 - bareP99;
    const lost = runs.relay.reduce((a, r) => a + r.lost, 0);
    const context = `beside ${background} sessions streaming ${med('relay', (r) => r.backgroundMiBps).toFixed(1)} MiB/s in all; `
      + `server CPU ${Math.round(med('relay', (r) => r.serverCpuPercent))}% vs ${Math.round(med('bare pipe', (r) => r.serverCpuPercent))}%; `
      + `median of ${repeats} runs of ${MEASURE_MS / 1000} s; ${runs.relay[runs.relay.length - 1]!.load}`;
    const rows: BenchRow[] = [
      {
        case: 'input technician→client, p50', value: med('relay', (r) => r.p50), unit: 'ms',
        baseline: { name: 'bare pipe', value: med('bare pipe', (r) => r.p50) },
        note: `added ${(med('relay', (r) => r.p50) - med('bare pipe', (r) => r.p50)).toFixed(2)} ms; ${context}`,
      },
      {
        case: 'input technician→client, p99', value: relayP99, unit: 'ms',
        baseline: { name: 'bare pipe', value: bareP99 },
        target: { text: `p99 added < ${TARGET_ADDED_P99_MS} ms`, met: added < TARGET_ADDED_P99_MS && lost === 0 },
        note: `added ${added.toFixed(2)} ms; ${lost} events lost; the ${background} sessions' own input p99 ${med('relay', (r) => r.backgroundP99).toFixed(1)} vs ${med('bare pipe', (r) => r.backgroundP99).toFixed(1)} ms`,
      },
    ];
    return rows;
  },
};

export default bench;
