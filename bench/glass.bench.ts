import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { launchTestBrowser, type TestBrowser } from '../test/support/browser';
import { startXvfb } from '../test/support/xvfb';
import { assertTechnicianBuilt } from '../test/browser/panel-driver';
import { percentile, withNote, type Benchmark, type BenchRow } from './support/benchmark';
import { assertCaptureWorkerBuilt, sleep, STREAM_RUN } from './support/agent-child';
import { SCROLL_STEPS_PER_SECOND, showGlassScene, type GlassScene, type GlassSceneName } from './support/glass-scene';
import { takeMeter, type MeterReadings, type SeenFrame } from './support/glass-meter';
import { BUILT_AGENT, startNoVncViewer, startOurViewer, type Viewer } from './support/glass-viewers';
import { startFloorViewer } from './support/glass-floor-viewer';
import { pageClockOffset, type PageDraw } from './support/technician-page';
import { watchScreenStamps, type ScreenStampWatch, type SquareFlipRead } from './support/screen-stamps';

/**
 * Issue 13's glass-to-glass benchmark: what a technician sees, read off the viewer's canvas,
 * for this project and for noVNC viewing x0vncserver on the same Xvfb in the same run.
 */

/** Both viewers' browser window; the same for both, so drawing costs them alike. */
const VIEWPORT = Object.freeze({ width: 1400, height: 900 });
/** After the viewer shows the screen, before the window: first full frame, decoders warm. */
const WARMUP_MS = 3000;
/** The measured window of the moving and still scenes, ms. */
const WINDOW_MS = 10_000;
/** Key-to-echo: presses one after the other, far enough apart that each echo shows before the next key. */
const KEYS = Object.freeze({ count: 20, intervalMs: 500, drainMs: 1500 });
/**
 * Key-to-echo runs this many lanes of each viewer, alternated, and pools their echoes. Why:
 * within one lane the scene's and the viewer's 60 Hz frame clocks keep the same phase, so
 * all of a lane's echoes wait about the same part of a refresh, and a single lane's p50 is
 * decided by that phase (ours read 29.5–33.4 ms and noVNC's 23.2–36.6 in five single-lane
 * runs of 2026-12-02 with two builds). Three lanes each draw three phases.
 */
const KEY_ROUNDS = 3;
/** The whole benchmark gives up after this long. */
const OVERALL_TIMEOUT_MS = 10 * 60_000;
/** The technician page's canvas, and noVNC's (its only canvas). */
const OUR_CANVAS = '#remote-screen';

/** Issue 13's targets, as ratios to noVNC in the same run (and absolute ones for the agent). */
const TARGETS = Object.freeze({
  regionFps: 1, regionP50: 0.8, scrollFps: 2, keyP50: 1, cpuPerUpdateMs: 5, stillCpuPercent: 1, rssMiB: 150,
});

/**
 * `halving-off` (with `scroll`): the scroll scene also runs this project with half-resolution
 * motion hidden from the agent (it is not told the relay passes `scaled-frames`), the same
 * build in the same run; both of our lanes then reach the relay through the same filter.
 */
const HALVING_OFF = 'halving-off';
const SCALED_FRAMES = 'scaled-frames';

const SCENES: readonly { readonly scene: GlassSceneName; readonly label: string }[] = [
  { scene: 'region', label: '400x300 region changing every frame (60/s)' },
  { scene: 'scroll', label: `whole screen scrolling (${SCROLL_STEPS_PER_SECOND} steps/s)` },
  { scene: 'still', label: 'still screen' },
  { scene: 'key', label: 'key-to-echo' },
];

