/**
 * What the stream and e2e benchmarks and their agent child (bench/support/stream-agent.ts)
 * say to each other over IPC, and what the agent is. No side effects: both sides import it.
 */
import { join } from 'node:path';
import type { InjectedMove } from './instrument-agent-deps';

/** The worker script as `npm run build` lays it out (the source tree has only its .ts). */
export const BUILT_CAPTURE_WORKER = join(__dirname, '../../dist/client/capture-worker.js');

/** What the benchmarks measure: the command line of the shipped agent they stand for. */
export const AGENT_ARGS: readonly string[] = Object.freeze(['--capture', 'nut-js', '--encoder', 'sharp', '--accept', 'control', '--name', 'bench-agent']);

/**
 * The adapters AGENT_ARGS ask for, as the agent names them: any other pair means something
 * else is being measured (a fallback), and the benchmarks refuse to go on.
 */
export const EXPECTED_ADAPTERS = Object.freeze({ source: 'nut-js (worker thread)', encoder: 'sharp' });

/** Messages from the agent to the bench. */
export type AgentMessage =
  /** The adapters the agent chose, by their own names: every result row shows them. */
  | { readonly kind: 'hardware'; readonly source: string; readonly encoder: string }
  /** The code the customer reads: six routing digits from the relay, then the agent's secret digits (3 by default). */
  | { readonly kind: 'code'; readonly code: string }
  /** Sharing started; `encrypted`: the session is sealed end to end (the agent's own word, client/session/session-state.ts). */
  | { readonly kind: 'streaming'; readonly encrypted: boolean }
  /**
   * Counters since the agent started. `seal`: its RecordSealer.sealBinary calls (frames, in a
   * sealed session), each timed from the call to the sealed bytes (waiting for the record
   * before it included), ms.
   */
  | { readonly kind: 'stats'; readonly grabs: number; readonly encodes: number; readonly quality: number; readonly cpuMs: number;
    readonly seal: { readonly calls: number; readonly bytes: number; readonly ms: number };
    /** Its RecordOpener.openText (input, and the technician's other messages) and openBinary (acks) calls, each call → opened (waiting for the record before it included), ms. */
    readonly open: { readonly text: { readonly calls: number; readonly ms: number }; readonly binary: { readonly calls: number; readonly ms: number } } }
  | { readonly kind: 'moves'; readonly moves: readonly InjectedMove[] }
  | { readonly kind: 'clock'; readonly atMs: number }
  /** Event-loop delay since the last `loop` command, ms: how long an arriving input event waits for its turn. */
  | { readonly kind: 'loop'; readonly p50Ms: number; readonly p95Ms: number; readonly maxMs: number }
  /** The CPU profile asked for with `profile` `stop` was written here. */
  | { readonly kind: 'profile'; readonly path: string }
  | { readonly kind: 'failed'; readonly message: string };

/** Messages from the bench to the agent. */
export type AgentCommand =
  | { readonly kind: 'stats' }
  /** Sends the pointer moves injected so far, and forgets them. */
  | { readonly kind: 'moves' }
  /** Answers with this process's wall clock, for the bench to check the offset between the two. */
  | { readonly kind: 'clock' }
  /** Sends the event-loop delay seen since the last one, and starts over. */
  | { readonly kind: 'loop' }
  /** Starts the agent's CPU profile (main thread), or stops it and writes `file` (bench/support/cpu-profile.ts). */
  | { readonly kind: 'profile'; readonly action: 'start' } | { readonly kind: 'profile'; readonly action: 'stop'; readonly file: string }
  | { readonly kind: 'stop' };

