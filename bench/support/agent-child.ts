/**
 * The bench's side of bench/support/stream-agent.ts: starts the real agent as a child
 * process against a server, and asks it over IPC for what the stream and e2e benchmarks
 * read (its adapters, counters, injected pointer moves, event-loop delay, clock).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { forkTs, type TsChild } from './child';
import { wallClockMs, type InjectedMove } from './instrument-agent-deps';
import { BUILT_CAPTURE_WORKER, EXPECTED_ADAPTERS, type AgentMessage } from './agent-ipc';

const AGENT_SCRIPT = join(__dirname, 'stream-agent.ts');
/** IPC round trips used to find the bench ↔ agent clock offset (the quickest one counts). */
const CLOCK_PINGS = 7;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How the stream and e2e benchmarks time a run: the same in both, so their figures compare. */
export const STREAM_RUN = Object.freeze({
  /** The customer's screen (Xvfb). */
  width: 1920,
  height: 1080,
  /** Chromium (the customer's screen) keeps starting up (profile, fonts, raster) for a while after its first paint, ms. */
  sceneSettleMs: 4000,
  /** After pairing, before the window: the agent's first full frame (and the page's first decodes), ms. */
  warmupMs: 2500,
  /** Frame-rate window, ms. */
  windowMs: 6000,
});

/**
 * Input latency, measured after the frame-rate window while the agent keeps streaming:
 * `count` pointer moves one display frame apart (the viewer coalesces moves to
 * requestAnimationFrame, so 60/s is what a technician moving the mouse sends) along remote
 * row `y`, below the scenes' content and away from the animated canvas. A move not
 * injected `drainMs` after the last one was sent counts as lost.
 */
export const POINTER_MOVES = Object.freeze({ count: 120, intervalMs: 1000 / 60, y: 1000, drainMs: 3000 });

type Message<K extends AgentMessage['kind']> = Extract<AgentMessage, { kind: K }>;
const isMessage = <K extends AgentMessage['kind']>(kind: K) => (m: AgentMessage): m is Message<K> => m.kind === kind;

/**
 * The agent runs from source (tsx) but captures in the BUILT worker, as the shipped agent
 * does: refuse a worker that is missing or older than the capture code it was built from,
 * rather than measure a stale build.
 */
export function assertCaptureWorkerBuilt(): void {
  if (!existsSync(BUILT_CAPTURE_WORKER)) throw new Error(`${BUILT_CAPTURE_WORKER} is missing: run npm run build first`);
  const sources = join(__dirname, '..', '..', 'client', 'capture');
  const newest = readdirSync(sources).filter((f) => f.endsWith('.ts'))
    .reduce((max, f) => Math.max(max, statSync(join(sources, f)).mtimeMs), 0);
  if (statSync(BUILT_CAPTURE_WORKER).mtimeMs < newest) throw new Error(`${BUILT_CAPTURE_WORKER} is older than client/capture/: run npm run build first`);
}

export interface AgentChild {
  /** "capture nut-js (worker thread), encoder sharp": what the agent chose, for every result row. */
  readonly adapters: string;
  /** Settles like `p`, or rejects as soon as the agent reports a failure or exits. */
  race<T>(p: Promise<T>): Promise<T>;
  /** The agent's next message of `kind` (raced with its failure). */
  next<K extends AgentMessage['kind']>(kind: K, timeoutMs: number): Promise<Message<K>>;
  stats(): Promise<Message<'stats'>>;
  /** Agent clock minus ours, from the quickest of a few IPC round trips; the offset is known to ± rttMs / 2. */
  clockOffset(): Promise<{ offsetMs: number; rttMs: number }>;
  /** Pointer moves injected since the last call (the agent forgets them). */
  takeMoves(): Promise<readonly InjectedMove[]>;
  /** Event-loop delay since the last call, then starts over. */
  loopDelay(): Promise<Message<'loop'>>;
  /** Starts the agent's CPU profile; the returned function stops it and resolves with the file written (bench/support/cpu-profile.ts). */
  profile(): () => Promise<string>;
  stop(): Promise<void>;
}

