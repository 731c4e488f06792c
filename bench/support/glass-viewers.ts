/**
 * The two viewers the glass benchmark compares, each a headless Chromium page with the
 * meter (bench/support/glass-meter.ts) in it:
 * - ours: the relay in this process, the agent as `npm run client` builds and runs it
 *   (dist/client/main.js, a child process), the real technician page (dist/technician)
 *   joined with the whole code, so sealed end to end as today;
 * - the anchor: TigerVNC's X0tigervnc on the same display, websockify, and noVNC's own page.
 * Everything listens on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { createRelay } from '../../relay/server';
import type { TestBrowser } from '../../test/support/browser';
import { freePort } from '../../test/support/free-port';
import { stopChild } from '../../test/support/xvfb';
import { openPanel, submitCode, waitForState } from '../../test/browser/panel-driver';
import { AGENT_ARGS, EXPECTED_ADAPTERS as EXPECTED } from './agent-ipc';
import { startFeatureFilter, type FeatureFilter } from '../../test/support/feature-filter';
import { countReceivedBytes, installMeter } from './glass-meter';
import { CPU_PROFILE_DIR } from './cpu-profile';
import { descendantsCpuMs, rssBytes } from './proc-cpu';
import { installTechnicianPageHook, pageDrawCount, pageDrawsSince, pageOpensFromSeq, type PageDraw, type PageFrameOpen } from './technician-page';

/** The agent as `npm run client` runs it, after `npm run build`. */
export const BUILT_AGENT = join(__dirname, '../../dist/client/main.js');
/** noVNC as Debian installs it (package novnc). */
const NOVNC_DIR = '/usr/share/novnc';

export interface Viewer {
  readonly name: string;
  readonly page: Page;
  /** What served the screen, for every row: the agent's adapters from its "agent ready" line, or the VNC server. */
  readonly what: string;
  /** WebSocket bytes the page received so far. */
  receivedBytes(): number;
  /** CPU time so far of the process that captures the screen (our agent, or X0tigervnc), ms. */
  serverCpuMs(): number;
  /** Its resident memory now, bytes. */
  serverRssBytes(): number;
  /** Ours only: updates the page drew so far (its acknowledgements, bench/support/technician-page.ts). */
  updatesDrawn?(): Promise<number>;
  /** Ours only: each update drawn from index `from` on, with its grab (agent clock) and drawn (page clock) times. */
  drawsSince?(from: number): Promise<PageDraw[]>;
  /** Ours only: when the page opened the first sealed rectangle of each update from `seq` on. */
  opensFromSeq?(seq: number): Promise<PageFrameOpen[]>;
  /** Gives the viewer's canvas the keyboard focus, as a technician's click would. */
  focusCanvas(): Promise<void>;
  stop(): Promise<void>;
}

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => { s.destroy(); resolve(false); });
      s.connect(port, '127.0.0.1');
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on port ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Collects a child's output and resolves when `pick` finds something in it (or rejects when the child exits first). */
function watchOutput<T>(child: ChildProcess, stream: 'stdout' | 'stderr', pick: (text: string) => T | undefined, what: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => { done(); reject(new Error(`${what}: not seen in ${timeoutMs} ms`)); }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const found = pick(text);
      if (found !== undefined) { done(); resolve(found); }
    };
    const onExit = (code: number | null): void => { done(); reject(new Error(`${what}: the process exited (${code}) first`)); };
    function done(): void {
      clearTimeout(timer);
      child[stream]!.off('data', onData);
      child.off('exit', onExit);
    }
    child[stream]!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** The adapters from the agent's pino line `{"source":…,"encoder":…,"input":…,"changes":…,"msg":"agent ready"}` on stderr. */
function agentReady(text: string): { source: string; encoder: string; input: string; changes: string } | undefined {
  for (const line of text.split('\n')) {
    if (!line.includes('"agent ready"')) continue;
    try {
      const m = JSON.parse(line) as { msg?: string; source?: string; encoder?: string; input?: string; changes?: string };
      // `changes`: how the agent learns what changed (X11 DAMAGE, or polling full frames).
      if (m.msg === 'agent ready') return { source: String(m.source), encoder: String(m.encoder), input: String(m.input), changes: String(m.changes) };
    } catch { /* a partial line: wait for the rest */ }
  }
  return undefined;
}

/** The code the terminal agent prints for the customer to read ("123 456 789"), digits only. Never logged. */
function printedCode(text: string): string | undefined {
  return /^\s+(\d{3} \d{3}(?: \d{3,6})?)\s*$/m.exec(text)?.[1]?.replace(/ /g, '');
}

/** How our viewer is set up beyond the defaults. */
export interface OurViewerOptions {
  /**
   * Relay features the agent is not told about (through test/support/feature-filter.ts in front of
   * the relay, for the agent's socket only), so it does without them: `scaled-frames` to
   * measure the agent without half-resolution motion. The filter is put in front whenever
   * this is given, even empty, so that both lanes of a comparison have the same hop.
   */
  readonly hideRelayFeatures?: readonly string[];
}

