/**
 * Child process of the stream benchmark: the customer's REAL agent (`createAgent` from
 * client/agent.ts: ClientSession, FrameStreamer, InputInjector) with the real adapters,
 * chosen as client/main.ts does for `--capture nut-js --encoder sharp --accept control`:
 * the nut-js screen source, the sharp encoder and the nut-js input sink (XTest typer on
 * X11). It connects to the server given as argv[2] and answers consent with 'control'.
 *
 * The adapters are wrapped (bench/support/instrument-agent-deps.ts) to count grabs, read
 * the current JPEG quality and time pointer moves, because createAgent exposes neither its
 * streamer nor its stats. Talks to the bench over IPC.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { createAgent, type Agent } from '../../client/agent';
import { createScreenSource } from '../../client/capture/create-screen-source';
import { createNutJsScreenSource } from '../../client/capture/nut-js-screen-adapter';
import { createWorkerScreenSource } from '../../client/capture/worker-screen-adapter';
import { createRectEncoder } from '../../client/encode/create-rect-encoder';
import { createSharpEncoder } from '../../client/encode/sharp-encoder-adapter';
import { createInputSink } from '../../client/input/create-input-sink';
import type { FrameStreamerOptionsInput } from '../../client/stream/frame-streamer-options';
import { instrumentAgentDeps, wallClockMs, type InjectedMove } from './instrument-agent-deps';

/** The worker script as `npm run build` lays it out (the source tree has only its .ts). */
const BUILT_CAPTURE_WORKER = join(__dirname, '../../dist/client/capture-worker.js');

/** client/main.ts's default `--max-fps`, turned into the streamer option the same way. */
const MAIN_DEFAULT_MAX_FPS = 60;

/** Messages from the agent to the bench. */
export type AgentMessage =
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'streaming' }
  | { readonly kind: 'stats'; readonly grabs: number; readonly encodes: number; readonly quality: number; readonly cpuMs: number }
  | { readonly kind: 'moves'; readonly moves: readonly InjectedMove[] }
  | { readonly kind: 'clock'; readonly atMs: number }
  /** Event-loop delay since the last `loop` command, ms: how long an arriving input event waits for its turn. */
  | { readonly kind: 'loop'; readonly p50Ms: number; readonly p95Ms: number; readonly maxMs: number }
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
  | { readonly kind: 'stop' };

const toBench = (message: AgentMessage): void => { process.send?.(message); };

async function main(): Promise<void> {
  const relayUrl = process.argv[2];
  const options = JSON.parse(process.argv[3] ?? '{}') as FrameStreamerOptionsInput;
  if (!relayUrl) throw new Error('usage: stream-agent.ts <wsUrl> [streamer options JSON]');
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const fail = (error: unknown): void => { logger.warn({ err: String(error) }, 'adapter skipped'); };
  // As client/main.ts with `--capture nut-js --encoder sharp`: no silent fall-back to
  // screenshot-desktop or jpeg-js, which would measure something else.
  const real = {
    // What ships: capture in the built worker thread (npm run build), else on the main thread.
    source: await createScreenSource([() => createWorkerScreenSource(BUILT_CAPTURE_WORKER), createNutJsScreenSource], fail),
    encoder: await createRectEncoder([createSharpEncoder], fail),
    sink: await createInputSink({ x11Display: process.env.DISPLAY, platform: process.platform, logger }),
  };
  const { source, encoder, sink, probe } = instrumentAgentDeps(real);
  // The histogram records the time between its timer's ticks: resolution + delay.
  const LOOP_RESOLUTION_MS = 5;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  let stopping = false;
  let agent: Agent | undefined;
  agent = await createAgent({
    relayUrl,
    name: 'bench-agent',
    source,
    encoder,
    sink,
    logger,
    consent: async () => 'control',
    onState: (state) => {
      if (stopping) return;
      switch (state.kind) {
        case 'code': toBench({ kind: 'code', code: state.code }); break;
        case 'sharing': toBench({ kind: 'streaming' }); break;
        case 'failed': toBench({ kind: 'failed', message: `${state.code}: ${state.message}` }); break;
        // A bench run is one session on a local server: a drop or an end is a failure.
        case 'reconnecting': toBench({ kind: 'failed', message: `connection lost: ${state.reason}` }); break;
        case 'ended': toBench({ kind: 'failed', message: `session ended by ${state.by}: ${state.reason}` }); break;
        default: break;
      }
    },
    streamer: { minFrameIntervalMs: Math.ceil(1000 / MAIN_DEFAULT_MAX_FPS), ...options },
  });

  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    loopDelay.disable();
    try {
      await agent?.close();
    } finally {
      agent = undefined;
      process.disconnect?.();
      // nut-js and the X11 typer may keep handles open; the bench waits for this exit.
      setTimeout(() => process.exit(0), 200).unref();
    }
  };

  process.on('message', (command: AgentCommand) => {
    switch (command.kind) {
      case 'stats': {
        const cpu = process.cpuUsage();
        toBench({ kind: 'stats', grabs: probe.grabs, encodes: probe.encodes, quality: probe.lastQuality, cpuMs: (cpu.user + cpu.system) / 1000 });
        break;
      }
      case 'moves':
        toBench({ kind: 'moves', moves: probe.moves.splice(0) });
        break;
      case 'clock':
        toBench({ kind: 'clock', atMs: wallClockMs() });
        break;
      case 'loop': {
        const ms = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
        toBench({ kind: 'loop', p50Ms: ms(loopDelay.percentile(50)), p95Ms: ms(loopDelay.percentile(95)), maxMs: ms(loopDelay.max) });
        loopDelay.reset();
        break;
      }
      case 'stop':
        void shutdown();
        break;
      default: break;
    }
  });
  process.on('disconnect', () => { void shutdown(); });
  agent.session.connect();
}

main().catch((error: unknown) => {
  toBench({ kind: 'failed', message: String(error) });
  console.error(error);
  process.exit(1);
});
