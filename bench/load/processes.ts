/**
 * The parent side of the load benchmarks: starts the server under test (the built relay,
 * `node dist/relay/main.js`, or the bare `ws` pipe) and the load-generator processes,
 * reads a server's CPU time and resident memory from /proc, and makes sure every child is
 * gone when the bench ends, fails, or is interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { forkTs, type TsChild } from '../support/child';
import { stopChild } from '../../test/support/xvfb';
import type {
  GeneratorReply, GeneratorRequest, GeneratorStats, GroupStats, OpenResult, SessionProfile,
} from './generator-protocol';
import { LatencyHistogram } from './histogram';

const ROOT = join(__dirname, '..', '..');
const RELAY_MAIN = join(ROOT, 'dist', 'relay', 'main.js');
const BARE_PIPE_BUNDLE = join(ROOT, 'node_modules', '.cache', 'compueasys-bench', 'bare-pipe-main.js');
/** No child outlives this, whatever happens to the bench (ms). */
export const CHILD_MAX_LIFETIME_MS = 40 * 60_000;
/** Linux clock ticks per second for /proc/<pid>/stat (getconf CLK_TCK), read on first use. */
let clockTicks: number | undefined;
const clkTck = (): number => (clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100);

// ---- every child, killed on the way out ---------------------------------------------

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        for (const c of children) c.kill('SIGKILL');
        process.exit(130);
      });
    }
  }
}

// ---- /proc ----------------------------------------------------------------------------

export interface ProcSample {
  readonly atMs: number;
  /** CPU time used so far, user + system, all threads, ms. */
  readonly cpuMs: number;
  readonly rssBytes: number;
  /** Peak resident memory so far. */
  readonly hwmBytes: number;
}

export function readProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: the fields that follow start after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { atMs: performance.now(), cpuMs: (ticks * 1000) / clkTck(), rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** CPU used between two samples, in % of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  return ((b.cpuMs - a.cpuMs) / Math.max(1, b.atMs - a.atMs)) * 100;
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

// ---- the server under test ------------------------------------------------------------

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  sample(): ProcSample;
  /** Lines the relay logged at warn level or above (the bare pipe logs nothing). */
  readonly warnings: string[];
  stop(): Promise<void>;
}

export type ServerKind = 'relay' | 'bare pipe';

