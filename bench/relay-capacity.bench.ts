import { readFileSync } from 'node:fs';
import { benchArg, type Benchmark, type BenchRow } from './support/benchmark';
import { AVERAGE_SESSION, IDLE_SESSION, type OpenResult } from './load/generator-protocol';
import {
  ensureServersBuilt, KiB, machineNote, measureWindow, merge, openFds, openSpread, sleep, startGenerators, startServer,
  stopAll, withServer, type Merged, type ServerKind, type ServerProcess,
} from './load/processes';

/**
 * Capacity of one relay process, against the bare `ws` pipe under the same generators.
 *
 * Active: paired sessions, each streaming what real remote-support sessions use on
 * average (about 180 kbit/s: a 2,250-byte frame every 100 ms, 2 updates in flight, acked
 * by its technician) plus an input event every 50 ms, added step by step until the
 * server falls behind: input p99 over 50 ms, or input lost, or a session cut.
 *
 * Idle: paired sessions that send nothing (the relay still pings every socket every
 * 10 s); resident memory per session, and how many fit in 1 GB.
 *
 * Servers and generators are separate processes sharing the machine's cores: the
 * generators do at least as much socket work as the server, so on a 2-core machine they
 * take about half the CPU (each row notes it).
 */
const ACTIVE = AVERAGE_SESSION;
const IDLE = IDLE_SESSION;
const DEFAULT_STEPS = [250, 500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000];
const ACTIVE_GENERATORS = 2;
const IDLE_GENERATORS = 2;
const SETTLE_MS = 3000;
const MEASURE_MS = 10_000;
/** Longer than one heartbeat interval (10 s), so every idle socket has been pinged. */
const IDLE_SETTLE_MS = 12_000;
const INPUT_P99_LIMIT_MS = 50;
const TARGET_ACTIVE = 1000;
const TARGET_IDLE = 10_000;
const GB = 1e9;

interface Step {
  readonly sessions: number;
  readonly passed: boolean;
  readonly why: string;
  readonly inputP50: number;
  readonly inputP99: number;
  readonly frameP99: number;
  readonly lost: number;
  readonly closed: number;
  readonly serverCpuPercent: number;
  readonly rssBytes: number;
  readonly generatorCpuPercent: number;
  readonly generatorLoopP99: number;
  readonly mibPerSecond: number;
  readonly load: string;
}

interface Ramp {
  readonly steps: Step[];
  readonly emptyRss: number;
  /** Last step that passed, if any. */
  readonly held: Step | undefined;
  readonly failed: Step | undefined;
}

function judge(m: Merged, openFailures: number, firstError: string | undefined): { passed: boolean; why: string } {
  const reasons: string[] = [];
  if (openFailures > 0) reasons.push(`${openFailures} pairings failed (${firstError})`);
  if (m.closedSessions > 0) reasons.push(`${m.closedSessions} sessions cut ${JSON.stringify(m.closeCodes)}`);
  if (m.inputLost > 0) reasons.push(`${m.inputLost} input events lost`);
  const p99 = m.input.percentile(99);
  if (!(p99 <= INPUT_P99_LIMIT_MS)) reasons.push(`input p99 ${p99.toFixed(1)} ms`);
  return { passed: reasons.length === 0, why: reasons.join('; ') || 'ok' };
}

interface Lane {
  readonly kind: ServerKind;
  readonly server: ServerProcess;
  readonly emptyRss: number;
  readonly steps: Step[];
  open: number;
  stopped: boolean;
}

/**
 * Ramps the relay and the bare pipe side by side: both servers run at once, each with its
 * own sessions in the same generators, and their measurement windows alternate (the one
 * not being measured is kept paired but quiet), so a neighbour's burst on the shared
 * machine falls on both about equally.
 */
