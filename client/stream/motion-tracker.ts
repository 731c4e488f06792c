/**
 * Decides when the whole screen is moving (scrolling, a video, a window dragged) and the
 * next update may go at half resolution, and when the page must get the real pixels back.
 *
 * Motion is two large changes in a row (most of the screen changed, the diff planned a
 * whole frame), no more than `motionWindowMs` apart: one large change alone (a window
 * opened, a page loaded) is sent sharp, since the screen likely stays that way. While it
 * moves, detail is lost in the blur anyway and what the technician notices is the frame
 * rate. Once it stops, whatever went blurred is sent again sharp and at full quality: by
 * the first update that is not a large change (the motion ended in small changes), or by
 * the streamer's settle timer (`settleMs` with no update at all).
 */
export interface MotionTrackerOptions {
  /** Two large changes at most this far apart are motion, ms. */
  readonly motionWindowMs: number;
}

/** How to send one update. */
export type MotionDecision =
  /** As usual: full resolution at the adaptive quality. */
  | 'as-planned'
  /** Half resolution (FRAME flag SCALED), at the adaptive quality. */
  | 'halve'
  /** The whole screen at full resolution and the highest quality: it repairs what went halved. */
  | 'repair';

export class MotionTracker {
  private lastLargeAt = -Infinity;
  private halvedSinceRepair = false;

  constructor(private readonly options: MotionTrackerOptions) {}

  /** True while the page shows something sent halved that no sharp update has covered since. */
  get needsRepair(): boolean {
    return this.halvedSinceRepair;
  }

  /**
   * Called once per update about to be sent; `large` says the diff found most of the screen
   * changed (a refresh or a resize is not a large change: it is no sign of motion).
   */
  decide(large: boolean, now: number): MotionDecision {
    const moving = large && now - this.lastLargeAt <= this.options.motionWindowMs;
    this.lastLargeAt = large ? now : -Infinity;
    if (moving) {
      this.halvedSinceRepair = true;
      return 'halve';
    }
    if (!this.halvedSinceRepair) return 'as-planned';
    // Motion is over (or paused): this update goes out whole and sharp, and covers it all.
    this.halvedSinceRepair = false;
    return 'repair';
  }
}
