import { spawn, type ChildProcess } from 'node:child_process';

/** A running virtual X server, started by {@link startXvfb}. */
export interface XvfbDisplay {
  /** The X display name, e.g. `:93`, for `DISPLAY`. */
  readonly display: string;
  readonly width: number;
  readonly height: number;
  /** The server's process id. */
  readonly pid: number;
  /** A copy of `base` (default: this process's environment) with DISPLAY pointing here. */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Ends the server (SIGTERM, then SIGKILL after 2 s) and waits for it. Safe to call twice. */
  stop(): Promise<void>;
}

export interface XvfbOptions {
  /** Screen size; 1920×1080×24 by default, the size the figures in ARCHITECTURE.md were taken at. */
  readonly width?: number;
  readonly height?: number;
  readonly depth?: 24 | 16 | 8;
  /** Give up if the server has not said it is ready after this long, ms. */
  readonly readyTimeoutMs?: number;
  /** More server arguments, e.g. `['-extension', 'DAMAGE']` for a server without DAMAGE. */
  readonly extraArgs?: readonly string[];
}

const DEFAULTS = { width: 1920, height: 1080, depth: 24, readyTimeoutMs: 10_000 } as const;

/**
 * Starts Xvfb on a free display number and resolves once it accepts clients.
 *
 * `-displayfd` makes the server pick an unused display itself and write the number on the
 * given descriptor only when it is ready to accept connections: no guessing of free
 * numbers (races with other tests) and no polling for the socket to appear.
 * `-nolisten tcp` keeps it off the network.
 */
export async function startXvfb(options: XvfbOptions = {}): Promise<XvfbDisplay> {
  const { width, height, depth, readyTimeoutMs } = { ...DEFAULTS, ...options };
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x${depth}`, '-nolisten', 'tcp', '-noreset', ...(options.extraArgs ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const displayNumber = await readDisplayNumber(child, readyTimeoutMs);
  const display = `:${displayNumber}`;
  // A test or bench that crashes before stop() must not leave an X server running for the
  // next run: kill it when this process exits, whatever the reason (SIGKILL aside).
  const onParentExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', onParentExit);
  let stopped: Promise<void> | undefined;
  return {
    display,
    width,
    height,
    pid: child.pid!,
    env: (base = process.env) => ({ ...base, DISPLAY: display }),
    stop: () => (stopped ??= stopChild(child).finally(() => { process.off('exit', onParentExit); })),
  };
}

function readDisplayNumber(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`Xvfb not ready after ${timeoutMs} ms: ${err.trim()}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const match = /^(\d+)\n/.exec(out);
      if (match) done(Number(match[1]));
    };
    const onErr = (chunk: Buffer): void => { err += chunk.toString('utf8'); };
    const onExit = (code: number | null): void => fail(new Error(`Xvfb exited (${code}) before it was ready: ${err.trim()}`));
    const onSpawnError = (error: Error): void => fail(new Error(`cannot start Xvfb (scripts/install-system-deps.sh installs it): ${error.message}`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdio[3]?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onSpawnError);
      // Stop reading: otherwise the open pipes keep the parent's event loop alive.
      child.stdio[3]?.destroy();
      child.stderr?.destroy();
    };
    function done(n: number): void {
      cleanup();
      resolve(n);
    }
    function fail(error: Error): void {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdio[3]?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onSpawnError);
  });
}

/** SIGTERM, then SIGKILL if the process lingers; resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
