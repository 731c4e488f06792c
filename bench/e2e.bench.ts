import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { createRelay } from '../relay/server';
import { launchTestBrowser, type TestBrowser } from '../test/support/browser';
import { startXvfb } from '../test/support/xvfb';
import { assertTechnicianBuilt, openPanel, pagePointOf, submitCode, waitForState } from '../test/browser/panel-driver';
import { benchArg, median, medianRun, percentile, withNote, type Benchmark, type BenchRow } from './support/benchmark';
import {
  agentNote, assertCaptureWorkerBuilt, collectInjected, pacedMoves, POINTER_MOVES, sleep, startAgent, STREAM_RUN, type AgentChild,
} from './support/agent-child';
import { REGION, showScene } from './support/chromium-scene';
import { descendantsCpuMs, machineCpu } from './support/proc-cpu';
import { wallClockMs } from './support/instrument-agent-deps';
import { joinAsTechnician, type TechnicianSim } from './support/technician-sim';
import {
  installTechnicianPageHook, pageClockOffset, pageDrawCount, pageDrawsSince, pageStatusBar, takePageMoves,
} from './support/technician-page';

/** Runs per technician, interleaved (stand-in, page, stand-in, page …); `repeats=N` overrides. */
const DEFAULT_REPEATS = 3;
/** The remote x range of the POINTER_MOVES: ≈ 13 remote pixels apart, so each maps to its own coordinate at fit scale. */
const INPUT_X = Object.freeze({ from: 100, to: 1700 });
/** The technician's browser window (the canvas is shown at "fit" scale inside it). */
const VIEWPORT = Object.freeze({ width: 1400, height: 900 });
/** The whole benchmark gives up after this long, ms (each step has its own shorter timeout too). */
const OVERALL_TIMEOUT_MS = 8 * 60_000;
/** Profile-folder prefixes (test/support/browser.ts, bench/support/chromium-scene.ts): whose Chromium is whose. */
const PAGE_PROFILE_MARK = 'ce-chromium-';
const SCENE_PROFILE_MARK = 'rs-bench-chromium-';

type TechnicianKind = 'page' | 'stand-in';
const TECHNICIAN_NAMES: Readonly<Record<TechnicianKind, string>> = {
  page: 'technician page (headless Chromium)',
  'stand-in': 'stand-in technician (acks on arrival)',
};

interface Run {
  readonly technician: TechnicianKind;
  /** The agent's capture source and encoder, as it named them. */
  readonly adapters: string;
  /** Updates drawn (page) or received and acked (stand-in) per second. */
  readonly fps: number;
  /** Capture (agent `Date.now()`, frame header) → drawn (page `Date.now()` at the ack) or arrival (stand-in), ms. */
  readonly captureToDrawMs: readonly number[];
  /** Technician's send of a pointer-move → the agent's input sink resolved (XTest done), ms. */
  readonly sendToInjectMs: readonly number[];
  /** Page only: the pointer event fired in the page → injected, ms. */
  readonly pointerToInjectMs: readonly number[];
  /** Page only: the bench called `page.mouse.move` (CDP Input.dispatchMouseEvent) → injected, ms. */
  readonly cdpToInjectMs: readonly number[];
  readonly movesSent: number;
  readonly pointerEvents: number;
  /** Agent CPU over wall time during the window, % of one core. */
  readonly agentCpuPercent: number;
  /** The technician Chromium (all its processes) over the window, % of one core. */
  readonly pageCpuPercent: number;
  /** The customer's Chromium drawing the scene, % of one core. */
  readonly sceneCpuPercent: number;
  /** Whole machine (all cores, everyone's work) busy over the window, %. */
  readonly machineBusyPercent: number;
  readonly quality: number;
  readonly loadAverage: number;
  /** Agent event-loop delay while the moves arrived, ms. */
  readonly loopP50Ms: number;
  readonly loopP95Ms: number;
  /** Clock alignment notes: offsets to the bench clock and how well they are known. */
  readonly agentOffsetMs: number;
  readonly agentRttMs: number;
  readonly pageOffsetMs?: number;
  readonly pageDateOffsetMs?: number;
  readonly pageRttMs?: number;
  /** The page's status bar at the end of the window. */
  readonly statusBar?: { fps: string; latency: string };
}

/** Drives one technician: frames in, moves out. */
interface TechnicianDriver {
  readonly kind: TechnicianKind;
  drawCount(): Promise<number>;
  /** Capture → draw (or arrival) of every update since `from`. */
  latenciesSince(from: number): Promise<number[]>;
  /** Sends the POINTER_MOVES at 60/s; returns per-move send (and pointer) times in bench clock. */
  sendMoves(): Promise<{ moves: { key: string; sentAtMs: number; pointerAtMs: number; calledAtMs: number }[]; pointerEvents: number }>;
  statusBar?(): Promise<{ fps: string; latency: string }>;
  clock?: { wallMs: number; dateMs: number; rttMs: number };
  close(): Promise<void>;
}

