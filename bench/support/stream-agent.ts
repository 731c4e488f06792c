/**
 * Child process of the stream and e2e benchmarks: the customer's REAL agent (`createAgent`
 * from client/agent.ts: ClientSession, FrameStreamer, InputInjector) with the adapters and
 * tuning the agent itself chooses (client/agent-hardware.ts: `openAgentHardware`,
 * `agentTuning`) for the options client/main.ts gets from
 * `--capture nut-js --encoder sharp --accept control`: nut-js capture in the built worker
 * thread (dist/client/capture-worker.js, so `npm run build` first), the sharp encoder and
 * the nut-js input sink (XTest typer on X11). No fallback: if the worker or sharp cannot
 * be used, the agent fails instead of measuring something else. It connects to the server
 * given as argv[2] and answers consent with 'control'.
 *
 * The adapters are wrapped (bench/support/instrument-agent-deps.ts) to count grabs, read
 * the current JPEG quality and time pointer moves, because createAgent exposes neither its
 * streamer nor its stats. Talks to the bench over IPC.
 */
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { createAgent, type Agent } from '../../client/agent';
import { agentTuning, openAgentHardware } from '../../client/agent-hardware';
import { parseAgentArgs } from '../../client/agent-options';
import { RecordOpener, RecordSealer } from '../../common/e2e/record-layer';
import type { FrameStreamerOptionsInput } from '../../client/stream/frame-streamer-options';
import { startCpuProfile } from './cpu-profile';
import { AGENT_ARGS, BUILT_CAPTURE_WORKER, type AgentCommand, type AgentMessage } from './agent-ipc';
import { instrumentAgentDeps, wallClockMs } from './instrument-agent-deps';

const toBench = (message: AgentMessage): void => { process.send?.(message); };

/**
 * The agent's sealing of frames, timed from outside (client/ is not changed): every
 * RecordSealer in this process is the session's, and sealBinary is what sendFrame awaits
 * before the frame goes to the socket.
 */
const sealProbe = { calls: 0, bytes: 0, ms: 0 };
/** And its opening of what the technician sealed: input (text records) and acknowledgements (binary), call → opened. */
const openProbe = { text: { calls: 0, ms: 0 }, binary: { calls: 0, ms: 0 } };
function timeOpen<A extends unknown[], R>(open: (...args: A) => Promise<R>, into: { calls: number; ms: number }): (this: RecordOpener, ...args: A) => Promise<R> {
  return function timedOpen(this: RecordOpener, ...args: A): Promise<R> {
    const startedAt = performance.now();
    const opened = open.apply(this, args);
    opened.then(() => {
      into.calls++;
      into.ms += performance.now() - startedAt;
    }, () => undefined);
    return opened;
  };
}
RecordOpener.prototype.openText = timeOpen(RecordOpener.prototype.openText, openProbe.text);
RecordOpener.prototype.openBinary = timeOpen(RecordOpener.prototype.openBinary, openProbe.binary);
const sealBinary = RecordSealer.prototype.sealBinary;
RecordSealer.prototype.sealBinary = function timedSealBinary(this: RecordSealer, plain: Uint8Array): Promise<Uint8Array> {
  const startedAt = performance.now();
  const sealed = sealBinary.call(this, plain);
  sealed.then(() => {
    sealProbe.calls++;
    sealProbe.bytes += plain.length;
    sealProbe.ms += performance.now() - startedAt;
  }, () => undefined);
  return sealed;
};

async function main(): Promise<void> {
  const relayUrl = process.argv[2];
  const overrides = JSON.parse(process.argv[3] ?? '{}') as FrameStreamerOptionsInput;
  if (!relayUrl) throw new Error('usage: stream-agent.ts <wsUrl> [streamer options JSON]');
  // What client/main.ts would have, from its own parser (the environment is left out, so
  // neither RELAY_URL nor LOG_LEVEL can change what is measured).
  const options = parseAgentArgs([...AGENT_ARGS, '--relay', relayUrl], {}, hostname());
  const logger = pino({ level: options.logLevel }, pino.destination(2));
  const real = await openAgentHardware({
    options, x11Display: process.env.DISPLAY, platform: process.platform, logger,
    noFallback: true, captureWorkerFile: BUILT_CAPTURE_WORKER,
  });
  toBench({ kind: 'hardware', source: real.source.name, encoder: real.encoder.name });
  const { source, encoder, sink, probe } = instrumentAgentDeps(real);
  // The histogram records the time between its timer's ticks: resolution + delay.
  const LOOP_RESOLUTION_MS = 5;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  let stopping = false;
  let agent: Agent | undefined;
  const tuning = agentTuning(options);
  agent = await createAgent({
    relayUrl: options.relayUrl,
    name: options.name,
    source,
    encoder,
    sink,
    logger,
    // main.ts's automaticConsent for `--accept control`, without its terminal output.
    consent: async () => options.accept ?? 'deny',
    onState: (state) => {
      if (stopping) return;
      switch (state.kind) {
        // Every digit the customer reads: the relay's six routing digits and the agent's secret ones.
        case 'code': toBench({ kind: 'code', code: state.code }); break;
        case 'sharing': toBench({ kind: 'streaming', encrypted: state.encrypted }); break;
        case 'failed': toBench({ kind: 'failed', message: `${state.code}: ${state.message}` }); break;
        // A bench run is one session on a local server: a drop or an end is a failure.
        case 'reconnecting': toBench({ kind: 'failed', message: `connection lost: ${state.reason}` }); break;
        case 'ended': toBench({ kind: 'failed', message: `session ended by ${state.by}: ${state.reason}` }); break;
        default: break;
      }
    },
    ...tuning,
    // `npm run bench -- stream full maxInFlight=3`: a setting tried end to end.
    streamer: { ...tuning.streamer, ...overrides },
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

  let stopProfile: ((file: string) => Promise<string>) | undefined;
  process.on('message', (command: AgentCommand) => {
    switch (command.kind) {
      case 'stats': {
        const cpu = process.cpuUsage();
        toBench({ kind: 'stats', grabs: probe.grabs, encodes: probe.encodes, quality: probe.lastQuality, cpuMs: (cpu.user + cpu.system) / 1000, seal: { ...sealProbe }, open: { text: { ...openProbe.text }, binary: { ...openProbe.binary } } });
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
      case 'profile':
        if (command.action === 'start') {
          void startCpuProfile().then((stop) => { stopProfile = stop; });
        } else {
          const stop = stopProfile;
          stopProfile = undefined;
          void stop?.(command.file).then((path) => toBench({ kind: 'profile', path }));
        }
        break;
      case 'stop':
        void shutdown();
        break;
      default: break;
    }
  });
  process.on('disconnect', () => { void shutdown(); });
  agent.session.connect();
}

/** An AggregateError (no adapter could be used) says why in its causes. */
function describe(error: unknown): string {
  const causes = error instanceof AggregateError ? `: ${error.errors.map((e) => String((e as Error)?.message ?? e)).join('; ')}` : '';
  return `${String(error)}${causes}`;
}

main().catch((error: unknown) => {
  toBench({ kind: 'failed', message: describe(error) });
  console.error(error);
  process.exit(1);
});