export interface StartOptions {
  /** Relay settings as environment variables (README: "Relay configuration"). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run the relay with every per-address limit as shipped. Off by default: the load
   * generators play thousands of customers and technicians from the one address
   * 127.0.0.1, which the per-address limits (meant for one abuser) would refuse; the
   * forwarding the relay benchmarks measure does not depend on them. The soak benchmark,
   * which is about those limits, turns this on.
   */
  readonly asShipped?: boolean;
  /** Extra node flags for the relay, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}

/**
 * Builds dist/ when it is missing or older than the relay's sources, and bundles the bare
 * pipe beside node_modules (so its packages resolve) for plain node to run.
 */
export async function ensureServersBuilt(log: (m: string) => void): Promise<void> {
  const newest = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .reduce((max, e) => Math.max(max, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  const sources = Math.max(newest(join(ROOT, 'relay')), newest(join(ROOT, 'protocol')));
  if (!existsSync(RELAY_MAIN) || statSync(RELAY_MAIN).mtimeMs < sources) {
    log('dist/relay/main.js is missing or older than relay/ or protocol/: running npm run build');
    const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(__dirname, 'bare-pipe-main.ts')], outfile: BARE_PIPE_BUNDLE, bundle: true,
    platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning',
  });
}

export function startServer(kind: ServerKind, options: StartOptions = {}): Promise<ServerProcess> {
  return kind === 'relay' ? startRelay(options) : startBarePipeProcess();
}

/**
 * The built relay as production runs it (`node dist/relay/main.js`), on 127.0.0.1 and a
 * free port, logging JSON at info level (the default) to a pipe this process drains. The
 * port is read from its "relay listening" log line.
 */
function startRelay(options: StartOptions): Promise<ServerProcess> {
  return startNodeServer('relay', RELAY_MAIN, '"relay listening"', {
    // No database: the load benches measure relaying (accounts are not on the hot path).
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json', RELAY_NO_DATABASE: 'true',
    ...(options.asShipped === true ? {} : ONE_ADDRESS_MANY_PEERS),
    ...options.env,
  }, options.nodeArgs ?? []);
}

/** Per-address limits wide enough for every generated peer to come from 127.0.0.1 (see StartOptions.asShipped). */
const ONE_ADDRESS_MANY_PEERS: Readonly<Record<string, string>> = Object.freeze({
  MAX_SESSIONS_PER_IP: '100000', REGISTRATIONS_PER_IP_PER_MINUTE: '1000000', MAX_CONNECTIONS_PER_IP: '100000', CODE_ATTEMPTS_PER_IP: '100000',
});

/** The bare pipe, bundled like the relay and run by plain node, so neither runs under tsx. */
function startBarePipeProcess(): Promise<ServerProcess> {
  return startNodeServer('bare pipe', BARE_PIPE_BUNDLE, '"bare pipe listening"', {}, []);
}

async function startNodeServer(
  name: string, script: string, readyText: string, extraEnv: Readonly<Record<string, string>>, nodeArgs: readonly string[],
): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_MAX_LIFETIME_MS: String(CHILD_MAX_LIFETIME_MS), ...extraEnv };
  delete env.NODE_OPTIONS; // the bench runs under tsx; the servers run as shipped
  // For profiling: BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (each server's pid is logged).
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [
    ...nodeArgs, ...extra, '--require', join(__dirname, 'exit-with-parent.cjs'), script,
  ], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  if (extra.length > 0) process.stderr.write(`${name}: pid ${child.pid}, node ${extra.join(' ')}\n`);
  const warnings: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s`)), 15_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}): ${stderr.trim()}`)); });
    // Drained for the whole run: a full pipe would block the server's synchronous logging.
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        // The server's own JSON log lines: only the level and the listening port are read.
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
        if (level >= 40 && warnings.length < 50) warnings.push(line);
        if (line.includes(readyText)) {
          clearTimeout(timer);
          resolve(Number(/"port":(\d+)/.exec(line)?.[1]));
        }
      }
    });
  });
  return {
    name, pid: child.pid!, wsUrl: `ws://127.0.0.1:${port}/ws`, httpUrl: `http://127.0.0.1:${port}`,
    sample: () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${stderr.trim().slice(-1500)}`);
      }
      return readProc(child.pid!);
    },
    warnings,
    // Closing thousands of sessions takes a while; a CPU profile is written on exit.
    stop: () => stopChild(child, 10_000),
  };
}

// ---- load generators ------------------------------------------------------------------

export interface Generator {
  readonly pid: number;
  /** `techWsUrl`: where the technicians connect, when not to `wsUrl` (a pair across two relay nodes). */
  open(group: string, wsUrl: string, count: number, profile: SessionProfile, concurrency?: number, techWsUrl?: string): Promise<OpenResult>;
  openClients(group: string, wsUrl: string, count: number): Promise<string[]>;
  join(group: string, wsUrl: string, codes: readonly string[], profile: SessionProfile): Promise<OpenResult>;
  awaitClients(group: string, profile: SessionProfile): Promise<OpenResult>;
  reset(): Promise<void>;
  stats(): Promise<GeneratorStats>;
  pause(group: string, paused: boolean): Promise<void>;
  /** Stops (true) or restarts (false) the traffic of one group, or of all. */
  quiet(quiet: boolean, group?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startGenerator(): Promise<Generator> {
  const child: TsChild<GeneratorReply> = forkTs<GeneratorReply>(
    join(__dirname, 'load-generator.ts'), process.env, [String(CHILD_MAX_LIFETIME_MS)],
  );
  track(child.process);
  await child.next((m): m is GeneratorReply => m.kind === 'ready', 20_000);
  let nextId = 1;
  const call = async <T>(request: GeneratorRequest, timeoutMs = 120_000): Promise<T> => {
    const id = nextId++;
    child.send({ id, request });
    const answer = await child.next((m): m is Extract<GeneratorReply, { kind: 'reply' }> => m.kind === 'reply' && m.id === id, timeoutMs);
    if (!answer.ok) throw new Error(`generator: ${answer.error}`);
    return answer.value as T;
  };
  return {
    pid: child.process.pid!,
    open: (group, wsUrl, count, profile, concurrency = 20, techWsUrl) =>
      call<OpenResult>({ kind: 'open', group, wsUrl, count, profile, concurrency, ...(techWsUrl !== undefined ? { techWsUrl } : {}) }, 600_000),
    openClients: (group, wsUrl, count) => call<string[]>({ kind: 'open-clients', group, wsUrl, count, concurrency: 20 }, 600_000),
    join: (group, wsUrl, codes, profile) => call<OpenResult>({ kind: 'join', group, wsUrl, codes, profile, concurrency: 20 }, 600_000),
    awaitClients: (group, profile) => call<OpenResult>({ kind: 'await-clients', group, profile }, 600_000),
    reset: () => call<void>({ kind: 'reset' }),
    stats: () => call<GeneratorStats>({ kind: 'stats' }),
    pause: (group, paused) => call<void>({ kind: 'pause', group, paused }),
    quiet: (quiet, group) => call<void>({ kind: 'quiet', quiet, ...(group !== undefined ? { group } : {}) }),
    async stop() {
      if (child.process.exitCode === null) await call<void>({ kind: 'close' }, 10_000).catch(() => undefined);
      await child.stop();
    },
  };
}

export async function startGenerators(count: number): Promise<Generator[]> {
  return Promise.all(Array.from({ length: count }, () => startGenerator()));
}

/** Opens `total` sessions spread evenly over the generators. */
export async function openSpread(
  generators: readonly Generator[], group: string, wsUrl: string, total: number, profile: SessionProfile, concurrency = 20,
): Promise<OpenResult> {
  const results = await Promise.all(generators.map((g, i) => {
    const share = Math.floor(total / generators.length) + (i < total % generators.length ? 1 : 0);
    return share > 0 ? g.open(group, wsUrl, share, profile, concurrency) : Promise.resolve<OpenResult>({ opened: 0, failed: 0, ms: 0 });
  }));
  const firstError = results.find((r) => r.firstError)?.firstError;
  return {
    opened: results.reduce((a, r) => a + r.opened, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    ms: Math.max(...results.map((r) => r.ms)),
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * Opens sessions whose clients live in one generator and technicians in another, so
 * sending and receiving a stream do not share one process's core.
 */
export async function openSplit(
  clients: Generator, technicians: Generator, group: string, wsUrl: string, count: number, profile: SessionProfile,
): Promise<OpenResult> {
  const codes = await clients.openClients(group, wsUrl, count);
  const [joined, started] = await Promise.all([technicians.join(group, wsUrl, codes, profile), clients.awaitClients(group, profile)]);
  return {
    opened: Math.min(joined.opened, started.opened), failed: Math.max(joined.failed, started.failed), ms: Math.max(joined.ms, started.ms),
    ...(joined.firstError ?? started.firstError ? { firstError: joined.firstError ?? started.firstError } : {}),
  };
}

// ---- merged figures ---------------------------------------------------------------------

/** One group's figures merged over several generators. */
export interface Merged {
  readonly sessions: number;
  readonly closedSessions: number;
  readonly closeCodes: Record<string, number>;
  readonly inputSent: number;
  readonly inputReceived: number;
  readonly inputLost: number;
  readonly input: LatencyHistogram;
  readonly framesSent: number;
  readonly framesSkipped: number;
  readonly framesReceived: number;
  readonly frameBytesReceived: number;
  readonly frame: LatencyHistogram;
  readonly refreshes: number;
  readonly wireBytes: number;
  readonly elapsedMs: number;
  /** Generators' CPU in the window, % of one core, summed. */
  readonly generatorCpuPercent: number;
  readonly generatorLoopDelayP99Ms: number;
}

export function merge(all: readonly GeneratorStats[], group: string): Merged {
  const input = new LatencyHistogram();
  const frame = new LatencyHistogram();
  const closeCodes: Record<string, number> = {};
  const sum = (f: (g: GroupStats) => number): number => all.reduce((a, s) => a + (s.groups[group] ? f(s.groups[group]!) : 0), 0);
  for (const s of all) {
    const g = s.groups[group];
    if (!g) continue;
    input.merge(g.inputLatency, g.inputLatencyMax);
    frame.merge(g.frameLatency, g.frameLatencyMax);
    for (const [code, n] of Object.entries(g.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
  }
  const elapsedMs = Math.max(...all.map((s) => s.elapsedMs));
  return {
    sessions: sum((g) => g.sessions), closedSessions: sum((g) => g.closedSessions), closeCodes,
    inputSent: sum((g) => g.inputSent), inputReceived: sum((g) => g.inputReceived), inputLost: sum((g) => g.inputLost), input,
    framesSent: sum((g) => g.framesSent), framesSkipped: sum((g) => g.framesSkipped), framesReceived: sum((g) => g.framesReceived),
    frameBytesReceived: sum((g) => g.frameBytesReceived), frame, refreshes: sum((g) => g.refreshes), wireBytes: sum((g) => g.wireBytes),
    elapsedMs,
    generatorCpuPercent: all.reduce((a, s) => a + s.cpuMs, 0) / Math.max(1, elapsedMs) * 100,
    generatorLoopDelayP99Ms: Math.max(...all.map((s) => s.loopDelayP99Ms)),
  };
}

/**
 * Runs `fn` against a fresh server of `kind` and `generatorCount` fresh load generators,
 * and stops them all afterwards, whether it succeeded or not.
 */
export async function withServer<T>(
  kind: ServerKind, generatorCount: number, fn: (server: ServerProcess, generators: readonly Generator[]) => Promise<T>, options: StartOptions = {},
): Promise<T> {
  const server = await startServer(kind, options);
  const generators: Generator[] = [];
  try {
    generators.push(...await startGenerators(generatorCount));
    return await fn(server, generators);
  } finally {
    await stopAll(generators);
    await server.stop();
  }
}

/** Opens `count` sessions spread over the generators; rejects unless every one paired. */
export async function openAll(
  generators: readonly Generator[], group: string, wsUrl: string, count: number, profile: SessionProfile, concurrency = 20,
): Promise<OpenResult> {
  const opened = await openSpread(generators, group, wsUrl, count, profile, concurrency);
  if (opened.opened !== count) throw new Error(`${group}: ${count - opened.opened} of ${count} sessions did not pair: ${opened.firstError}`);
  return opened;
}

/** One measurement window: the generators' figures and the server's /proc readings over the same `ms`. */
export interface MeasuredWindow {
  readonly stats: GeneratorStats[];
  readonly before: ProcSample;
  readonly after: ProcSample;
  /** The server's CPU over the window, % of one core. */
  readonly serverCpuPercent: number;
}

/** Starts the generators' counters over, waits `ms`, and reads both sides. */
export async function measureWindow(server: ServerProcess, generators: readonly Generator[], ms: number): Promise<MeasuredWindow> {
  await resetAll(generators);
  const before = server.sample();
  await sleep(ms);
  const stats = await statsOf(generators);
  const after = server.sample();
  return { stats, before, after, serverCpuPercent: cpuPercent(before, after) };
}

/**
 * `repeats` runs against each server, alternating which goes first, so that neither
 * always runs second on a warmer (or busier) machine.
 */
export async function alternating<T>(repeats: number, run: (kind: ServerKind) => Promise<T>): Promise<Record<ServerKind, T[]>> {
  const runs: Record<ServerKind, T[]> = { relay: [], 'bare pipe': [] };
  for (let i = 0; i < repeats; i++) {
    const order: readonly ServerKind[] = i % 2 === 0 ? ['bare pipe', 'relay'] : ['relay', 'bare pipe'];
    for (const kind of order) runs[kind].push(await run(kind));
  }
  return runs;
}

export async function statsOf(generators: readonly Generator[]): Promise<GeneratorStats[]> {
  return Promise.all(generators.map((g) => g.stats()));
}

export async function resetAll(generators: readonly Generator[]): Promise<void> {
  await Promise.all(generators.map((g) => g.reset()));
}

export async function stopAll(generators: readonly Generator[]): Promise<void> {
  await Promise.all(generators.map((g) => g.stop()));
}

// ---- small helpers --------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The 1-minute load average, for the note beside each figure. */
export const load1 = (): number => loadavg()[0] ?? 0;

/**
 * Share of the last 10 s in which some runnable task waited for a CPU (Linux pressure
 * stall information), %: a better sign than the load average that the machine was busy.
 * NaN where /proc/pressure is missing.
 */
export function cpuPressure(): number {
  try {
    return Number(/some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** "load 1.7, CPU pressure 12%": what else the machine was doing. */
export function machineNote(): string {
  const p = cpuPressure();
  return `load ${load1().toFixed(1)}${Number.isNaN(p) ? '' : `, CPU pressure ${Math.round(p)}%`}`;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