async function ramp(steps: readonly number[], generatorCount: number, log: (m: string) => void): Promise<Record<ServerKind, Ramp>> {
  const servers = [await startServer('relay'), await startServer('bare pipe')];
  const generators = await startGenerators(generatorCount);
  const quiet = (lane: Lane, q: boolean): Promise<unknown> => Promise.all(generators.map((g) => g.quiet(q, lane.kind)));
  try {
    await sleep(1000);
    const lanes: Lane[] = servers.map((server) => ({
      kind: server.name as ServerKind, server, emptyRss: server.sample().rssBytes, steps: [], open: 0, stopped: false,
    }));
    for (const [i, target] of steps.entries()) {
      const active = lanes.filter((l) => !l.stopped);
      if (active.length === 0) break;
      const openings = new Map<Lane, OpenResult>();
      for (const lane of active) {
        const opened = await openSpread(generators, lane.kind, lane.server.wsUrl, target - lane.open, ACTIVE, 10);
        await quiet(lane, true);
        lane.open += opened.opened;
        openings.set(lane, opened);
      }
      for (const lane of i % 2 === 0 ? active : [...active].reverse()) {
        const opened = openings.get(lane)!;
        await quiet(lane, false);
        let step: Step | undefined;
        // A step that fails is measured once more before the ramp stops: on a shared machine
        // a neighbour's burst should not decide it.
        for (let attempt = 1; attempt <= 2 && !step?.passed; attempt++) {
          await sleep(SETTLE_MS);
          const { stats, after, serverCpuPercent } = await measureWindow(lane.server, generators, MEASURE_MS);
          const m = merge(stats, lane.kind);
          const verdict = judge(m, opened.failed, opened.firstError);
          step = {
            sessions: lane.open, ...verdict,
            inputP50: m.input.percentile(50), inputP99: m.input.percentile(99), frameP99: m.frame.percentile(99),
            lost: m.inputLost, closed: m.closedSessions,
            serverCpuPercent, rssBytes: after.rssBytes,
            generatorCpuPercent: m.generatorCpuPercent, generatorLoopP99: m.generatorLoopDelayP99Ms,
            mibPerSecond: m.frameBytesReceived / (1024 * 1024) / (m.elapsedMs / 1000),
            load: machineNote(),
          };
          log(`${lane.kind} ${lane.open} active${attempt > 1 ? ' (again)' : ''}: input p50 ${step.inputP50.toFixed(2)} / p99 ${step.inputP99.toFixed(1)} ms, `
            + `frame p99 ${step.frameP99.toFixed(1)} ms, ${step.mibPerSecond.toFixed(1)} MiB/s; server CPU ${Math.round(step.serverCpuPercent)}%, `
            + `RSS ${(step.rssBytes / 2 ** 20).toFixed(0)} MiB; generators CPU ${Math.round(step.generatorCpuPercent)}%, loop p99 ${step.generatorLoopP99.toFixed(1)} ms; `
            + `${step.load}: ${step.why}`);
          if (m.closedSessions > 0 || opened.failed > 0) break; // no second chance for cut sessions
        }
        await quiet(lane, true);
        lane.steps.push(step!);
        if (!step!.passed) lane.stopped = true;
      }
    }
    const result = (lane: Lane): Ramp => {
      const passed = lane.steps.filter((s) => s.passed);
      return { steps: lane.steps, emptyRss: lane.emptyRss, held: passed[passed.length - 1], failed: lane.steps.find((s) => !s.passed) };
    };
    return { relay: result(lanes[0]!), 'bare pipe': result(lanes[1]!) };
  } finally {
    await stopAll(generators);
    await Promise.all(servers.map((s) => s.stop()));
  }
}

interface Idle {
  readonly sessions: number;
  readonly wanted: number;
  readonly emptyRss: number;
  readonly rssBytes: number;
  readonly perSessionBytes: number;
  readonly serverCpuPercent: number;
  readonly pairingsPerSecond: number;
  readonly fds: number;
  readonly closed: number;
  readonly firstError: string | undefined;
  readonly load: string;
}

/** The soft limit on open files of a process: each session needs two sockets in the server. */
function fdLimit(pid: number): number {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 1024);
}