/** Starts the agent and waits until it has chosen its adapters. */
export async function startAgent(wsUrl: string, env: NodeJS.ProcessEnv, streamerOptions: object = {}): Promise<AgentChild> {
  const child: TsChild<AgentMessage> = forkTs<AgentMessage>(AGENT_SCRIPT, env, [wsUrl, JSON.stringify(streamerOptions)]);
  const failed = child.next(isMessage('failed'), 600_000).then((m) => { throw new Error(`agent: ${m.message}`); });
  failed.catch(() => undefined);
  const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  const next = <K extends AgentMessage['kind']>(kind: K, timeoutMs: number): Promise<Message<K>> => race(child.next(isMessage(kind), timeoutMs));
  /** The commands the agent answers with a message of the same kind. */
  const ask = <K extends 'stats' | 'moves' | 'clock' | 'loop'>(kind: K): Promise<Message<K>> => {
    child.send({ kind });
    return next(kind, 5000);
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= (async () => {
    if (child.process.connected) child.send({ kind: 'stop' });
    await child.stop();
  })());
  try {
    const hardware = await next('hardware', 30_000);
    // noFallback already keeps the agent to the first choice; this says so if that ever changes.
    // On X11 the source is wrapped by the damage tracking ("nut-js (worker thread) + x11-damage 1.1"):
    // the full-frame source under it is the one checked, the whole name goes into every row.
    const fullFrameSource = hardware.source.split(' + ')[0];
    if (fullFrameSource !== EXPECTED_ADAPTERS.source || hardware.encoder !== EXPECTED_ADAPTERS.encoder) {
      throw new Error(`the agent chose capture ${hardware.source}, encoder ${hardware.encoder}; the benchmarks measure only ${EXPECTED_ADAPTERS.source} + ${EXPECTED_ADAPTERS.encoder}`);
    }
    return {
      adapters: `capture ${hardware.source}, encoder ${hardware.encoder}`,
      race,
      next,
      stats: () => ask('stats'),
      async clockOffset() {
        let best = { offsetMs: 0, rttMs: Infinity };
        for (let i = 0; i < CLOCK_PINGS; i++) {
          const sentAt = wallClockMs();
          const { atMs } = await ask('clock');
          const backAt = wallClockMs();
          if (backAt - sentAt < best.rttMs) best = { offsetMs: atMs - (sentAt + backAt) / 2, rttMs: backAt - sentAt };
        }
        return best;
      },
      takeMoves: async () => (await ask('moves')).moves,
      loopDelay: () => ask('loop'),
      profile() {
        child.send({ kind: 'profile', action: 'start' });
        return async () => {
          child.send({ kind: 'profile', action: 'stop', file: `agent-${child.process.pid}-${Date.now()}.cpuprofile` });
          return (await next('profile', 10_000)).path;
        };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What a result row measured: the adapters the agent reported in its runs (one name unless
 * something changed between runs) and any streamer options given on the command line.
 */
export function agentNote(adapters: readonly string[], streamerOptions: object = {}): string {
  const options = Object.keys(streamerOptions).length > 0 ? `, streamer options ${JSON.stringify(streamerOptions)}` : '';
  return `agent: ${[...new Set(adapters)].join(' / ')}${options}`;
}

/**
 * Collects the agent's injected moves on the POINTER_MOVES row until `expected` distinct
 * ones arrived or the drain time ran out, keyed `x,y`: each move's coordinates say which.
 */
export async function collectInjected(agent: AgentChild, expected: number): Promise<Map<string, InjectedMove>> {
  const injected = new Map<string, InjectedMove>();
  const deadline = performance.now() + POINTER_MOVES.drainMs;
  while (injected.size < expected && performance.now() < deadline) {
    await sleep(100);
    for (const m of await agent.takeMoves()) if (m.y === POINTER_MOVES.y && !injected.has(`${m.x},${m.y}`)) injected.set(`${m.x},${m.y}`, m);
  }
  return injected;
}

/**
 * Calls `move(i)` for each of the POINTER_MOVES, one display frame apart, paced against
 * the start so that a late timer does not slow the whole series down.
 */
export async function pacedMoves(move: (i: number) => unknown): Promise<void> {
  const firstAt = performance.now();
  for (let i = 0; i < POINTER_MOVES.count; i++) {
    await sleep(Math.max(0, firstAt + i * POINTER_MOVES.intervalMs - performance.now()));
    await move(i);
  }
}
