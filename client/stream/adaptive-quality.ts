/**
 * JPEG quality that follows the acknowledgement latency: when frames take long to come
 * back (slow link, slow viewer), smaller frames get through sooner; when the pipe is
 * idle, quality creeps back. Multiplicative-ish decrease, additive increase, like TCP,
 * so a congested link is relieved fast and probed gently.
 */
export interface AdaptiveQualityOptions {
  readonly min: number;
  readonly max: number;
  readonly lowLatencyMs: number;
  readonly highLatencyMs: number;
  /** Where adaptive quality starts; `max` when absent. */
  readonly initial?: number;
}

/** Weight of the newest sample in the smoothed latency. */
const SMOOTHING = 0.3;
/** Quality points dropped per slow ack, and gained per fast ack. */
const DOWN_STEP = 5;
const UP_STEP = 1;

export class AdaptiveQuality {
  private auto: number;
  private fixed: number | undefined;
  private smoothedMs: number | undefined;

  constructor(private readonly options: AdaptiveQualityOptions, fixed?: number) {
    this.auto = options.initial ?? options.max;
    this.fixed = fixed;
  }

  /** Quality to encode the next update with. */
  get value(): number {
    return this.fixed ?? this.auto;
  }

  /**
   * Quality for a frame the technician will look at for a while (the sharp one after motion):
   * the technician's fixed choice if any, else the highest adaptive quality.
   */
  get best(): number {
    return this.fixed ?? this.options.max;
  }

  /** Smoothed grab → ack latency in ms, once an ack was seen. */
  get latencyMs(): number | undefined {
    return this.smoothedMs;
  }

  /** A fixed quality (1–100), or undefined to go back to adaptive. */
  setFixed(quality: number | undefined): void {
    this.fixed = quality;
  }

  /** Feeds the latency of one acknowledged update. */
  onAck(latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    this.smoothedMs = this.smoothedMs === undefined ? latencyMs : this.smoothedMs + SMOOTHING * (latencyMs - this.smoothedMs);
    const { min, max, lowLatencyMs, highLatencyMs } = this.options;
    if (this.smoothedMs > highLatencyMs) this.auto = Math.max(min, this.auto - DOWN_STEP);
    else if (this.smoothedMs < lowLatencyMs) this.auto = Math.min(max, this.auto + UP_STEP);
  }
}
