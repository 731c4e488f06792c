import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { createRelay } from '../relay/server';
import { launchTestBrowser, type TestBrowser } from '../test/support/browser';
import { startXvfb } from '../test/support/xvfb';
import { assertTechnicianBuilt, openPanel, pagePointOf, submitCode, waitForState } from '../test/browser/panel-driver';
import { routingPart } from '../common/access-code';
import { benchArg, median, medianRun, percentile, SEALED_TARGETS, withNote, type Benchmark, type BenchRow } from './support/benchmark';
import {
  agentNote, assertCaptureWorkerBuilt, collectInjected, pacedMoves, POINTER_MOVES, sleep, startAgent, STREAM_RUN, type AgentChild,
} from './support/agent-child';
import { REGION, showScene } from './support/chromium-scene';
import { buildPageAt, LAST_PROTOCOL_1_PAGE, type BuiltPage } from './support/page-at';
import { descendantsCpuMs, machineCpu } from './support/proc-cpu';
import { wallClockMs } from './support/instrument-agent-deps';
import { joinAsTechnician, type TechnicianSim } from './support/technician-sim';
import {
  installTechnicianPageHook, pageClockOffset, pageDrawCount, pageDrawsSince, pageStatusBar, takePageCrypto, takePageMoves, type PageCryptoCall,
} from './support/technician-page';

/** Runs per technician, interleaved (each round in a rotated order); `repeats=N` overrides. */
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

/**
 * The technicians of a run. The page is the real technician page, which seals (protocol 2:
 * the whole code typed, keys agreed, frames opened and acks and input sealed with WebCrypto).
 * With an agent of protocol 2 today's page cannot run in clear (PROTOCOL.md §12.7), so its
 * baseline in clear is the page of protocol 1 (bench/support/page-at.ts: built from the last
 * commit before the page said version 2), typed the six routing digits as an older
 * technician app is. The stand-in runs both ways too: sealed as the page does it, and in clear
 * as a technician of protocol 1.
 */
type TechnicianKind = 'page' | 'page-clear' | 'stand-in' | 'stand-in-clear';
const TECHNICIAN_NAMES: Readonly<Record<TechnicianKind, string>> = {
  page: 'technician page (headless Chromium, sealed)',
  'page-clear': 'technician page of protocol 1 (headless Chromium, in clear)',
  'stand-in': 'stand-in technician, sealed (acks on arrival)',
  'stand-in-clear': 'stand-in technician in clear, protocol 1 (acks on arrival)',
};
const isPage = (kind: TechnicianKind): boolean => kind === 'page' || kind === 'page-clear';
const isSealed = (kind: TechnicianKind): boolean => kind === 'page' || kind === 'stand-in';
/** `npm run bench -- e2e stand-in`: the two stand-in lanes only (no technician browser). */
const STAND_IN_WORD = 'stand-in';

interface Run {
  readonly technician: TechnicianKind;
  /** The agent said the session is end-to-end encrypted. */
  readonly sealed: boolean;
  /** Stand-in only: capture → the LAST rectangle off its socket, and arrival → ack (opening, when sealed), per update of the window, ms. */
  readonly arrivalMs: readonly number[];
  readonly openMs: readonly number[];
  /** Stand-in only: sendInput → the message handed to its socket (sealing, when sealed), per move, ms. */
  readonly technicianSendMs: readonly number[];
  /** The agent's sealing of frames in the window (call → sealed, every rectangle), ms per update. */
  readonly agentSealMsPerUpdate: number;
  /** Sealed: the agent's opening while the moves arrived, mean call → opened, ms: input (text) and acks (binary); NaN in clear. */
  readonly agentOpenInputMs: number;
  readonly agentOpenAckMs: number;
  /** Page only: its WebCrypto calls during the frame-rate window. */
  readonly pageCrypto: readonly PageCryptoCall[];
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
  /** The stand-in itself, for its own counters. */
  sim?: TechnicianSim;
  close(): Promise<void>;
}