interface Lane {
  readonly viewer: string;
  readonly what: string;
  /** Distinct stamps seen on the viewer's canvas per second. */
  readonly fps: number;
  /** Viewer Date.now() at the first sight of a stamp − the scene's Date.now() in it, ms. */
  readonly latenciesMs: readonly number[];
  readonly bytesPerSecond: number;
  /** Keydown in the viewer → the square's flip seen on its canvas, ms. */
  readonly echoesMs: readonly number[];
  readonly keysPressed: number;
  /** The capturing process (agent or X0tigervnc) over the window, % of one core. */
  readonly serverCpuPercent: number;
  /** Its CPU per update: ours per update the page drew, the anchor's per stamp seen, ms. */
  readonly serverCpuMsPerUpdate: number;
  readonly serverRssMiB: number;
  readonly invalidReads: number;
  readonly reads: number;
  /** The viewer page's Date.now() minus the bench's, and the evaluate round trip it is known to within. */
  readonly viewerClock: { readonly offsetMs: number; readonly rttMs: number };
  readonly loadAverage: number;
  /** Updates the viewer drew a second (our page counts them; noVNC's meter only sees frames). */
  readonly updatesDrawnPerSecond: number;
  /**
   * Ours only: each drawn update's agent grab → drawn on the page's canvas, ms (two
   * processes' Date.now(), one machine's clock): the part of the latency that is this
   * project's pipeline; the rest is the scene reaching X and the viewer's next refresh.
   */
  readonly grabToDrawnMs: readonly number[];
  /**
   * Ours only, for each update drawn: grab → the page starts opening it (encode, seal, the
   * relay hop), that → its decryption done, and that → drawn (decode and the page's pacing), ms.
   */
  readonly grabToOpenMs: readonly number[];
  readonly openMs: readonly number[];
  readonly openedToDrawnMs: readonly number[];
  /** Each new stamp's scene paint → first read off X by the screen watch, ms: the scene's own part, the same for every viewer. */
  readonly sceneToXMs: readonly number[];
  /** For each stamp seen that the watch read too: read off X → seen on the viewer's canvas, ms: the viewer's own part. */
  readonly xToSeenMs: readonly number[];
  /** Ours only: read off X → the agent's grab of the update that showed it, ms. */
  readonly xToGrabMs: readonly number[];
  /** Key scene, each echo the watch saw on X: keydown in the viewer → the square's flip read off X, ms (input path and the scene's repaint). */
  readonly keyToXMs: readonly number[];
  /** Key scene, the same echoes: the flip read off X → seen on the viewer's canvas, ms (the viewer's own part). */
  readonly xToEchoMs: readonly number[];
}

/** Each seen frame with the last update drawn before the meter saw it (the one that showed it). */
function drawOfEachFrame(frames: readonly SeenFrame[], draws: readonly PageDraw[]): { frame: SeenFrame; draw: PageDraw }[] {
  const out: { frame: SeenFrame; draw: PageDraw }[] = [];
  let d = 0;
  for (const frame of frames) {
    while (d + 1 < draws.length && draws[d + 1]!.drawnAtMs <= frame.seenAtMs) d++;
    const draw = draws[d];
    if (draw !== undefined && draw.drawnAtMs <= frame.seenAtMs) out.push({ frame, draw });
  }
  return out;
}

/**
 * Splits each echo at the square's flip on X: the first flip the watch read after the
 * keydown, if it came before the echo was seen. Times are the viewer's Date.now() for the
 * echoes and the bench's for the flips: `viewerOffsetMs` (viewer − bench) brings them together.
 */
function splitEchoes(echoes: MeterReadings['echoes'], flips: readonly SquareFlipRead[], viewerOffsetMs: number): { keyToXMs: number[]; xToEchoMs: number[] } {
  const keyToXMs: number[] = [];
  const xToEchoMs: number[] = [];
  for (const echo of echoes) {
    const keyAt = echo.keyAtMs - viewerOffsetMs;
    const seenAt = echo.seenAtMs - viewerOffsetMs;
    const flip = flips.find((f) => f.readAtMs >= keyAt);
    if (flip === undefined || flip.readAtMs > seenAt) continue;
    keyToXMs.push(flip.readAtMs - keyAt);
    xToEchoMs.push(seenAt - flip.readAtMs);
  }
  return { keyToXMs, xToEchoMs };
}

/** Each seen frame's first read off X → seen on the viewer's canvas (matched by the stamp's counter). */
function xToSeen(frames: readonly SeenFrame[], readAt: ReadonlyMap<number, number>): number[] {
  return frames.flatMap((f) => {
    const at = readAt.get(f.counter);
    return at === undefined ? [] : [f.seenAtMs - at];
  });
}

