import { DEFAULT_PLAN_OPTIONS, type PlanOptions } from '../diff/plan-update';

/** Tuning of a FrameStreamer. Every field has a default; see {@link resolveStreamerOptions}. */
export interface FrameStreamerOptions {
  /** Updates sent but not yet acknowledged, at most. 2 keeps the pipe busy while one is drawn. */
  readonly maxInFlight: number;
  /** Shortest time between two grabs, ms: caps the frame rate (16 ≈ 60 fps). */
  readonly minFrameIntervalMs: number;
  /**
   * Longest time between two grabs of a still screen, ms. Polling backs off from
   * `minFrameIntervalMs` to this while nothing changes: a grab costs ≈21 ms of CPU.
   */
  readonly maxIdleIntervalMs: number;
  /**
   * After a nudge (the agent injected input), how long the screen is looked at every
   * `minFrameIntervalMs` whatever the still-screen back-off says, ms: the echo of a key or
   * a click shows some milliseconds after the event, and waiting out a back-off of up to
   * `maxIdleIntervalMs` made a keystroke's echo late (issue 13).
   */
  readonly nudgeWindowMs: number;
  /** Fixed JPEG quality 1–100, or undefined for adaptive quality. */
  readonly fixedQuality: number | undefined;
  /** Adaptive quality never goes below this. */
  readonly minQuality: number;
  /** Adaptive quality never goes above this. */
  readonly maxQuality: number;
  /** Acknowledgement latency (grab → ack, smoothed) under which quality creeps up, ms. */
  readonly lowLatencyMs: number;
  /** Acknowledgement latency over which quality drops, ms. */
  readonly highLatencyMs: number;
  /** An update unacknowledged this long is given up: its credit is freed and a full frame follows, ms. */
  readonly ackTimeoutMs: number;
  /** Wait after a failed grab or encode before trying again, ms. */
  readonly errorRetryMs: number;
  /**
   * Encodes that may run at once (bands of one large rectangle). Set it to the number of
   * cores; on one core 1 avoids the per-band fixed cost for nothing. On the 2-core bench
   * machine 2 bands matched one piece's whole-screen frame rate, cut capture → ack latency
   * by about 10 ms and cost about 5 % more CPU (BENCHMARKS.md, "Two bands or one piece").
   */
  readonly encodeParallelism: number;
  /** A rectangle is cut into bands only if each band gets at least this many pixels. */
  readonly minBandPixels: number;
  /** Quality the adaptive mode starts from, between minQuality and maxQuality. */
  readonly initialQuality: number;
  /** The viewer draws only whole screens (legacy technician): every changed update is the whole frame. */
  readonly wholeFramesOnly: boolean;
  /**
   * Two large changes (a whole frame planned) at most this far apart are whole-screen
   * motion: the next ones go at half resolution to a viewer that takes SCALED frames, ms.
   */
  readonly motionWindowMs: number;
  /**
   * After a half-resolution update, this long with no update means the screen stopped: the
   * whole screen is sent again sharp at maxQuality, ms. Longer than a frame of motion (a
   * scroll at 30 steps/s changes every 33 ms), short enough not to be seen as a wait.
   */
  readonly settleMs: number;
  /** Value of the frame header's displayId. */
  readonly displayId: number;
  /** How dirty tiles become rectangles. */
  readonly plan: PlanOptions;
}

/** What callers pass: any subset, the plan too. */
export type FrameStreamerOptionsInput = Partial<Omit<FrameStreamerOptions, 'plan'>> & { readonly plan?: Partial<PlanOptions> };

export const DEFAULT_STREAMER_OPTIONS: FrameStreamerOptions = Object.freeze({
  maxInFlight: 2,
  minFrameIntervalMs: 16,
  maxIdleIntervalMs: 100,
  nudgeWindowMs: 250,
  fixedQuality: undefined,
  minQuality: 40,
  maxQuality: 80,
  initialQuality: 70,
  lowLatencyMs: 150,
  highLatencyMs: 400,
  ackTimeoutMs: 5000,
  errorRetryMs: 1000,
  encodeParallelism: 2,
  minBandPixels: 256 * 1024,
  wholeFramesOnly: false,
  motionWindowMs: 500,
  settleMs: 250,
  displayId: 0,
  plan: DEFAULT_PLAN_OPTIONS,
});

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`frame streamer options: ${what}`);
}

const isInt = (v: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && v >= min && v <= max;

/** Fills defaults, validates, and freezes. Throws a RangeError naming the first bad field. */
export function resolveStreamerOptions(partial: FrameStreamerOptionsInput = {}): FrameStreamerOptions {
  const o: FrameStreamerOptions = {
    ...DEFAULT_STREAMER_OPTIONS,
    ...partial,
    plan: Object.freeze({ ...DEFAULT_PLAN_OPTIONS, ...partial.plan }),
  };
  check(isInt(o.maxInFlight, 1, 64), 'maxInFlight must be an integer 1–64');
  check(isInt(o.minFrameIntervalMs, 0), 'minFrameIntervalMs must be an integer ≥ 0');
  check(isInt(o.maxIdleIntervalMs, o.minFrameIntervalMs), 'maxIdleIntervalMs must be an integer ≥ minFrameIntervalMs');
  check(isInt(o.nudgeWindowMs, 0), 'nudgeWindowMs must be an integer ≥ 0');
  check(o.fixedQuality === undefined || isInt(o.fixedQuality, 1, 100), 'fixedQuality must be 1–100 or undefined');
  check(isInt(o.minQuality, 1, 100) && isInt(o.maxQuality, o.minQuality, 100), 'need 1 ≤ minQuality ≤ maxQuality ≤ 100');
  check(isInt(o.initialQuality, o.minQuality, o.maxQuality), 'initialQuality must be between minQuality and maxQuality');
  check(isInt(o.encodeParallelism, 1, 64), 'encodeParallelism must be an integer 1–64');
  check(isInt(o.minBandPixels, 1), 'minBandPixels must be an integer ≥ 1');
  check(o.lowLatencyMs >= 0 && o.highLatencyMs > o.lowLatencyMs, 'need 0 ≤ lowLatencyMs < highLatencyMs');
  check(isInt(o.ackTimeoutMs, 1), 'ackTimeoutMs must be an integer ≥ 1');
  check(isInt(o.errorRetryMs, 0), 'errorRetryMs must be an integer ≥ 0');
  check(isInt(o.motionWindowMs, 0), 'motionWindowMs must be an integer ≥ 0');
  check(isInt(o.settleMs, 1), 'settleMs must be an integer ≥ 1');
  check(isInt(o.displayId, 0, 255), 'displayId must be 0–255');
  check(isInt(o.plan.tileSize, 8, 1024), 'plan.tileSize must be 8–1024');
  check(isInt(o.plan.bridgeTiles, 0), 'plan.bridgeTiles must be ≥ 0');
  check(isInt(o.plan.maxRects, 1, 1024), 'plan.maxRects must be 1–1024');
  check(o.plan.fullFrameAreaRatio > 0 && o.plan.fullFrameAreaRatio <= 1, 'plan.fullFrameAreaRatio must be in (0, 1]');
  return Object.freeze(o);
}
