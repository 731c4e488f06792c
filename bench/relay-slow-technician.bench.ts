import { benchArg, type Benchmark, type BenchRow } from './support/benchmark';
import { AVERAGE_SESSION, type SessionProfile } from './load/generator-protocol';
import {
  ensureServersBuilt, machineNote, measureWindow, merge, openAll, sleep, withServer,
  type Generator, type Merged, type ServerKind, type ServerProcess,
} from './load/processes';

/**
 * A slow technician: one technician stops reading its socket for 30 s while its client
 * keeps streaming at full speed, ignoring acknowledgements (a whole 1080p screen of
 * 200 KB, 30 times a second: 6 MB/s, above the 4.6 MB/s of the stream benchmark's busiest
 * scene). 100 neighbouring sessions stream at the average rate (180 kbit/s, input every
 * 50 ms) beside it. The server's resident memory is sampled from outside every 250 ms;
 * input latency is measured for the slow session and the neighbours before and during
 * the stall. The bare `ws` pipe, which buffers whatever it cannot write, is the baseline.
 */
const NEIGHBOURS = 100;
const NEIGHBOUR = AVERAGE_SESSION;
const SLOW: SessionProfile = { frameBytes: 200_000, frameIntervalMs: 33, frameWindow: 0, inputIntervalMs: 50 };
const WARMUP_MS = 3000;
const BEFORE_MS = 10_000;
const STALL_MS = 30_000;
const AFTER_MS = 5000;
const SAMPLE_EVERY_MS = 250;
const MB = 1e6;
const TARGET_GROWTH_MB = 10;
/** "Unaffected": neighbours' input p99 during the stall within this of their p99 before it. */
const UNAFFECTED_SLACK_MS = 5;
/**
 * With the default heartbeat (a ping every 10 s, a peer that misses one is dropped) a
 * technician that reads nothing for 30 s is cut after 10–20 s: its pong waits behind
 * the unread frames. The main run raises the interval so the whole stall is measured;
 * `npm run bench -- relay-slow-technician default-heartbeat` shows the cut.
 */
const LONG_HEARTBEAT_ENV = { HEARTBEAT_INTERVAL_MS: '60000' };

interface Phase {
  readonly slow: Merged;
  readonly neighbours: Merged;
  readonly rssMeanBytes: number;
  readonly rssMaxBytes: number;
}

interface Run {
  readonly before: Phase;
  readonly stall: Phase;
  readonly after: Phase;
  readonly growthBytes: number;
  readonly framesDropped: number | undefined;
  readonly load: string;
}

async function framesDropped(server: ServerProcess): Promise<number | undefined> {
  if (server.name !== 'relay') return undefined;
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  return Number(/^relay_frames_dropped_total (\d+)/m.exec(text)?.[1]);
}

async function phase(server: ServerProcess, generators: readonly Generator[], ms: number): Promise<Phase> {
  const rss: number[] = [];
  const timer = setInterval(() => { rss.push(server.sample().rssBytes); }, SAMPLE_EVERY_MS);
  const { stats, before, after } = await measureWindow(server, generators, ms).finally(() => clearInterval(timer));
  rss.push(before.rssBytes, after.rssBytes);
  return {
    slow: merge(stats.slice(0, 1), 'slow'),
    neighbours: merge(stats.slice(1), 'neighbours'),
    rssMeanBytes: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMaxBytes: Math.max(...rss),
  };
}

interface Config {
  readonly env: Readonly<Record<string, string>>;
  readonly neighbours: number;
  readonly stallMs: number;
}