function standInDriver(sim: TechnicianSim, kind: 'stand-in' | 'stand-in-clear'): TechnicianDriver {
  return {
    kind,
    sim,
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

async function pageDriver(page: Page, kind: 'page' | 'page-clear'): Promise<TechnicianDriver> {
  // The canvas is shown at fit scale: find where the row's ends are on the page.
  const start = await pagePointOf(page, INPUT_X.from, POINTER_MOVES.y);
  const end = await pagePointOf(page, INPUT_X.to, POINTER_MOVES.y);
  const clock = await pageClockOffset(page, wallClockMs);
  return {
    kind,
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

/** Where the relay serves each page from: `page` (undefined: this tree's dist/technician) and the page in clear. */
interface PageDirs {
  readonly page: string | undefined;
  readonly clear: string | undefined;
}

/** One run: a fresh relay and agent, one technician of `kind`, the window, then the moves. */
async function measure(kind: TechnicianKind, env: NodeJS.ProcessEnv, browser: TestBrowser | undefined, pages: PageDirs): Promise<Run> {
  const pageDir = kind === 'page-clear' ? pages.clear : pages.page;
  const relay = await createRelay({
    options: { port: 0, host: '127.0.0.1', ...(pageDir !== undefined ? { staticDir: pageDir } : {}) }, logger: pino({ level: 'warn' }),
  });
  let agent: AgentChild | undefined;
  let driver: TechnicianDriver | undefined;
  let pageOf: Page | undefined;
  try {
    agent = await startAgent(relay.wsUrl, env);
    const { race } = agent;
    // Every digit the customer reads (6 routing + 3 secret); the stand-in in clear joins with the six.
    const { code } = await agent.next('code', 30_000);
    if (kind === 'stand-in' || kind === 'stand-in-clear') {
      const sim = await race(joinAsTechnician(relay.wsUrl, code, { sealed: kind === 'stand-in' }));
      driver = standInDriver(sim, kind);
    } else {
      if (browser === undefined) throw new Error('the page lane needs the technician browser');
      const page = await browser.newPage();
      pageOf = page;
      driver = { kind, drawCount: async () => 0, latenciesSince: async () => [], sendMoves: async () => ({ moves: [], pointerEvents: 0 }), close: () => page.close() };
      await installTechnicianPageHook(page);
      await race(openPanel(page, relay.url));
      // The whole code, as the technician types what the customer reads; the six routing
      // digits into the page of protocol 1, which takes no more.
      const typed = kind === 'page' ? code : routingPart(code);
      await race(submitCode(page, typed, 'Bench (CompuEasys)'));
      await race(waitForState(page, 'connected', 20_000)).catch((error: unknown) => {
        throw new Error(`the ${TECHNICIAN_NAMES[kind]} (${pageDir ?? 'dist/technician'}) did not connect with the ${typed.length}-digit code`
          + `${kind === 'page' ? ': with an agent of protocol 2 it must seal end to end (issue 11)' : ''}; \`npm run bench -- e2e ${STAND_IN_WORD}\` runs the stand-in lanes alone (${String((error as Error)?.message ?? error)})`);
      });
    }
    const { encrypted } = await agent.next('streaming', 10_000);
    if (encrypted !== isSealed(kind)) throw new Error(`${TECHNICIAN_NAMES[kind]}: the agent says the session is ${encrypted ? '' : 'not '}end-to-end encrypted`);
    await sleep(STREAM_RUN.warmupMs);
    // After the first frames: the canvas has the remote size, so page points map to remote pixels.
    if (isPage(kind)) driver = await race(pageDriver(pageOf!, kind as 'page' | 'page-clear'));
    const before = await agent.stats();
    const from = await driver.drawCount();
    if (pageOf !== undefined) await takePageCrypto(pageOf); // forget the warm-up's
    const startAt = performance.now();
    const cpu0 = { page: descendantsCpuMs(process.pid, PAGE_PROFILE_MARK), scene: descendantsCpuMs(process.pid, SCENE_PROFILE_MARK), machine: machineCpu() };
    await sleep(STREAM_RUN.windowMs);
    const drawn = await driver.drawCount();
    const seconds = (performance.now() - startAt) / 1000;
    const cpu1 = { page: descendantsCpuMs(process.pid, PAGE_PROFILE_MARK), scene: descendantsCpuMs(process.pid, SCENE_PROFILE_MARK), machine: machineCpu() };
    const after = await agent.stats();
    const captureToDrawMs = await driver.latenciesSince(from);
    const pageCrypto = pageOf !== undefined ? await takePageCrypto(pageOf) : [];
    const arrivalMs = driver.sim?.counters.arrivalMs.slice(from) ?? [];
    const openMs = driver.sim?.counters.openMs.slice(from) ?? [];
    const sendsBefore = driver.sim?.counters.inputSendMs.length ?? 0;
    const statusBar = driver.statusBar ? await driver.statusBar() : undefined;
    const loadAverage = loadavg()[0] ?? 0;

    // Input while the region keeps streaming.
    const agentClock = await agent.clockOffset();
    await agent.takeMoves(); // forget anything older
    await agent.loopDelay(); // event-loop histogram from now
    const openBefore = (await agent.stats()).open;
    const sent = await race(driver.sendMoves());
    const injected = await collectInjected(agent, sent.moves.length);
    const technicianSendMs = driver.sim?.counters.inputSendMs.slice(sendsBefore) ?? [];
    const openAfter = (await agent.stats()).open;
    const meanOpen = (k: 'text' | 'binary'): number => (openAfter[k].ms - openBefore[k].ms) / (openAfter[k].calls - openBefore[k].calls);
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
      sealed: encrypted,
      pageCrypto,
      arrivalMs,
      openMs,
      technicianSendMs,
      agentOpenInputMs: meanOpen('text'),
      agentOpenAckMs: meanOpen('binary'),
      agentSealMsPerUpdate: after.seal.calls > before.seal.calls ? (after.seal.ms - before.seal.ms) / Math.max(1, drawn - from) : 0,
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
    + (isPage(r.technician) ? `, pointer→inject p50 ${fmt(percentile(r.pointerToInjectMs, 50))} / p95 ${fmt(percentile(r.pointerToInjectMs, 95))} ms`
      + `, page.mouse.move→inject p50 ${fmt(percentile(r.cdpToInjectMs, 50))} / p95 ${fmt(percentile(r.cdpToInjectMs, 95))} ms` : '')
    + `, ${r.sendToInjectMs.length}/${r.movesSent} moves injected, q${r.quality}, agent CPU ${Math.round(r.agentCpuPercent)}%, `
    + `technician Chromium ${Math.round(r.pageCpuPercent)}%, scene Chromium ${Math.round(r.sceneCpuPercent)}%, machine ${Math.round(r.machineBusyPercent)}% busy, `
    + `agent loop delay p50 ${fmt(r.loopP50Ms)} / p95 ${fmt(r.loopP95Ms)} ms, load ${r.loadAverage.toFixed(1)}`
    + (r.statusBar ? `, status bar "${r.statusBar.fps} fps, ${r.statusBar.latency}"` : '')
    + (r.pageCrypto.length > 0 ? `, page WebCrypto: ${r.pageCrypto.filter((c) => c.op === 'open').length} frames opened, mean ${fmt(r.pageCrypto.filter((c) => c.op === 'open').reduce((n, c) => n + c.ms, 0) / Math.max(1, r.pageCrypto.filter((c) => c.op === 'open').length), 3)} ms` : '');
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

const signed = (v: number, digits = 2): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;

/**
 * Sealed against clear, both with the stand-in technician (the page cannot run in clear with
 * an agent of protocol 2): issue 11's targets, on the e2e scene (the 400x300 region).
 */
function sealedRows(sealed: readonly Run[], clear: readonly Run[]): BenchRow[] {
  const name = 'stand-in in clear (protocol 1)';
  const s = medianRun(sealed, (r) => r.fps);
  const c = medianRun(clear, (r) => r.fps);
  const pooled = (runs: readonly Run[], pick: (r: Run) => readonly number[]): number[] => runs.flatMap((r) => [...pick(r)]);
  const sC2a = pooled(sealed, (r) => r.captureToDrawMs);
  const cC2a = pooled(clear, (r) => r.captureToDrawMs);
  const sSend = pooled(sealed, (r) => r.sendToInjectMs);
  const cSend = pooled(clear, (r) => r.sendToInjectMs);
  const ratio = c.fps > 0 ? s.fps / c.fps : Number.NaN;
  const c2aAdded = percentile(sC2a, 50) - percentile(cC2a, 50);
  const inputAdded = percentile(sSend, 50) - percentile(cSend, 50);
  // Round i of each lane ran back to back: their ratio is the least disturbed by a neighbour's burst.
  const paired = sealed.map((r, k) => r.fps / Math.max(1e-9, clear[k]?.fps ?? Number.NaN)).filter(Number.isFinite);
  const runsNote = (runs: readonly Run[]): string => `${runs.length} runs, load ${loads(runs)}, agent CPU ${cpus(runs)}, machine busy ${range(runs.map((r) => r.machineBusyPercent))} %`;
  return [
    {
      case: `sealed vs in clear (stand-in): ${REGION.width}x${REGION.height} region, updates acked`, value: s.fps, unit: 'fps',
      baseline: { name, value: c.fps },
      target: { text: `≥ ${SEALED_TARGETS.fpsRatio.toFixed(2)}× in clear`, met: ratio >= SEALED_TARGETS.fpsRatio },
      note: `median run of ${runsNote(sealed)} (in clear: ${runsNote(clear)}); per-run fps ${sealed.map((r) => fmt(r.fps)).join(', ')} (in clear ${clear.map((r) => fmt(r.fps)).join(', ')}); `
        + `same-round pairs ${paired.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${fmt(median(paired), 2)}×); median sealed run: q${s.quality}, agent CPU ${Math.round(s.agentCpuPercent)}% (in clear ${Math.round(c.agentCpuPercent)}%)`,
    },
    {
      case: 'sealed vs in clear (stand-in): capture → arrival (ack), p50', value: percentile(sC2a, 50), unit: 'ms',
      baseline: { name, value: percentile(cC2a, 50) },
      target: { text: `≤ +${SEALED_TARGETS.captureToAckAddedMs} ms`, met: c2aAdded <= SEALED_TARGETS.captureToAckAddedMs },
      note: `added ${signed(c2aAdded)} ms; p95 ${fmt(percentile(sC2a, 95))} ms (in clear ${fmt(percentile(cC2a, 95))}); ${sC2a.length} updates pooled over ${sealed.length} runs (in clear ${cC2a.length}); `
        + `per-run p50 ${sealed.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')} (in clear ${clear.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')}); `
        + `of which capture → arrival at the stand-in (before opening: the agent and the relay) p50 ${fmt(percentile(pooled(sealed, (r) => r.arrivalMs), 50), 2)} ms (in clear ${fmt(percentile(pooled(clear, (r) => r.arrivalMs), 50), 2)}), `
        + `the agent's sealing ${sealed.map((r) => fmt(r.agentSealMsPerUpdate, 2)).join(', ')} ms per update (per run, call → sealed); `
        + `arrival → ack (opening, Node's WebCrypto) p50 ${fmt(percentile(pooled(sealed, (r) => r.openMs), 50), 2)} / p95 ${fmt(percentile(pooled(sealed, (r) => r.openMs), 95), 2)} ms; `
        + "agent Date.now() at the grab → the stand-in's sub-ms wall clock as the LAST rectangle was received (and opened, sealed): 0.5 ms above the true latency on average, alike in both lanes",
    },
    {
      case: 'sealed vs in clear (stand-in): input ws send → injected, p50', value: percentile(sSend, 50), unit: 'ms',
      baseline: { name, value: percentile(cSend, 50) },
      target: { text: `≤ +${SEALED_TARGETS.inputAddedMs} ms`, met: inputAdded <= SEALED_TARGETS.inputAddedMs },
      note: `added ${signed(inputAdded)} ms; p95 ${fmt(percentile(sSend, 95))} ms (in clear ${fmt(percentile(cSend, 95))}); ${sSend.length}/${sealed.reduce((n, r) => n + r.movesSent, 0)} moves injected `
        + `(in clear ${cSend.length}/${clear.reduce((n, r) => n + r.movesSent, 0)}); from the stand-in's sendInput (sealing included) to the agent's sink (XTest done); `
        + `of which sendInput → socket (sealing) p50 ${fmt(percentile(pooled(sealed, (r) => r.technicianSendMs), 50), 3)} / p95 ${fmt(percentile(pooled(sealed, (r) => r.technicianSendMs), 95), 2)} ms `
        + `(in clear ${fmt(percentile(pooled(clear, (r) => r.technicianSendMs), 50), 3)}); `
        + `the agent's opening, mean per run: input ${sealed.map((r) => fmt(r.agentOpenInputMs, 3)).join(', ')} ms, acks ${sealed.map((r) => fmt(r.agentOpenAckMs, 3)).join(', ')} ms (call → opened); `
        + `agent event-loop delay meanwhile p50 ${fmt(median(sealed.map((r) => r.loopP50Ms)))} / p95 ${fmt(median(sealed.map((r) => r.loopP95Ms)))} ms (in clear ${fmt(median(clear.map((r) => r.loopP50Ms)))} / ${fmt(median(clear.map((r) => r.loopP95Ms)))})`,
    },
  ];
}

/**
 * Today's page (sealed) against the page of protocol 1 (in clear), the same agent, relay and
 * scene: issue 11's targets on the real page, capture → drawn and pointer event → injected.
 */
function pageSealedRows(sealed: readonly Run[], clear: readonly Run[], clearCommit: string): BenchRow[] {
  const name = `page of protocol 1 in clear (${clearCommit})`;
  const s = medianRun(sealed, (r) => r.fps);
  const c = medianRun(clear, (r) => r.fps);
  const pooled = (runs: readonly Run[], pick: (r: Run) => readonly number[]): number[] => runs.flatMap((r) => [...pick(r)]);
  const sC2d = pooled(sealed, (r) => r.captureToDrawMs);
  const cC2d = pooled(clear, (r) => r.captureToDrawMs);
  const sPtr = pooled(sealed, (r) => r.pointerToInjectMs);
  const cPtr = pooled(clear, (r) => r.pointerToInjectMs);
  const sSend = pooled(sealed, (r) => r.sendToInjectMs);
  const cSend = pooled(clear, (r) => r.sendToInjectMs);
  const ratio = c.fps > 0 ? s.fps / c.fps : Number.NaN;
  const c2dAdded = percentile(sC2d, 50) - percentile(cC2d, 50);
  const inputAdded = percentile(sPtr, 50) - percentile(cPtr, 50);
  const paired = sealed.map((r, k) => r.fps / Math.max(1e-9, clear[k]?.fps ?? Number.NaN)).filter(Number.isFinite);
  const runsNote = (runs: readonly Run[]): string => `${runs.length} runs, load ${loads(runs)}, agent CPU ${cpus(runs)}, technician Chromium ${range(runs.map((r) => r.pageCpuPercent))} %, machine busy ${range(runs.map((r) => r.machineBusyPercent))} %`;
  return [
    {
      case: `sealed vs in clear (page): ${REGION.width}x${REGION.height} region, updates drawn`, value: s.fps, unit: 'fps',
      baseline: { name, value: c.fps },
      target: { text: `≥ ${SEALED_TARGETS.fpsRatio.toFixed(2)}× in clear`, met: ratio >= SEALED_TARGETS.fpsRatio },
      note: `median run of ${runsNote(sealed)} (in clear: ${runsNote(clear)}); per-run fps ${sealed.map((r) => fmt(r.fps)).join(', ')} (in clear ${clear.map((r) => fmt(r.fps)).join(', ')}); `
        + `same-round pairs ${paired.map((x) => `${x.toFixed(2)}×`).join(', ')} (median ${fmt(median(paired), 2)}×); the page in clear typed the six routing digits, the agent asked its customer as for an older app`,
    },
    {
      case: 'sealed vs in clear (page): capture → drawn, p50', value: percentile(sC2d, 50), unit: 'ms',
      baseline: { name, value: percentile(cC2d, 50) },
      target: { text: `≤ +${SEALED_TARGETS.captureToAckAddedMs} ms`, met: c2dAdded <= SEALED_TARGETS.captureToAckAddedMs },
      note: `added ${signed(c2dAdded)} ms; p95 ${fmt(percentile(sC2d, 95))} ms (in clear ${fmt(percentile(cC2d, 95))}); ${sC2d.length} updates pooled over ${sealed.length} runs (in clear ${cC2d.length}); `
        + `per-run p50 ${sealed.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')} (in clear ${clear.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')}); `
        + `the agent's sealing ${sealed.map((r) => fmt(r.agentSealMsPerUpdate, 2)).join(', ')} ms per update (per run); agent and page Date.now(), whole ms, as before`,
    },
    {
      case: 'sealed vs in clear (page): pointer event in the page → injected, p50', value: percentile(sPtr, 50), unit: 'ms',
      baseline: { name, value: percentile(cPtr, 50) },
      target: { text: `≤ +${SEALED_TARGETS.inputAddedMs} ms`, met: inputAdded <= SEALED_TARGETS.inputAddedMs },
      note: `added ${signed(inputAdded)} ms; p95 ${fmt(percentile(sPtr, 95))} ms (in clear ${fmt(percentile(cPtr, 95))}); ${sPtr.length}/${sealed.reduce((n, r) => n + r.movesSent, 0)} moves (in clear ${cPtr.length}/${clear.reduce((n, r) => n + r.movesSent, 0)}); `
        + `page ws send → injected p50 ${fmt(percentile(sSend, 50), 2)} ms (in clear ${fmt(percentile(cSend, 50), 2)}); `
        + `the agent's opening, mean per run: input ${sealed.map((r) => fmt(r.agentOpenInputMs, 3)).join(', ')} ms, acks ${sealed.map((r) => fmt(r.agentOpenAckMs, 3)).join(', ')} ms (call → opened); per-run p50 ${sealed.map((r) => fmt(percentile(r.pointerToInjectMs, 50), 2)).join(', ')} `
        + `(in clear ${clear.map((r) => fmt(percentile(r.pointerToInjectMs, 50), 2)).join(', ')}); agent event-loop delay p50 ${fmt(median(sealed.map((r) => r.loopP50Ms)))} / p95 ${fmt(median(sealed.map((r) => r.loopP95Ms)))} ms `
        + `(in clear ${fmt(median(clear.map((r) => r.loopP50Ms)))} / ${fmt(median(clear.map((r) => r.loopP95Ms)))})`,
    },
  ];
}

/**
 * What sealing costs the page itself, in Chromium: its WebCrypto calls (call → settled) while
 * it streamed, read against its capture → drawn p50. Opening is on the way to the draw;
 * sealing acks and input is not (an ack is sealed after its draw). The page's clock is
 * clamped to 100 µs (no cross-origin isolation), so single calls read 0 or 0.1 ms: the mean
 * of many is the figure (the clamp is jittered, so the mean is not biased by it).
 */
function pageCryptoRows(page: readonly Run[]): BenchRow[] {
  const calls = page.flatMap((r) => [...r.pageCrypto]);
  const opens = calls.filter((c) => c.op === 'open');
  const seals = calls.filter((c) => c.op === 'seal');
  if (opens.length === 0) return [];
  const c2d = page.flatMap((r) => [...r.captureToDrawMs]);
  const meanMs = (list: readonly PageCryptoCall[]): number => list.reduce((n, c) => n + c.ms, 0) / Math.max(1, list.length);
  const meanKiB = opens.reduce((n, c) => n + c.bytes, 0) / opens.length / 1024;
  return [{
    case: 'page: WebCrypto open of one FRAME (decrypt, call → settled), mean', value: meanMs(opens), unit: 'ms',
    baseline: { name: 'page capture → drawn p50', value: percentile(c2d, 50) },
    note: `${opens.length} rectangles over ${page.length} runs' windows, ${fmt(meanKiB)} KiB each on average; max ${fmt(Math.max(...opens.map((c) => c.ms)), 1)} ms; `
      + `seals (acks, input): ${seals.length}, mean ${fmt(meanMs(seals), 3)} ms; SubtleCrypto.prototype wrapped by the bench's page hook (Chromium's own WebCrypto); `
      + 'the page\'s clock is clamped to 100 µs, so this is a mean of clamped times',
  }];
}

/** The real page against the sealed stand-in: what drawing costs over acking on arrival, both sealed. */
function pageRows(page: readonly Run[], standIn: readonly Run[]): BenchRow[] {
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
      baseline: { name: 'stand-in technician sealed, acks on arrival', value: s.fps },
      target: { text: '≥ 30', met: p.fps >= 30 },
      note: `median run of ${runsNote(page)} (stand-in: ${runsNote(standIn)}); median page run: q${p.quality}, agent CPU ${Math.round(p.agentCpuPercent)}%, technician Chromium ${Math.round(p.pageCpuPercent)}% `
        + `(stand-in run: technician ${Math.round(s.pageCpuPercent)}% idle browser), scene Chromium ${Math.round(p.sceneCpuPercent)}%, machine ${Math.round(p.machineBusyPercent)}% busy, `
        + `load ${p.loadAverage.toFixed(1)}; page's status bar then showed "${p.statusBar?.fps ?? '?'} fps, ${p.statusBar?.latency ?? '?'}"; `
        + `per-run page fps ${page.map((r) => fmt(r.fps)).join(', ')} (stand-in ${standIn.map((r) => fmt(r.fps)).join(', ')})`,
    },
    {
      case: 'capture → drawn in the page, p50', value: percentile(pC2d, 50), unit: 'ms',
      baseline: { name: 'stand-in sealed: capture → arrival', value: percentile(sC2d, 50) },
      target: { text: '< 80', met: percentile(pC2d, 50) < 80 },
      note: `${pC2d.length} updates pooled over ${page.length} runs (stand-in ${sC2d.length}); header captureTimeMs (agent Date.now() at the grab) → `
        + `page Date.now() when the FRAME_ACK left, right after the update's LAST rectangle was drawn; per-run p50 ${page.map((r) => fmt(percentile(r.captureToDrawMs, 50))).join(', ')}; load ${loads(page)}`,
    },
    {
      case: 'capture → drawn in the page, p95', value: percentile(pC2d, 95), unit: 'ms',
      baseline: { name: 'stand-in sealed: capture → arrival', value: percentile(sC2d, 95) },
      note: `max ${fmt(Math.max(...pC2d))} ms (stand-in ${fmt(Math.max(...sC2d))} ms)`,
    },
    {
      case: 'input: pointer event in the page → injected on the client (XTest done), p50', value: percentile(pPointer, 50), unit: 'ms',
      baseline: { name: 'stand-in sealed: ws send → injected', value: percentile(sSend, 50) },
      target: { text: '< 10', met: percentile(pPointer, 50) < 10 },
      note: `${pPointer.length}/${sentPage} page moves injected (${pointerEvents} pointer events from ${page.length * POINTER_MOVES.count} page.mouse.move calls at 60/s; `
        + `stand-in ${sSend.length}/${sentStandIn}); from the page's first pointermove listener (rAF coalescing included) to the agent's sink; `
        + `agent event-loop delay meanwhile p50 ${fmt(median(page.map((r) => r.loopP50Ms)))} / p95 ${fmt(median(page.map((r) => r.loopP95Ms)))} ms (median of runs); load ${loads(page)}; ${clocks}`,
    },
    {
      case: 'input: pointer event in the page → injected, p95', value: percentile(pPointer, 95), unit: 'ms',
      baseline: { name: 'stand-in sealed: ws send → injected', value: percentile(sSend, 95) },
      note: `max ${fmt(Math.max(...pPointer))} ms (stand-in ${fmt(Math.max(...sSend))} ms)`,
    },
    {
      case: 'input: page ws send → injected, p50', value: percentile(pSend, 50), unit: 'ms',
      baseline: { name: 'stand-in sealed: ws send → injected', value: percentile(sSend, 50) },
      note: `p95 ${fmt(percentile(pSend, 95))} ms (stand-in ${fmt(percentile(sSend, 95))} ms): the same path as the stand-in's, from the page's socket`,
    },
    {
      case: 'input: bench calls page.mouse.move (CDP) → injected, p50', value: percentile(pCdp, 50), unit: 'ms',
      baseline: { name: 'stand-in sealed: ws send → injected', value: percentile(sSend, 50) },
      note: `${pCdp.length} moves; p95 ${fmt(percentile(pCdp, 95))} ms; adds the DevTools-protocol hop and Chromium's alignment of mouse moves to animation frames, `
        + `which the pointer-event figure cannot see (Chromium dispatches pointermove right before requestAnimationFrame, so the page's own coalescing wait is ≈ 0)`,
    },
  ];
}

/** The built page: this tree's dist/technician, or `page-dir=<folder>` (a page built elsewhere). */
function pageDirOf(args: readonly string[]): string | undefined {
  const dir = benchArg(args, 'page-dir');
  const resolved = dir !== undefined ? resolve(dir) : undefined;
  if (resolved === undefined) assertTechnicianBuilt();
  else if (!existsSync(join(resolved, 'index.js'))) throw new Error(`page-dir=${dir}: no index.js there (a built technician page)`);
  return resolved;
}

const bench: Benchmark = {
  name: 'e2e',
  description: 'whole loop on Xvfb 1920x1080 (400x300 region changing every frame): real agent (protocol 2) → real relay → the REAL technician page in headless Chromium (sealed; decode + draw + ack, pointer input), '
    + 'the page of protocol 1 in clear, and the stand-in technician sealed and in clear; baselines: in clear for sealed (page and stand-in), the sealed stand-in (acks on arrival) for the page; '
    + '`stand-in`: the stand-in lanes alone; `page-dir=<folder>`: serve a page built elsewhere; `clear-page=<commit>`: the page in clear from another commit',
  async run(log, args) {
    const repeats = Math.max(1, Math.min(10, Number(benchArg(args, 'repeats') ?? DEFAULT_REPEATS) || DEFAULT_REPEATS));
    const words = args.filter((a) => !a.includes('='));
    const unknown = words.filter((w) => w !== STAND_IN_WORD);
    if (unknown.length > 0) throw new Error(`unknown word ${unknown.join(', ')}; e2e takes ${STAND_IN_WORD}, repeats=N, page-dir=<folder>, clear-page=<commit>`);
    const withPage = !words.includes(STAND_IN_WORD);
    const pageDir = withPage ? pageDirOf(args) : undefined;
    const kinds: readonly TechnicianKind[] = withPage ? ['stand-in-clear', 'stand-in', 'page-clear', 'page'] : ['stand-in-clear', 'stand-in'];
    assertCaptureWorkerBuilt();
    let clearPage: BuiltPage | undefined;
    if (withPage) {
      clearPage = await buildPageAt(benchArg(args, 'clear-page') ?? LAST_PROTOCOL_1_PAGE);
      log(`page in clear built from ${clearPage.commit} in ${clearPage.dir}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const overallMs = OVERALL_TIMEOUT_MS * (kinds.length / 2) * (repeats / DEFAULT_REPEATS);
    const overall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`e2e gave up after ${Math.round(overallMs / 1000)} s`)), overallMs);
    });
    overall.catch(() => undefined);
    let xvfb: Awaited<ReturnType<typeof startXvfb>> | undefined;
    let browser: TestBrowser | undefined;
    let scene: { stop(): Promise<void> } | undefined;
    try {
      xvfb = await startXvfb({ width: STREAM_RUN.width, height: STREAM_RUN.height, depth: 24 });
      log(`Xvfb on ${xvfb.display}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${kinds.map((k) => TECHNICIAN_NAMES[k]).join(', ')}; `
        + `${withPage ? `page from ${pageDir ?? 'dist/technician'}; ` : ''}showing the region scene`);
      scene = await showScene('region', xvfb.env(), STREAM_RUN.width, STREAM_RUN.height);
      // Launched for the stand-in lanes too when the page runs, so every lane shares the machine with an (idle) technician browser.
      if (withPage) browser = await launchTestBrowser({ locale: 'es-ES', viewport: VIEWPORT });
      await sleep(STREAM_RUN.sceneSettleMs);
      const results: Record<TechnicianKind, Run[]> = { page: [], 'page-clear': [], 'stand-in': [], 'stand-in-clear': [] };
      const pages: PageDirs = { page: pageDir, clear: clearPage?.dir };
      for (let run = 0; run < repeats; run++) {
        // Each round in another order, so that no lane always runs first (on a cooler machine) or last.
        const order = kinds.map((_, k) => kinds[(k + run) % kinds.length]!);
        for (const kind of order) {
          log(`${TECHNICIAN_NAMES[kind]}, run ${run + 1}/${repeats}`);
          const r = await Promise.race([measure(kind, xvfb.env(), browser, pages), overall]);
          log(`  ${runSummary(r)}; ${r.adapters}${r.sealed ? '; sealed end to end' : '; in clear'}`);
          results[kind].push(r);
        }
      }
      // Every row says what it measured: the agent's adapters, as the agent named them.
      const what = agentNote(Object.values(results).flat().map((r) => r.adapters));
      const out = sealedRows(results['stand-in'], results['stand-in-clear']);
      if (withPage) {
        out.push(...pageSealedRows(results.page, results['page-clear'], clearPage!.commit));
        out.push(...pageRows(results.page, results['stand-in']), ...pageCryptoRows(results.page));
      }
      return withNote(out, what);
    } finally {
      clearTimeout(timer);
      await browser?.close();
      await scene?.stop();
      await xvfb?.stop();
      clearPage?.remove();
    }
  },
};

export default bench;