async function measure(viewer: Viewer, scene: GlassSceneName, watch: ScreenStampWatch): Promise<Lane> {
  await sleep(WARMUP_MS);
  const clock = await pageClockOffset(viewer.page, Date.now);
  await takeMeter(viewer.page); // forget the warm-up
  await watch.take();
  const start = { at: performance.now(), bytes: viewer.receivedBytes(), cpu: viewer.serverCpuMs(), drawn: await viewer.updatesDrawn?.() };
  let keysPressed = 0;
  if (scene === 'key') {
    await viewer.focusCanvas();
    const firstAt = performance.now();
    for (let i = 0; i < KEYS.count; i++) {
      await sleep(Math.max(0, firstAt + i * KEYS.intervalMs - performance.now()));
      await viewer.page.keyboard.press('KeyA');
      keysPressed++;
    }
    await sleep(KEYS.drainMs);
  } else {
    await sleep(WINDOW_MS);
  }
  const readings = await takeMeter(viewer.page);
  const { reads, flips } = await watch.take();
  const readAt = new Map(reads.map((r) => [r.counter, r.readAtMs]));
  const seconds = (performance.now() - start.at) / 1000;
  const cpuMs = viewer.serverCpuMs() - start.cpu;
  const drawn = viewer.updatesDrawn !== undefined ? (await viewer.updatesDrawn()) - (start.drawn ?? 0) : readings.frames.length;
  const draws = (await viewer.drawsSince?.(start.drawn ?? 0)) ?? [];
  const opens = new Map((draws.length > 0 ? (await viewer.opensFromSeq?.(draws[0]!.seq)) ?? [] : []).map((o) => [o.seq, o]));
  const shownBy = drawOfEachFrame(readings.frames, draws);
  const opened = draws.flatMap((d) => { const o = opens.get(d.seq); return o === undefined ? [] : [{ d, o }]; });
  return {
    viewer: viewer.name,
    what: viewer.what,
    fps: readings.frames.length / seconds,
    latenciesMs: readings.frames.map((f) => f.latencyMs),
    bytesPerSecond: (viewer.receivedBytes() - start.bytes) / seconds,
    echoesMs: readings.echoesMs,
    keysPressed,
    serverCpuPercent: cpuMs / (seconds * 10),
    serverCpuMsPerUpdate: drawn > 0 ? cpuMs / drawn : Number.NaN,
    updatesDrawnPerSecond: drawn / seconds,
    serverRssMiB: viewer.serverRssBytes() / 1024 / 1024,
    invalidReads: readings.invalid,
    reads: readings.reads,
    viewerClock: { offsetMs: clock.dateMs, rttMs: clock.rttMs },
    loadAverage: loadavg()[0] ?? 0,
    grabToDrawnMs: draws.map((d) => d.drawnAtMs - d.captureTimeMs),
    xToGrabMs: shownBy.flatMap(({ frame, draw }) => { const at = readAt.get(frame.counter); return at === undefined ? [] : [draw.captureTimeMs - at]; }),
    grabToOpenMs: opened.map(({ d, o }) => o.startMs - d.captureTimeMs),
    openMs: opened.map(({ o }) => o.doneMs - o.startMs),
    openedToDrawnMs: opened.map(({ d, o }) => d.drawnAtMs - o.doneMs),
    sceneToXMs: reads.map((r) => r.readAtMs - r.sceneMs),
    xToSeenMs: xToSeen(readings.frames, readAt),
    ...splitEchoes(readings.echoes, flips, clock.dateMs),
  };
}

const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');

function laneNote(l: Lane): string {
  return `${l.viewer}: ${f1(l.fps)} fps (${f1(l.updatesDrawnPerSecond)} updates drawn/s), p50 ${f1(percentile(l.latenciesMs, 50))} / p95 ${f1(percentile(l.latenciesMs, 95))} ms, ${f1(l.bytesPerSecond / 1024)} KiB/s, `
    + `server CPU ${f1(l.serverCpuPercent)} %, ${l.invalidReads}/${l.reads} reads torn, load ${l.loadAverage.toFixed(1)}`
    + (l.sceneToXMs.length > 0 ? `, scene paint → on X p50 ${f1(percentile(l.sceneToXMs, 50))} / p95 ${f1(percentile(l.sceneToXMs, 95))} ms` : '')
    + (l.xToSeenMs.length > 0 ? `, on X → seen p50 ${f1(percentile(l.xToSeenMs, 50))} / p95 ${f1(percentile(l.xToSeenMs, 95))} ms` : '')
    + (l.xToGrabMs.length > 0 ? ` (on X → agent grab ${f1(percentile(l.xToGrabMs, 50))} / ${f1(percentile(l.xToGrabMs, 95))})` : '')
    + (l.grabToDrawnMs.length > 0 ? `, agent grab → page drawn p50 ${f1(percentile(l.grabToDrawnMs, 50))} / p95 ${f1(percentile(l.grabToDrawnMs, 95))} ms` : '')
    + (l.grabToOpenMs.length > 0 ? ` (grab → page opens ${f1(percentile(l.grabToOpenMs, 50))} / ${f1(percentile(l.grabToOpenMs, 95))}, `
      + `opening ${f1(percentile(l.openMs, 50))} / ${f1(percentile(l.openMs, 95))}, opened → drawn ${f1(percentile(l.openedToDrawnMs, 50))} / ${f1(percentile(l.openedToDrawnMs, 95))})` : '');
}