async function idle(kind: ServerKind, wantedSessions: number, log: (m: string) => void): Promise<Idle> {
  return withServer(kind, IDLE_GENERATORS, async (server, generators) => {
    await sleep(1000);
    const empty = server.sample();
    // Two sockets a session, plus the server's own descriptors (listening socket, stdio, epoll …).
    const room = Math.floor((fdLimit(server.pid) - openFds(server.pid) - 16) / 2);
    const sessions = Math.min(wantedSessions, room);
    if (sessions < wantedSessions) log(`${kind}: the open-files limit (${fdLimit(server.pid)}) leaves room for ${sessions} sessions, not ${wantedSessions}`);
    const opened = await openSpread(generators, 'idle', server.wsUrl, sessions, IDLE, 25);
    await sleep(IDLE_SETTLE_MS);
    const { stats, after, serverCpuPercent } = await measureWindow(server, generators, MEASURE_MS);
    const m = merge(stats, 'idle');
    const result: Idle = {
      sessions: opened.opened, wanted: wantedSessions, emptyRss: empty.rssBytes, rssBytes: after.rssBytes,
      perSessionBytes: (after.rssBytes - empty.rssBytes) / Math.max(1, opened.opened),
      serverCpuPercent, pairingsPerSecond: opened.opened / (opened.ms / 1000),
      fds: openFds(server.pid), closed: m.closedSessions, firstError: opened.firstError, load: machineNote(),
    };
    log(`${kind} ${result.sessions} idle (${opened.failed} failed${opened.firstError ? `: ${opened.firstError}` : ''}): RSS ${(result.rssBytes / 2 ** 20).toFixed(0)} MiB `
      + `(empty ${(result.emptyRss / 2 ** 20).toFixed(0)} MiB), ${(result.perSessionBytes / KiB).toFixed(1)} KiB/session, CPU ${result.serverCpuPercent.toFixed(1)}%, `
      + `${Math.round(result.pairingsPerSecond)} pairings/s, ${result.fds} fds, ${result.closed} cut; ${result.load}`);
    return result;
  });
}

function activeRows(relay: Ramp, bare: Ramp): BenchRow[] {
  const held = relay.held;
  const heldCount = held?.sessions ?? 0;
  const bareHeld = bare.held?.sessions ?? 0;
  const lastStep = relay.steps[relay.steps.length - 1];
  const stopped = relay.failed ? `fell behind at ${relay.failed.sessions}: ${relay.failed.why}` : `held every step up to ${lastStep?.sessions ?? 0} (the last tried)`;
  const bareStopped = bare.failed ? `bare pipe fell behind at ${bare.failed.sessions}: ${bare.failed.why}` : `bare pipe held every step tried`;
  const at1000 = relay.steps.find((s) => s.sessions === TARGET_ACTIVE);
  const bareAt1000 = bare.steps.find((s) => s.sessions === TARGET_ACTIVE);
  const rows: BenchRow[] = [
    {
      case: 'active sessions held (180 kbit/s each + input every 50 ms)', value: heldCount, unit: 'sessions',
      baseline: { name: 'bare pipe', value: bareHeld },
      target: { text: `≥ ${TARGET_ACTIVE} with input p99 < ${INPUT_P99_LIMIT_MS} ms`, met: heldCount >= TARGET_ACTIVE },
      note: `${stopped}; ${bareStopped}`,
    },
  ];
  if (at1000) {
    rows.push({
      case: `input p99 at ${TARGET_ACTIVE} active sessions`, value: at1000.inputP99, unit: 'ms',
      ...(bareAt1000 ? { baseline: { name: 'bare pipe', value: bareAt1000.inputP99 } } : {}),
      target: { text: `< ${INPUT_P99_LIMIT_MS}`, met: at1000.passed },
      note: `p50 ${at1000.inputP50.toFixed(2)} ms, frame p99 ${at1000.frameP99.toFixed(1)} ms, ${at1000.mibPerSecond.toFixed(1)} MiB/s; server CPU ${Math.round(at1000.serverCpuPercent)}%; `
        + `generators CPU ${Math.round(at1000.generatorCpuPercent)}%, loop p99 ${at1000.generatorLoopP99.toFixed(1)} ms; ${at1000.load}`,
    });
  }
  if (held) {
    const bareAtHeld = bare.steps.find((s) => s.sessions === held.sessions);
    rows.push({
      case: `server CPU at ${held.sessions} active sessions`, value: held.serverCpuPercent, unit: '% of a core',
      ...(bareAtHeld ? { baseline: { name: 'bare pipe', value: bareAtHeld.serverCpuPercent } } : {}),
      note: `≈ ${Math.round(held.sessions / (held.serverCpuPercent / 100))} sessions per fully used core at this rate; input p99 ${held.inputP99.toFixed(1)} ms; `
        + `generators CPU ${Math.round(held.generatorCpuPercent)}% (${ACTIVE_GENERATORS} processes); ${held.load}`,
    });
    const perSession = (r: Ramp, s: Step): number => (s.rssBytes - r.emptyRss) / s.sessions / KiB;
    rows.push({
      case: `resident memory per active session (at ${held.sessions})`, value: perSession(relay, held), unit: 'KiB',
      ...(bareAtHeld ? { baseline: { name: 'bare pipe', value: perSession(bare, bareAtHeld) } } : {}),
      note: `RSS ${(held.rssBytes / 2 ** 20).toFixed(0)} MiB, ${(relay.emptyRss / 2 ** 20).toFixed(0)} MiB with no session`,
    });
  }
  return rows;
}