function standInDriver(sim: TechnicianSim): TechnicianDriver {
  return {
    kind: 'stand-in',
    drawCount: async () => sim.counters.latenciesMs.length,
    latenciesSince: async (from) => sim.counters.latenciesMs.slice(from),
    async sendMoves() {
      const moves: { key: string; sentAtMs: number; pointerAtMs: number; calledAtMs: number }[] = [];
      const { count, y } = POINTER_MOVES;
      await pacedMoves((i) => {
        const x = Math.round(INPUT_X.from + (i * (INPUT_X.to - INPUT_X.from)) / count);
        const sentAtMs = wallClockMs();
        sim.sendInput({ kind: 'pointer-move', x, y });
        moves.push({ key: `${x},${y}`, sentAtMs, pointerAtMs: Number.NaN, calledAtMs: Number.NaN });
      });
      return { moves, pointerEvents: 0 };
    },
    close: async () => { sim.close(); },
  };
}

async function pageDriver(page: Page): Promise<TechnicianDriver> {
  // The canvas is shown at fit scale: find where the row's ends are on the page.
  const start = await pagePointOf(page, INPUT_X.from, POINTER_MOVES.y);
  const end = await pagePointOf(page, INPUT_X.to, POINTER_MOVES.y);
  const clock = await pageClockOffset(page, wallClockMs);
  return {
    kind: 'page',
    clock,
    drawCount: () => pageDrawCount(page),
    async latenciesSince(from) {
      return (await pageDrawsSince(page, from)).map((d) => d.drawnAtMs - d.captureTimeMs);
    },
    async sendMoves() {
      await takePageMoves(page); // forget the moves of getting there
      const calledAt: number[] = [];
      await pacedMoves(async (i) => {
        calledAt.push(wallClockMs());
        // Whole page pixels apart (≈ 13 at fit scale), so each move maps to its own remote x.
        await page.mouse.move(start.x + ((end.x - start.x) * i) / POINTER_MOVES.count, start.y);
      });
      await sleep(100); // the last rAF flush
      const { moves, pointerEvents } = await takePageMoves(page);
      return {
        // One pointermove per mouse.move call (checked: pointerEvents == calls), so the
        // oldest pointer event of a message tells which call it came from.
        moves: moves.map((m) => ({
          key: `${m.x},${m.y}`, sentAtMs: m.sentAtMs - clock.wallMs, pointerAtMs: m.pointerAtMs - clock.wallMs,
          calledAtMs: pointerEvents === POINTER_MOVES.count ? calledAt[m.pointerIndex] ?? Number.NaN : Number.NaN,
        })),
        pointerEvents,
      };
    },
    statusBar: () => pageStatusBar(page),
    close: () => page.close(),
  };
}