/**
 * Two lanes of the same viewer as one (key scene rounds): their samples together, the
 * rates and the rest from the later lane.
 */
function pooled(earlier: Lane, later: Lane): Lane {
  return {
    ...later,
    latenciesMs: [...earlier.latenciesMs, ...later.latenciesMs],
    echoesMs: [...earlier.echoesMs, ...later.echoesMs],
    keysPressed: earlier.keysPressed + later.keysPressed,
    keyToXMs: [...earlier.keyToXMs, ...later.keyToXMs],
    xToEchoMs: [...earlier.xToEchoMs, ...later.xToEchoMs],
    grabToDrawnMs: [...earlier.grabToDrawnMs, ...later.grabToDrawnMs],
  };
}

/** The key scene's echo and its two parts, split at the square's flip on X. */
function echoNote(l: Lane): string {
  const p = (v: readonly number[], q: number): string => f1(percentile(v, q));
  return `echo p50 ${p(l.echoesMs, 50)} / p95 ${p(l.echoesMs, 95)} ms (${l.echoesMs.length}/${l.keysPressed})`
    + (l.keyToXMs.length > 0 ? `, key → on X p50 ${p(l.keyToXMs, 50)} / p95 ${p(l.keyToXMs, 95)}, on X → seen p50 ${p(l.xToEchoMs, 50)} / p95 ${p(l.xToEchoMs, 95)} ms (${l.keyToXMs.length} split)` : '');
}

/**
 * The floor's rows (region scene): the least latency any viewer shows here beside noVNC's,
 * what the latency target asks for against it, and each viewer's own part.
 */
function floorRows(label: string, floor: Lane, ours: Lane, anchor: Lane): BenchRow[] {
  const base = (value: number): { name: string; value: number } => ({ name: 'noVNC + x0vncserver', value });
  const p50 = (l: Lane): number => percentile(l.latenciesMs, 50);
  const own = (l: Lane): number => percentile(l.xToSeenMs, 50);
  const scenePart = (l: Lane): string => f1(percentile(l.sceneToXMs, 50));
  const targetMs = TARGETS.regionP50 * p50(anchor);
  return [
    { case: `${label}: scene paint → seen, p50, on the floor (the screen read off X on damage, raw pixels drawn on arrival: no viewer shows less here)`,
      value: p50(floor), unit: 'ms', baseline: base(p50(anchor)),
      note: `${laneNote(floor)}; the target (${TARGETS.regionP50}× noVNC) is ${f1(targetMs)} ms, ${targetMs < p50(floor) ? 'below' : 'at or above'} the floor` },
    { case: `${label}: the viewer's own part, on X → seen on its canvas, p50`, value: own(ours), unit: 'ms', baseline: base(own(anchor)),
      note: `the floor's own part ${f1(own(floor))} ms; the scene's part (paint → on X) p50 ours ${scenePart(ours)}, noVNC ${scenePart(anchor)}, floor ${scenePart(floor)} ms` },
  ];
}

