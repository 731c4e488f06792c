import { MAX_WHEEL_STEPS } from '../../../protocol';

/** `WheelEvent.deltaMode` values. */
export const DeltaMode = Object.freeze({ PIXEL: 0, LINE: 1, PAGE: 2 } as const);

/** The deltas of a DOM WheelEvent. */
export interface WheelDelta {
  readonly deltaX: number;
  readonly deltaY: number;
  readonly deltaMode: number;
}

/** Whole wheel notches, positive down/right. */
export interface WheelSteps {
  readonly dx: number;
  readonly dy: number;
}

/**
 * Tuning, in CSS pixels. Browsers report one mouse-wheel notch as very different deltas:
 * Chromium 100 or 120 px, Firefox 3 lines (or ≈ 48–57 px), macOS trackpads a stream of
 * 1–10 px. A step is sent once `minPixels` have gathered and then counts one step per
 * `pixelsPerStep`, so a notch is always exactly one step and a trackpad's trickle adds up.
 */
export interface WheelOptions {
  readonly pixelsPerStep: number;
  readonly minPixels: number;
  readonly pixelsPerLine: number;
  readonly pixelsPerPage: number;
}

/** Tuned on Chromium (100/120 px a notch) and Firefox (3 lines a notch). */
const DEFAULT_WHEEL_OPTIONS: WheelOptions = Object.freeze({ pixelsPerStep: 120, minPixels: 45, pixelsPerLine: 40, pixelsPerPage: 800 });

/**
 * Turns browser wheel deltas into whole wheel steps (notches) for the remote machine,
 * which only knows notches. Positive is down/right, as in the DOM and the protocol.
 */
export class WheelNormalizer {
  private accX = 0;
  private accY = 0;

  constructor(private readonly options: WheelOptions = DEFAULT_WHEEL_OPTIONS) {}

  /** Adds one wheel event; returns the steps to send, or undefined when none is due yet. */
  push(delta: WheelDelta): WheelSteps | undefined {
    const unit = delta.deltaMode === DeltaMode.LINE ? this.options.pixelsPerLine
      : delta.deltaMode === DeltaMode.PAGE ? this.options.pixelsPerPage : 1;
    this.accX = accumulate(this.accX, delta.deltaX * unit);
    this.accY = accumulate(this.accY, delta.deltaY * unit);
    const dx = this.take('x');
    const dy = this.take('y');
    return dx === 0 && dy === 0 ? undefined : { dx, dy };
  }

  reset(): void {
    this.accX = 0;
    this.accY = 0;
  }

  private take(axis: 'x' | 'y'): number {
    const acc = axis === 'x' ? this.accX : this.accY;
    if (Math.abs(acc) < this.options.minPixels) return 0;
    const steps = Math.max(1, Math.round(Math.abs(acc) / this.options.pixelsPerStep));
    // What is left after a step is dropped: carrying it would turn two notches into three.
    if (axis === 'x') this.accX = 0;
    else this.accY = 0;
    return Math.sign(acc) * Math.min(MAX_WHEEL_STEPS, steps);
  }
}

/** Adds `delta`, but starts afresh when the direction reverses (no lag after a flick back). */
function accumulate(acc: number, delta: number): number {
  if (!Number.isFinite(delta) || delta === 0) return acc;
  return Math.sign(acc) === -Math.sign(delta) ? delta : acc + delta;
}