/** One run: a fresh relay and agent, one technician of `kind`, the window, then the moves. */
async function measure(kind: TechnicianKind, env: NodeJS.ProcessEnv, browser: TestBrowser): Promise<Run> {
  const relay = await createRelay({ options: { port: 0, host: '127.0.0.1' }, logger: pino({ level: 'warn' }) });
  let agent: AgentChild | undefined;
  let driver: TechnicianDriver | undefined;
  let pageOf: Page | undefined;
  try {
    agent = await startAgent(relay.wsUrl, env);
    const { race } = agent;
    const { code } = await agent.next('code', 30_000);
    if (kind === 'stand-in') {
      const sim = await race(joinAsTechnician(relay.wsUrl, code));
      driver = standInDriver(sim);
    } else {
      const page = await browser.newPage();
      pageOf = page;
      driver = { kind, drawCount: async () => 0, latenciesSince: async () => [], sendMoves: async () => ({ moves: [], pointerEvents: 0 }), close: () => page.close() };
      await installTechnicianPageHook(page);
      await race(openPanel(page, relay.url));
      await race(submitCode(page, code, 'Bench (CompuEasys)'));
      await race(waitForState(page, 'connected', 20_000));
    }
    await agent.next('streaming', 10_000);
    await sleep(STREAM_RUN.warmupMs);
    // After the first frames: the canvas has the remote size, so page points map to remote pixels.
    if (kind === 'page') driver = await race(pageDriver(pageOf!));
    const before = await agent.stats();
    const from = await driver.drawCount();
    const startAt = performance.now();
    const cpu0 = { page: descendantsCpuMs(process.pid, PAGE_PROFILE_MARK), scene: descendantsCpuMs(process.pid, SCENE_PROFILE_MARK), machine: machineCpu() };
    await sleep(STREAM_RUN.windowMs);
    const drawn = await driver.drawCount();
    const seconds = (performance.now() - startAt) / 1000;
    const cpu1 = { page: descendantsCpuMs(process.pid, PAGE_PROFILE_MARK), scene: descendantsCpuMs(process.pid, SCENE_PROFILE_MARK), machine: machineCpu() };
    const after = await agent.stats();
    const captureToDrawMs = await driver.latenciesSince(from);
    const statusBar = driver.statusBar ? await driver.statusBar() : undefined;
    const loadAverage = loadavg()[0] ?? 0;

    // Input while the region keeps streaming.
    const agentClock = await agent.clockOffset();
    await agent.takeMoves(); // forget anything older
    await agent.loopDelay(); // event-loop histogram from now
    const sent = await race(driver.sendMoves());
    const injected = await collectInjected(agent, sent.moves.length);
    const loop = await agent.loopDelay();
    const sendToInjectMs: number[] = [];
    const pointerToInjectMs: number[] = [];
    const cdpToInjectMs: number[] = [];
    for (const m of sent.moves) {
      const done = injected.get(m.key);
      if (done === undefined) continue;
      const doneMs = done.doneMs - agentClock.offsetMs;
      sendToInjectMs.push(doneMs - m.sentAtMs);
      if (Number.isFinite(m.pointerAtMs)) pointerToInjectMs.push(doneMs - m.pointerAtMs);
      if (Number.isFinite(m.calledAtMs)) cdpToInjectMs.push(doneMs - m.calledAtMs);
    }
    return {
      technician: kind,
      adapters: agent.adapters,
      fps: (drawn - from) / seconds,
      captureToDrawMs,
      sendToInjectMs,
      pointerToInjectMs,
      cdpToInjectMs,
      movesSent: sent.moves.length,
      pointerEvents: sent.pointerEvents,
      agentCpuPercent: (after.cpuMs - before.cpuMs) / (seconds * 10),
      pageCpuPercent: (cpu1.page - cpu0.page) / (seconds * 10),
      sceneCpuPercent: (cpu1.scene - cpu0.scene) / (seconds * 10),
      machineBusyPercent: (100 * (cpu1.machine.busy - cpu0.machine.busy)) / Math.max(1, cpu1.machine.total - cpu0.machine.total),
      quality: after.quality,
      loadAverage,
      loopP50Ms: loop.p50Ms,
      loopP95Ms: loop.p95Ms,
      agentOffsetMs: agentClock.offsetMs,
      agentRttMs: agentClock.rttMs,
      ...(driver.clock ? { pageOffsetMs: driver.clock.wallMs, pageDateOffsetMs: driver.clock.dateMs, pageRttMs: driver.clock.rttMs } : {}),
      ...(statusBar ? { statusBar } : {}),
    };
  } finally {
    // The agent first: a technician leaving would end its session and look like a failure.
    await agent?.stop();
    await driver?.close().catch(() => undefined);
    await relay.close();
  }
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function runSummary(r: Run): string {
  return `${fmt(r.fps)} fps, capture→draw p50 ${fmt(percentile(r.captureToDrawMs, 50))} / p95 ${fmt(percentile(r.captureToDrawMs, 95))} ms, `
    + `send→inject p50 ${fmt(percentile(r.sendToInjectMs, 50))} / p95 ${fmt(percentile(r.sendToInjectMs, 95))} ms`
    + (r.technician === 'page' ? `, pointer→inject p50 ${fmt(percentile(r.pointerToInjectMs, 50))} / p95 ${fmt(percentile(r.pointerToInjectMs, 95))} ms`
      + `, page.mouse.move→inject p50 ${fmt(percentile(r.cdpToInjectMs, 50))} / p95 ${fmt(percentile(r.cdpToInjectMs, 95))} ms` : '')
    + `, ${r.sendToInjectMs.length}/${r.movesSent} moves injected, q${r.quality}, agent CPU ${Math.round(r.agentCpuPercent)}%, `
    + `technician Chromium ${Math.round(r.pageCpuPercent)}%, scene Chromium ${Math.round(r.sceneCpuPercent)}%, machine ${Math.round(r.machineBusyPercent)}% busy, `
    + `agent loop delay p50 ${fmt(r.loopP50Ms)} / p95 ${fmt(r.loopP95Ms)} ms, load ${r.loadAverage.toFixed(1)}`
    + (r.statusBar ? `, status bar "${r.statusBar.fps} fps, ${r.statusBar.latency}"` : '');
}

const loads = (runs: readonly Run[]): string => {
  const l = runs.map((r) => r.loadAverage);
  return `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}`;
};
const range = (v: readonly number[]): string => `${Math.round(Math.min(...v))}–${Math.round(Math.max(...v))}`;
const cpus = (runs: readonly Run[]): string => {
  const c = runs.map((r) => Math.round(r.agentCpuPercent));
  return `${Math.min(...c)}–${Math.max(...c)} %`;
};

function rows(page: readonly Run[], standIn: readonly Run[]): BenchRow[] {
  const p = medianRun(page, (r) => r.fps);
  const s = medianRun(standIn, (r) => r.fps);
  const pooled = (runs: readonly Run[], pick: (r: Run) => readonly number[]): number[] => runs.flatMap((r) => [...pick(r)]);
  const pC2d = pooled(page, (r) => r.captureToDrawMs);
  const sC2d = pooled(standIn, (r) => r.captureToDrawMs);
  const pSend = pooled(page, (r) => r.sendToInjectMs);
  const sSend = pooled(standIn, (r) => r.sendToInjectMs);
  const pPointer = pooled(page, (r) => r.pointerToInjectMs);
  const pCdp = pooled(page, (r) => r.cdpToInjectMs);
  const sentPage = page.reduce((n, r) => n + r.movesSent, 0);
  const sentStandIn = standIn.reduce((n, r) => n + r.movesSent, 0);
  const pointerEvents = page.reduce((n, r) => n + r.pointerEvents, 0);
  const maxAbs = (v: number[]): number => Math.max(0, ...v.map(Math.abs));
  const clocks = `clocks: every time is the machine's clock (agent and page Date.now() for capture→draw; performance.timeOrigin+now `
    + `for input) referred to the bench process: agent offset ≤ ${fmt(maxAbs([...page, ...standIn].map((r) => r.agentOffsetMs)), 2)} ms `
    + `(± ${fmt(Math.max(...[...page, ...standIn].map((r) => r.agentRttMs)) / 2, 2)}, IPC), page offset ≤ ${fmt(maxAbs(page.map((r) => r.pageOffsetMs ?? 0)), 2)} ms `
    + `(± ${fmt(Math.max(...page.map((r) => r.pageRttMs ?? 0)) / 2, 2)}, CDP evaluate)`;
  const runsNote = (runs: readonly Run[]): string => `${runs.length} runs, load ${loads(runs)}, agent CPU ${cpus(runs)}, machine busy ${range(runs.map((r) => r.machineBusyPercent))} %`;
  return [
    {
      case: `${REGION.width}x${REGION.height} region changing every frame: updates drawn in the page`, value: p.fps, unit: 'fps',
      baseline: { name: 'stand-in technician, acks on arrival', value: s.fps },
      target: { text: '≥ 30', met: p.fps >= 30 },
      note: `median run of ${runsNote(page)} (stand-in: ${runsNote(standIn)}); median page run: q${p.quality}, agent CPU ${Math.round(p.agentCpuPercent)}%, technician Chromium ${Math.round(p.pageCpuPercent)}% `
        + `(stand-in run: technician ${Math.round(s.pageCpuPercent)}% idle browser), scene Chromium ${Math.round(p.sceneCpuPercent)}%, machine ${Math.round(p.machineBusyPercent)}% busy, `
        + `load ${p.loadAverage.toFixed(1)}; page's status bar then showed "${p.statusBar?.fps ?? '?'} fps, ${p.statusBar?.latency ?? '?'}"; `
        + `per-run page fps ${page.map((r) => fmt(r.fps)).join(', ')} (stand-in ${standIn.map((r) => fmt(r.fps)).join(', ')})`,
    },
    {
      case: 'capture → drawn in the page, p50', value: percentile(pC2d, 50), unit: 'ms',
      baseline: { name: 'stand-in: capture → arrival', value: percentile(sC2d, 50) },
      target: { text: '< 80', met: percentile(pC2d, 50) < 80 },
      note: `${pC2d.length} updates pooled over ${page.length} runs (stand-in ${sC2d.length}); header captureTimeMs (agent Date.now() at the grab) → `
        + `page Date.now() when the FRAME_ACK left, right after the update's LAST rectangle was drawn; per-run p50 ${page.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')}; load ${loads(page)}`,
    },
    {
      case: 'capture → drawn in the page, p95', value: percentile(pC2d, 95), unit: 'ms',
      baseline: { name: 'stand-in: capture → arrival', value: percentile(sC2d, 95) },
      note: `max ${fmt(Math.max(...pC2d))} ms (stand-in ${fmt(Math.max(...sC2d))} ms)`,
    },
    {
      case: 'input: pointer event in the page → injected on the client (XTest done), p50', value: percentile(pPointer, 50), unit: 'ms',
      baseline: { name: 'stand-in: ws send → injected', value: percentile(sSend, 50) },
      target: { text: '< 10', met: percentile(pPointer, 50) < 10 },
      note: `${pPointer.length}/${sentPage} page moves injected (${pointerEvents} pointer events from ${page.length * POINTER_MOVES.count} page.mouse.move calls at 60/s; `
        + `stand-in ${sSend.length}/${sentStandIn}); from the page's first pointermove listener (rAF coalescing included) to the agent's sink; `
        + `agent event-loop delay meanwhile p50 ${fmt(median(page.map((r) => r.loopP50Ms)))} / p95 ${fmt(median(page.map((r) => r.loopP95Ms)))} ms (median of runs); load ${loads(page)}; ${clocks}`,
    },
    {
      case: 'input: pointer event in the page → injected, p95', value: percentile(pPointer, 95), unit: 'ms',
      baseline: { name: 'stand-in: ws send → injected', value: percentile(sSend, 95) },
      note: `max ${fmt(Math.max(...pPointer))} ms (stand-in ${fmt(Math.max(...sSend))} ms)`,
    },
    {
      case: 'input: page ws send → injected, p50', value: percentile(pSend, 50), unit: 'ms',
      baseline: { name: 'stand-in: ws send → injected', value: percentile(sSend, 50) },
      note: `p95 ${fmt(percentile(pSend, 95))} ms (stand-in ${fmt(percentile(sSend, 95))} ms): the same path as the stand-in's, from the page's socket`,
    },
    {
      case: 'input: bench calls page.mouse.move (CDP) → injected, p50', value: percentile(pCdp, 50), unit: 'ms',
      baseline: { name: 'stand-in: ws send → injected', value: percentile(sSend, 50) },
      note: `${pCdp.length} moves; p95 ${fmt(percentile(pCdp, 95))} ms; adds the DevTools-protocol hop and Chromium's alignment of mouse moves to animation frames, `
        + `which the pointer-event figure cannot see (Chromium dispatches pointermove right before requestAnimationFrame, so the page's own coalescing wait is ≈ 0)`,
    },
  ];
}

const bench: Benchmark = {
  name: 'e2e',
  description: 'whole loop on Xvfb 1920x1080 (400x300 region changing every frame): real agent → real relay → the REAL technician page in headless Chromium (decode + draw + ack, pointer input); baseline: the stand-in technician acking on arrival',
  async run(log, args) {
    const repeats = Math.max(1, Math.min(10, Number(benchArg(args, 'repeats') ?? DEFAULT_REPEATS) || DEFAULT_REPEATS));
    assertTechnicianBuilt();
    assertCaptureWorkerBuilt();
    let timer: NodeJS.Timeout | undefined;
    const overall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`e2e gave up after ${OVERALL_TIMEOUT_MS / 1000} s`)), OVERALL_TIMEOUT_MS);
    });
    overall.catch(() => undefined);
    const xvfb = await startXvfb({ width: STREAM_RUN.width, height: STREAM_RUN.height, depth: 24 });
    let browser: TestBrowser | undefined;
    let scene: { stop(): Promise<void> } | undefined;
    try {
      log(`Xvfb on ${xvfb.display}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; showing the region scene`);
      scene = await showScene('region', xvfb.env(), STREAM_RUN.width, STREAM_RUN.height);
      browser = await launchTestBrowser({ locale: 'es-ES', viewport: VIEWPORT });
      await sleep(STREAM_RUN.sceneSettleMs);
      const results: Record<TechnicianKind, Run[]> = { page: [], 'stand-in': [] };
      for (let run = 0; run < repeats; run++) {
        for (const kind of ['stand-in', 'page'] as const) {
          log(`${TECHNICIAN_NAMES[kind]}, run ${run + 1}/${repeats}`);
          const r = await Promise.race([measure(kind, xvfb.env(), browser), overall]);
          log(`  ${runSummary(r)}; ${r.adapters}`);
          results[kind].push(r);
        }
      }
      // Every row says what it measured: the agent's adapters, as the agent named them.
      const what = agentNote([...results.page, ...results['stand-in']].map((r) => r.adapters));
      return withNote(rows(results.page, results['stand-in']), what);
    } finally {
      clearTimeout(timer);
      await browser?.close();
      await scene?.stop();
      await xvfb.stop();
    }
  },
};

export default bench;