function rowsOf(scene: GlassSceneName, label: string, ours: Lane, anchor: Lane, sceneLagMs: number): BenchRow[] {
  const base = (value: number): { name: string; value: number } => ({ name: 'noVNC + x0vncserver', value });
  const clocks = `clocks: scene → bench report ≥ ${f1(sceneLagMs)} ms one way (an upper bound of its lag), viewer offset ${f1(ours.viewerClock.offsetMs)} ms ± ${f1(ours.viewerClock.rttMs / 2)} (ours), `
    + `${f1(anchor.viewerClock.offsetMs)} ± ${f1(anchor.viewerClock.rttMs / 2)} (noVNC)`;
  const both = `${laneNote(ours)}; ${laneNote(anchor)}`;
  const p50 = (l: Lane): number => percentile(l.latenciesMs, 50);
  const p95 = (l: Lane): number => percentile(l.latenciesMs, 95);
  const rss = (l: Lane): BenchRow => ({
    case: `${label}: agent memory while paired (RSS)`, value: l.serverRssMiB, unit: 'MiB',
    baseline: { name: 'X0tigervnc RSS', value: anchor.serverRssMiB },
    target: { text: `≤ ${TARGETS.rssMiB} MB`, met: l.serverRssMiB * 1.048576 <= TARGETS.rssMiB },
  });
  switch (scene) {
    case 'region':
      return [
        { case: `${label}: frames seen on the viewer's canvas`, value: ours.fps, unit: 'fps', baseline: base(anchor.fps),
          target: { text: `≥ ${TARGETS.regionFps}× noVNC`, met: ours.fps >= TARGETS.regionFps * anchor.fps }, note: both },
        { case: `${label}: scene paint → seen on the viewer's canvas, p50`, value: p50(ours), unit: 'ms', baseline: base(p50(anchor)),
          target: { text: `≤ ${TARGETS.regionP50}× noVNC`, met: p50(ours) <= TARGETS.regionP50 * p50(anchor) }, note: `${ours.latenciesMs.length} frames (noVNC ${anchor.latenciesMs.length}); ${clocks}` },
        { case: `${label}: scene paint → seen, p95`, value: p95(ours), unit: 'ms', baseline: base(p95(anchor)) },
        { case: `${label}: bytes to the viewer`, value: ours.bytesPerSecond / 1024, unit: 'KiB/s', baseline: base(anchor.bytesPerSecond / 1024) },
        { case: `${label}: agent CPU per update`, value: ours.serverCpuMsPerUpdate, unit: 'ms',
          baseline: { name: 'X0tigervnc CPU per frame seen', value: anchor.serverCpuMsPerUpdate },
          target: { text: `≤ ${TARGETS.cpuPerUpdateMs} ms`, met: ours.serverCpuMsPerUpdate <= TARGETS.cpuPerUpdateMs },
          note: `agent ${f1(ours.serverCpuPercent)} % of a core over updates the page drew; X0tigervnc ${f1(anchor.serverCpuPercent)} %` },
      ];
    case 'scroll': {
      // No viewer shows more frames than the scene paints: where noVNC shows most of them,
      // that and not the viewer caps the ratio (BENCHMARKS.md, 2026-12-02 on the Intel machine).
      const ceiling = `the scene paints ${SCROLL_STEPS_PER_SECOND} steps/s: ours showed ${f1((100 * ours.fps) / SCROLL_STEPS_PER_SECOND)} % of them, `
        + `and the ratio can reach at most ${(SCROLL_STEPS_PER_SECOND / anchor.fps).toFixed(2)}× here`;
      return [
        { case: `${label}: frames seen on the viewer's canvas`, value: ours.fps, unit: 'fps', baseline: base(anchor.fps),
          target: { text: `≥ ${TARGETS.scrollFps}× noVNC`, met: ours.fps >= TARGETS.scrollFps * anchor.fps }, note: `${ceiling}; ${both}` },
        { case: `${label}: bytes to the viewer`, value: ours.bytesPerSecond / 1024, unit: 'KiB/s', baseline: base(anchor.bytesPerSecond / 1024),
          target: { text: '≤ noVNC', met: ours.bytesPerSecond <= anchor.bytesPerSecond } },
        { case: `${label}: scene paint → seen, p50`, value: p50(ours), unit: 'ms', baseline: base(p50(anchor)), note: clocks },
        { case: `${label}: scene paint → seen, p95`, value: p95(ours), unit: 'ms', baseline: base(p95(anchor)) },
        { case: `${label}: agent CPU per update`, value: ours.serverCpuMsPerUpdate, unit: 'ms',
          baseline: { name: 'X0tigervnc CPU per frame seen', value: anchor.serverCpuMsPerUpdate },
          note: `agent ${f1(ours.serverCpuPercent)} % of a core; X0tigervnc ${f1(anchor.serverCpuPercent)} %` },
      ];
    }
    case 'still':
      return [
        { case: `${label}: bytes to the viewer`, value: ours.bytesPerSecond, unit: 'B/s', baseline: base(anchor.bytesPerSecond),
          target: { text: '= 0', met: ours.bytesPerSecond === 0 }, note: both },
        { case: `${label}: agent CPU while paired`, value: ours.serverCpuPercent, unit: '% of a core',
          baseline: { name: 'X0tigervnc', value: anchor.serverCpuPercent },
          target: { text: `≤ ${TARGETS.stillCpuPercent} %`, met: ours.serverCpuPercent <= TARGETS.stillCpuPercent } },
        rss(ours),
      ];
    case 'key': {
      const e50 = (l: Lane): number => percentile(l.echoesMs, 50);
      return [
        { case: `${label}: key pressed in the viewer → square flipped on its canvas, p50`, value: e50(ours), unit: 'ms', baseline: base(e50(anchor)),
          target: { text: `≤ ${TARGETS.keyP50}× noVNC`, met: e50(ours) <= TARGETS.keyP50 * e50(anchor) },
          note: `${ours.echoesMs.length}/${ours.keysPressed} echoes (noVNC ${anchor.echoesMs.length}/${anchor.keysPressed}) over ${KEY_ROUNDS} lanes of each viewer, alternated, Playwright keyboard.press every ${KEYS.intervalMs} ms, both times the viewer's own clock; load ${ours.loadAverage.toFixed(1)} / ${anchor.loadAverage.toFixed(1)}` },
        { case: `${label}: p95`, value: percentile(ours.echoesMs, 95), unit: 'ms', baseline: base(percentile(anchor.echoesMs, 95)) },
        { case: `${label}: key pressed in the viewer → square flipped on X (read off X by the screen watch), p50`, value: percentile(ours.keyToXMs, 50), unit: 'ms',
          baseline: base(percentile(anchor.keyToXMs, 50)), note: `the input path and the scene's repaint; ${ours.keyToXMs.length} / ${anchor.keyToXMs.length} echoes split` },
        { case: `${label}: the viewer's own part, flip on X → seen on its canvas, p50`, value: percentile(ours.xToEchoMs, 50), unit: 'ms',
          baseline: base(percentile(anchor.xToEchoMs, 50)) },
      ];
    }
    default: {
      const unreachable: never = scene;
      return unreachable;
    }
  }
}