async function measure(kind: ServerKind, config: Config, log: (m: string) => void): Promise<Run> {
  return withServer(kind, 2, async (server, generators) => {
    const [slowGen, neighbourGen] = generators as [Generator, Generator];
    await openAll([neighbourGen], 'neighbours', server.wsUrl, config.neighbours, NEIGHBOUR, 10);
    await openAll([slowGen], 'slow', server.wsUrl, 1, SLOW, 1);
    await sleep(WARMUP_MS);
    const dropped0 = await framesDropped(server);
    const before = await phase(server, generators, BEFORE_MS);
    await slowGen.pause('slow', true);
    const stall = await phase(server, generators, config.stallMs);
    await slowGen.pause('slow', false);
    const after = await phase(server, generators, AFTER_MS);
    const dropped1 = await framesDropped(server);
    const run: Run = {
      before, stall, after,
      growthBytes: stall.rssMaxBytes - before.rssMeanBytes,
      framesDropped: dropped0 === undefined || dropped1 === undefined ? undefined : dropped1 - dropped0,
      load: machineNote(),
    };
    const p = (m: Merged): string => `${m.input.percentile(99).toFixed(1)} ms (${m.inputLost} lost, ${m.closedSessions} cut)`;
    log(`${kind}: RSS ${(before.rssMeanBytes / MB).toFixed(0)} MB before, max ${(stall.rssMaxBytes / MB).toFixed(0)} MB during the stall `
      + `(+${(run.growthBytes / MB).toFixed(1)} MB), ${(after.rssMeanBytes / MB).toFixed(0)} MB after; `
      + `slow session input p99 ${p(before.slow)} → ${p(stall.slow)}; neighbours ${p(before.neighbours)} → ${p(stall.neighbours)}; `
      + `slow client sent ${(before.slow.framesSent / (before.slow.elapsedMs / 1000)).toFixed(1)} frames/s; after the stall its technician got ${after.slow.framesReceived} frames; `
      + `frames dropped ${run.framesDropped ?? '–'}; ${run.load}`);
    return run;
  }, { env: config.env });
}

const bench: Benchmark = {
  name: 'relay-slow-technician',
  description: 'one technician stops reading for 30 s while its client streams 6 MB/s: server memory, input latency there and in 100 neighbours',
  async run(log, args) {
    await ensureServersBuilt(log);
    const defaultHeartbeat = args.includes('default-heartbeat');
    const config: Config = {
      env: defaultHeartbeat ? {} : LONG_HEARTBEAT_ENV,
      neighbours: Number(benchArg(args, 'neighbours') ?? NEIGHBOURS),
      stallMs: Number(benchArg(args, 'stall') ?? STALL_MS / 1000) * 1000,
    };
    const relay = await measure('relay', config, log);
    const bare = await measure('bare pipe', config, log);
    const r = relay.stall;
    const slowCut = r.slow.closedSessions + relay.after.slow.closedSessions > 0;
    const neighboursOk = r.neighbours.closedSessions === 0 && r.neighbours.inputLost === 0
      && r.neighbours.input.percentile(99) <= relay.before.neighbours.input.percentile(99) + UNAFFECTED_SLACK_MS;
    const heartbeatNote = defaultHeartbeat ? 'default heartbeat (10 s)' : 'heartbeat raised to 60 s so the stall is not cut short';
    const rows: BenchRow[] = [
      {
        case: `server memory growth, one technician not reading for ${config.stallMs / 1000} s`, value: relay.growthBytes / MB, unit: 'MB',
        baseline: { name: 'bare pipe', value: bare.growthBytes / MB },
        target: { text: `< ${TARGET_GROWTH_MB} MB`, met: relay.growthBytes / MB < TARGET_GROWTH_MB },
        note: `RSS max during the stall minus mean before; ${relay.framesDropped ?? 0} frames dropped, ${r.slow.refreshes} refresh asked; `
          + `slow session ${slowCut ? `cut (${JSON.stringify({ ...r.slow.closeCodes, ...relay.after.slow.closeCodes })})` : `survived, its technician got ${relay.after.slow.framesReceived} frames in the ${AFTER_MS / 1000} s after`}; `
          + `${heartbeatNote}; ${relay.load}`,
      },
      {
        case: 'the slow session\'s input p99 during the stall', value: r.slow.input.percentile(99), unit: 'ms',
        baseline: { name: 'same session before', value: relay.before.slow.input.percentile(99) },
        note: `${r.slow.inputReceived} of ${r.slow.inputSent} events arrived, ${r.slow.inputLost} lost; bare pipe ${bare.stall.slow.input.percentile(99).toFixed(1)} ms`,
      },
      {
        case: `${config.neighbours} neighbours' input p99 during the stall`, value: r.neighbours.input.percentile(99), unit: 'ms',
        baseline: { name: 'same sessions before', value: relay.before.neighbours.input.percentile(99) },
        target: { text: `unaffected (≤ before + ${UNAFFECTED_SLACK_MS} ms, none lost or cut)`, met: neighboursOk },
        note: `p50 ${r.neighbours.input.percentile(50).toFixed(2)} ms; ${r.neighbours.inputLost} lost, ${r.neighbours.closedSessions} cut; bare pipe ${bare.stall.neighbours.input.percentile(99).toFixed(1)} ms`,
      },
    ];
    return rows;
  },
};

export default bench;