function idleRows(relay: Idle, bare: Idle): BenchRow[] {
  const fit = (r: Idle): number => Math.floor((GB - r.emptyRss) / Math.max(1, r.perSessionBytes));
  const at10k = (r: Idle): number => r.emptyRss + r.perSessionBytes * TARGET_IDLE;
  const measuredAll = relay.sessions >= TARGET_IDLE;
  return [
    {
      case: `resident memory with ${relay.sessions.toLocaleString('en-US')} idle paired sessions`, value: relay.rssBytes / 1e6, unit: 'MB',
      baseline: { name: 'bare pipe', value: bare.rssBytes / 1e6 },
      target: { text: `${TARGET_IDLE.toLocaleString('en-US')} in < 1 GB`, met: relay.closed === 0 && (measuredAll ? relay.rssBytes < GB : at10k(relay) < GB) },
      note: (measuredAll ? '' : `${relay.sessions} measured (${relay.wanted > relay.sessions ? 'open-files limit' : 'as asked'}), ${(at10k(relay) / 1e6).toFixed(0)} MB extrapolated to ${TARGET_IDLE}; `)
        + `${relay.closed} cut; CPU at rest ${relay.serverCpuPercent.toFixed(1)}% (heartbeats); ${Math.round(relay.pairingsPerSecond)} pairings/s; ${relay.load}`,
    },
    {
      case: 'resident memory per idle paired session', value: relay.perSessionBytes / KiB, unit: 'KiB',
      baseline: { name: 'bare pipe', value: bare.perSessionBytes / KiB },
      note: `two sockets each; RSS with no session ${(relay.emptyRss / 1e6).toFixed(0)} MB`,
    },
    {
      case: 'idle paired sessions in 1 GB (extrapolated)', value: fit(relay), unit: 'sessions',
      baseline: { name: 'bare pipe', value: fit(bare) },
      note: 'from the per-session figure above; the open-files limit (two per session) must allow it',
    },
  ];
}

const bench: Benchmark = {
  name: 'relay-capacity',
  description: 'active sessions (180 kbit/s + input/50 ms) ramped until the server falls behind; idle sessions per GB',
  async run(log, args) {
    await ensureServersBuilt(log);
    const steps = benchArg(args, 'steps')?.split(',').map(Number) ?? DEFAULT_STEPS;
    const generators = Number(benchArg(args, 'generators') ?? ACTIVE_GENERATORS);
    const idleSessions = Number(benchArg(args, 'idle') ?? TARGET_IDLE);
    const parts = args.filter((a) => !a.includes('='));
    const want = (part: string): boolean => parts.length === 0 || parts.includes(part);
    const rows: BenchRow[] = [];
    if (want('active')) {
      const ramps = await ramp(steps, generators, log);
      rows.push(...activeRows(ramps.relay, ramps['bare pipe']));
    }
    if (want('idle')) {
      const relay = await idle('relay', idleSessions, log);
      const bare = await idle('bare pipe', idleSessions, log);
      rows.push(...idleRows(relay, bare));
    }
    return rows;
  },
};

export default bench;