type LaneName = 'ours' | 'anchor' | 'ours-halving-off' | 'floor';
const LANE_TITLES: Readonly<Record<LaneName, string>> = {
  ours: 'this project', anchor: 'noVNC + x0vncserver', 'ours-halving-off': 'this project, half-resolution motion hidden from the agent',
  floor: 'the floor: the screen read off X on damage, drawn on arrival',
};
/**
 * The scenes measured against the floor as well. Not key-to-echo: a floor's keys would go
 * page → bench process → XTest, and in three runs its echoes (24.7, 28.1, 32.6 ms p50) fell
 * above one viewer or both as often as below (2026-12-01 07:45–08:51 UTC): no floor there.
 */
const FLOOR_SCENES: readonly GlassSceneName[] = ['region'];

/** With `halving-off`: this project as shipped against the same build without half-resolution motion, same run. */
function halvingRows(label: string, on: Lane, off: Lane): BenchRow[] {
  const base = (value: number): { name: string; value: number } => ({ name: 'ours without halving', value });
  return [
    { case: `${label}: frames seen, with half-resolution motion`, value: on.fps, unit: 'fps', baseline: base(off.fps), note: `${laneNote(on)}; without: ${laneNote(off)}` },
    { case: `${label}: bytes to the viewer, with half-resolution motion`, value: on.bytesPerSecond / 1024, unit: 'KiB/s', baseline: base(off.bytesPerSecond / 1024) },
    { case: `${label}: scene paint → seen p50, with half-resolution motion`, value: percentile(on.latenciesMs, 50), unit: 'ms', baseline: base(percentile(off.latenciesMs, 50)) },
    { case: `${label}: agent CPU per update, with half-resolution motion`, value: on.serverCpuMsPerUpdate, unit: 'ms', baseline: base(off.serverCpuMsPerUpdate) },
  ];
}

