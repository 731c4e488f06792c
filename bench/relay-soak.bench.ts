import { join } from 'node:path';
import { AVERAGE_SESSION } from './load/generator-protocol';
import {
  ensureServersBuilt, machineNote, measureWindow, merge, MiB, openAll, sleep, withServer, type ServerProcess,
} from './load/processes';
import { benchArg, type Benchmark, type BenchRow } from './support/benchmark';
import { forkTs } from './support/child';

/**
 * Soak: the relay as shipped (default limits) under abuse at its limits on both APIs for
 * five minutes (bench/load/abuser.ts: wrong codes and code probes from 1,000 addresses,
 * registration floods, idle and oversized sockets before pairing, a legacy mailbox nobody
 * reads, a technician that never reads a streaming client), while ordinary sessions go
 * on beside it. The baseline is the same relay and the same sessions in the same run,
 * without the abuse. The abuse is bounded by the limits it attacks, so the relay's
 * memory must stay under a stated bound and the neighbours must not notice.
 */
const NEIGHBOURS = 16;
const QUIET_SECONDS = 60;
const ABUSE_SECONDS = 300;
const SETTLE_MS = 3000;
/** The bound the relay's resident memory must stay under during the abuse. */
const RSS_BOUND_MIB = 400;
const TARGET_NEIGHBOUR_P99_MS = 10;

interface Window {
  readonly p50: number;
  readonly p99: number;
  readonly events: number;
  readonly lost: number;
  readonly closed: number;
  readonly maxRssMiB: number;
  readonly serverCpuPercent: number;
  readonly load: string;
}

/** Measures the neighbours over `seconds` while sampling the relay's memory every second. */
async function window(server: ServerProcess, generators: Parameters<typeof measureWindow>[1], seconds: number): Promise<Window> {
  let maxRss = server.sample().rssBytes;
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, server.sample().rssBytes); }, 1000);
  try {
    const { stats, serverCpuPercent, after } = await measureWindow(server, generators, seconds * 1000);
    const m = merge(stats, 'neighbours');
    // The kernel's high-water mark catches a peak between two samples.
    maxRss = Math.max(maxRss, after.hwmBytes);
    return {
      p50: m.input.percentile(50), p99: m.input.percentile(99), events: m.input.count, lost: m.inputLost,
      closed: m.closedSessions, maxRssMiB: maxRss / MiB, serverCpuPercent, load: machineNote(),
    };
  } finally {
    clearInterval(sampler);
  }
}

const bench: Benchmark = {
  name: 'relay-soak',
  description: `relay as shipped, ${ABUSE_SECONDS / 60} minutes of abuse at its limits on both APIs, ${NEIGHBOURS} ordinary sessions beside it; baseline: the same without abuse`,
  async run(log, args) {
    await ensureServersBuilt(log);
    const abuseSeconds = Number(benchArg(args, 'seconds') ?? ABUSE_SECONDS);
    const quietSeconds = Number(benchArg(args, 'quiet') ?? QUIET_SECONDS);
    return withServer('relay', 1, async (server, generators) => {
      await openAll(generators, 'neighbours', server.wsUrl, NEIGHBOURS, AVERAGE_SESSION, 4);
      await sleep(SETTLE_MS);
      log(`quiet: ${quietSeconds} s`);
      const quiet = await window(server, generators, quietSeconds);
      log(`quiet: neighbours p99 ${quiet.p99.toFixed(2)} ms, relay RSS ≤ ${quiet.maxRssMiB.toFixed(0)} MiB; ${quiet.load}`);

      const abuser = forkTs<{ kind: string; counts?: Record<string, number> }>(join(__dirname, 'load', 'abuser.ts'), process.env, [server.wsUrl]);
      await abuser.next((m): m is { kind: 'ready' } => m.kind === 'ready', 20_000);
      log(`abuse: ${abuseSeconds} s`);
      let abused: Window;
      let counts: Record<string, number> = {};
      try {
        abused = await window(server, generators, abuseSeconds);
      } finally {
        abuser.send({ kind: 'stop' });
        const report = await abuser.next((m): m is { kind: 'report'; counts: Record<string, number> } => m.kind === 'report', 20_000).catch(() => undefined);
        counts = report?.counts ?? {};
        await abuser.stop();
      }
      const health = await fetch(`${server.httpUrl}/healthz`);
      if (health.status !== 200) throw new Error(`the relay answered /healthz ${health.status} after the abuse`);
      const attempts = Object.values(counts).reduce((a, b) => a + b, 0);
      const summary = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ×${v}`).join(', ');
      const everything = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ');
      log(`abuse: neighbours p99 ${abused.p99.toFixed(2)} ms, relay RSS ≤ ${abused.maxRssMiB.toFixed(0)} MiB, ${attempts} abusive attempts: ${everything}`);
      if (abused.closed > 0 || abused.lost > 0) throw new Error(`neighbours hurt by the abuse: ${abused.closed} sessions closed, ${abused.lost} input events lost`);

      const rows: BenchRow[] = [
        {
          case: `neighbours' input p99 during ${abuseSeconds} s of abuse`, value: abused.p99, unit: 'ms',
          baseline: { name: 'same relay, no abuse', value: quiet.p99 },
          target: { text: `< ${TARGET_NEIGHBOUR_P99_MS} ms`, met: abused.p99 < TARGET_NEIGHBOUR_P99_MS },
          note: `p50 ${abused.p50.toFixed(2)} vs ${quiet.p50.toFixed(2)} ms; ${abused.events} events, 0 lost, 0 sessions closed; `
            + `relay CPU ${Math.round(abused.serverCpuPercent)}% vs ${Math.round(quiet.serverCpuPercent)}%; ${abused.load}`,
        },
        {
          case: 'relay resident memory, most seen during the abuse', value: abused.maxRssMiB, unit: 'MiB',
          baseline: { name: 'same relay, no abuse', value: quiet.maxRssMiB },
          target: { text: `< ${RSS_BOUND_MIB} MiB`, met: abused.maxRssMiB < RSS_BOUND_MIB },
          note: `${attempts} abusive attempts answered; /healthz 200 after; most frequent: ${summary}`,
        },
      ];
      return rows;
    }, { asShipped: true });
  },
};

export default bench;