/** Our viewer: relay, built agent, technician page (sealed). */
export async function startOurViewer(env: NodeJS.ProcessEnv, browser: TestBrowser, canvasSelector: string, options: OurViewerOptions = {}): Promise<Viewer> {
  const relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'warn' }) });
  let filter: FeatureFilter | undefined;
  let agent: ChildProcess | undefined;
  // BENCH_CPU_PROFILE_DIR: the agent writes a V8 CPU profile of each of its threads there
  // when it exits (it ends on SIGTERM through process.exit, so --cpu-prof gets to write).
  const profileArgs = CPU_PROFILE_DIR !== undefined ? ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', CPU_PROFILE_DIR] : [];
  let page: Page | undefined;
  const stop = async (): Promise<void> => {
    if (agent !== undefined) await stopChild(agent);
    await page?.close().catch(() => undefined);
    await filter?.close();
    await relay.close();
  };
  try {
    if (options.hideRelayFeatures !== undefined) filter = await startFeatureFilter(relay.wsUrl, options.hideRelayFeatures);
    // Its own stdout and stderr are read here, never copied out: stdout holds the access code.
    agent = spawn(process.execPath, [...profileArgs, BUILT_AGENT, ...AGENT_ARGS, '--relay', filter?.wsUrl ?? relay.wsUrl, '--log-level', 'info'], {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const hidden = options.hideRelayFeatures?.length ? `, relay features hidden from the agent: ${options.hideRelayFeatures.join(', ')}` : '';
  try {
    const ready = await watchOutput(agent, 'stderr', agentReady, 'the agent\'s "agent ready" line', 30_000);
    if (ready.source !== EXPECTED.source || ready.encoder !== EXPECTED.encoder) {
      throw new Error(`the agent chose capture ${ready.source}, encoder ${ready.encoder}; the bench measures only ${EXPECTED.source} + ${EXPECTED.encoder} (no fallback)`);
    }
    const code = await watchOutput(agent, 'stdout', printedCode, 'the access code on the agent\'s stdout', 30_000);
    page = await browser.newPage();
    const bytes = countReceivedBytes(page);
    await installTechnicianPageHook(page);
    await installMeter(page, canvasSelector);
    await openPanel(page, relay.url);
    await submitCode(page, code, 'Bench (CompuEasys)');
    await waitForState(page, 'connected', 20_000);
    const p = page;
    return {
      name: 'this project (technician page, sealed)',
      page: p,
      what: `agent: capture ${ready.source}, encoder ${ready.encoder}, input ${ready.input}, changes ${ready.changes} (built dist/client/main.js)${hidden}`,
      receivedBytes: bytes,
      serverCpuMs: () => descendantsCpuMs(process.pid, BUILT_AGENT),
      serverRssBytes: () => rssBytes(agent!.pid),
      updatesDrawn: () => pageDrawCount(p),
      drawsSince: (from) => pageDrawsSince(p, from),
      opensFromSeq: (seq) => pageOpensFromSeq(p, seq),
      focusCanvas: () => p.focus(canvasSelector),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The anchor: X0tigervnc, the server Debian's `x0vncserver` wrapper starts (run directly, so
 * it stays in the foreground as our child, without the wrapper's pid files in ~/.vnc), no
 * authentication, loopback only; websockify serving noVNC's page and bridging to it.
 */
export async function startNoVncViewer(env: NodeJS.ProcessEnv, display: string, browser: TestBrowser): Promise<Viewer> {
  const rfbPort = await freePort();
  const wsPort = await freePort();
  const vnc = spawn('X0tigervnc', ['-display', display, '-rfbport', String(rfbPort), '-SecurityTypes', 'None', '-localhost=1'], { env, stdio: 'ignore' });
  const ws = spawn('websockify', ['--web', NOVNC_DIR, `127.0.0.1:${wsPort}`, `127.0.0.1:${rfbPort}`], { env, stdio: 'ignore' });
  let page: Page | undefined;
  const stop = async (): Promise<void> => {
    await page?.close().catch(() => undefined);
    await stopChild(ws);
    await stopChild(vnc);
  };
  try {
    await waitForPort(rfbPort, vnc, 'X0tigervnc');
    await waitForPort(wsPort, ws, 'websockify');
    page = await browser.newPage();
    const bytes = countReceivedBytes(page);
    await installMeter(page, 'canvas');
    // vnc_lite.html connects at once; scale=false keeps the canvas at the remote size (as ours).
    await page.goto(`http://127.0.0.1:${wsPort}/vnc_lite.html?host=127.0.0.1&port=${wsPort}&scale=false`);
    await page.waitForFunction(() => (document.querySelector('canvas')?.width ?? 0) > 0, undefined, { timeout: 20_000 });
    const p = page;
    return {
      name: 'noVNC + x0vncserver',
      page: p,
      what: 'anchor: X0tigervnc → websockify → noVNC vnc_lite.html',
      receivedBytes: bytes,
      serverCpuMs: () => descendantsCpuMs(process.pid, 'X0tigervnc'),
      serverRssBytes: () => rssBytes(vnc.pid),
      focusCanvas: () => p.focus('canvas'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