const bench: Benchmark = {
  name: 'glass',
  description: 'glass to glass on Xvfb 1920x1080 (issue 13): a kiosk Chromium paints a frame counter and its clock in pixels; a meter reads them off the viewer\'s canvas '
    + 'in headless Chromium: this project (built agent → relay → technician page, sealed) against noVNC viewing x0vncserver, same run; scenes region, scroll, still, key '
    + '(`npm run bench -- glass region key`: some of them; `glass scroll halving-off`: also ours without half-resolution motion, same build and run); '
    + 'region also runs the floor: the screen read off X on damage and drawn raw on arrival, the least latency any viewer shows here',
  async run(log, args) {
    const halvingOff = args.includes(HALVING_OFF);
    const sceneArgs = args.filter((a) => a !== HALVING_OFF);
    const scenes = sceneArgs.length === 0 ? SCENES : SCENES.filter((s) => sceneArgs.includes(s.scene));
    if (scenes.length < sceneArgs.length || scenes.length === 0) {
      throw new Error(`unknown scene among ${sceneArgs.join(', ')}; have ${SCENES.map((s) => s.scene).join(', ')} (and ${HALVING_OFF})`);
    }
    if (!existsSync(BUILT_AGENT)) throw new Error(`${BUILT_AGENT} is missing: run npm run build first`);
    assertCaptureWorkerBuilt();
    assertTechnicianBuilt();
    let timer: NodeJS.Timeout | undefined;
    const overall = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`glass gave up after ${OVERALL_TIMEOUT_MS / 1000} s`)), OVERALL_TIMEOUT_MS);
    });
    overall.catch(() => undefined);
    const xvfb = await startXvfb({ width: STREAM_RUN.width, height: STREAM_RUN.height, depth: 24 });
    let browser: TestBrowser | undefined;
    const rows: BenchRow[] = [];
    const whats = new Set<string>();
    try {
      browser = await launchTestBrowser({ locale: 'es-ES', viewport: VIEWPORT });
      log(`Xvfb on ${xvfb.display}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      for (const [i, { scene, label }] of scenes.entries()) {
        let shown: GlassScene | undefined;
        let watch: ScreenStampWatch | undefined;
        try {
          shown = await Promise.race([showGlassScene(scene, xvfb.env(), STREAM_RUN.width, STREAM_RUN.height), overall]);
          await sleep(STREAM_RUN.sceneSettleMs);
          watch = await Promise.race([watchScreenStamps(xvfb.env(), xvfb.display), overall]);
          // Each scene starts with the other viewer, so that neither always meets a warmer scene.
          const pair = i % 2 === 0 ? ['ours', 'anchor'] as const : ['anchor', 'ours'] as const;
          const order: readonly LaneName[] = [...(scene === 'key' ? Array.from({ length: KEY_ROUNDS }, () => pair).flat() : pair),
            ...(halvingOff && scene === 'scroll' ? ['ours-halving-off'] as const : []),
            ...(FLOOR_SCENES.includes(scene) ? ['floor'] as const : [])];
          const lanes: Partial<Record<LaneName, Lane>> = {};
          // With halving-off both of our lanes go through the feature filter, one hiding nothing.
          const filtered = halvingOff && scene === 'scroll';
          for (const which of order) {
            log(`${label}: ${LANE_TITLES[which]}`);
            const viewer = await Promise.race([
              which === 'anchor' ? startNoVncViewer(xvfb.env(), xvfb.display, browser)
                : which === 'floor' ? startFloorViewer(xvfb.display, browser)
                : startOurViewer(xvfb.env(), browser, OUR_CANVAS, filtered ? { hideRelayFeatures: which === 'ours' ? [] : [SCALED_FRAMES] } : {}),
              overall]);
            try {
              const lane = await Promise.race([measure(viewer, scene, watch), overall]);
              whats.add(lane.what);
              log(`  ${laneNote(lane)}${scene === 'key' ? `; ${echoNote(lane)}` : ''}; ${lane.what}`);
              lanes[which] = lanes[which] === undefined ? lane : pooled(lanes[which]!, lane);
            } finally {
              await viewer.stop();
            }
          }
          rows.push(...rowsOf(scene, label, lanes.ours!, lanes.anchor!, shown.clockLagBoundMs()));
          if (lanes['ours-halving-off'] !== undefined) rows.push(...halvingRows(label, lanes.ours!, lanes['ours-halving-off']));
          if (lanes.floor !== undefined) rows.push(...floorRows(label, lanes.floor, lanes.ours!, lanes.anchor!));
        } finally {
          await watch?.stop();
          await shown?.stop();
        }
      }
      // Every row says what ran: the agent's adapters as its "agent ready" line named them, and the anchor.
      return withNote(rows, [...whats].join('; '));
    } finally {
      clearTimeout(timer);
      await browser?.close();
      await xvfb.stop();
    }
  },
};

export default bench;
