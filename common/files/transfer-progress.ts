/**
 * Bytes, speed and time left of one transfer, for the progress bars on both sides. The
 * speed is smoothed over the last second or so (an exponential average), so a bar does
 * not jump with each chunk; time left is what remains at that speed.
 */
export interface TransferProgress {
  readonly bytes: number;
  readonly total: number;
  /** 0 … 100, whole. */
  readonly percent: number;
  readonly bytesPerSecond: number;
  /** Undefined until a speed is known. */
  readonly secondsLeft: number | undefined;
}

/** How much the newest sample weighs in the smoothed speed. */
const SMOOTHING = 0.3;
/** Samples closer than this are merged: speeds from a few milliseconds are noise. */
const MIN_SAMPLE_MS = 100;

export class ProgressMeter {
  private bytesNow = 0;
  private sampleBytes = 0;
  private sampleAtMs: number;
  private speed = 0;

  constructor(private readonly total: number, private readonly now: () => number) {
    this.sampleAtMs = now();
  }

  /** `bytes` are done now (they only ever grow). True when a new sample was taken (time to tell the screen). */
  update(bytes: number): boolean {
    this.bytesNow = bytes;
    const at = this.now();
    const elapsed = at - this.sampleAtMs;
    if (elapsed < MIN_SAMPLE_MS && bytes < this.total) return false;
    if (elapsed > 0) {
      const sample = ((bytes - this.sampleBytes) * 1000) / elapsed;
      this.speed = this.speed === 0 ? sample : this.speed + SMOOTHING * (sample - this.speed);
    }
    this.sampleBytes = bytes;
    this.sampleAtMs = at;
    return true;
  }

  get progress(): TransferProgress {
    const left = this.total - this.bytesNow;
    return {
      bytes: this.bytesNow,
      total: this.total,
      percent: this.total === 0 ? 100 : Math.floor((this.bytesNow * 100) / this.total),
      bytesPerSecond: Math.round(this.speed),
      secondsLeft: left === 0 ? 0 : this.speed > 0 ? left / this.speed : undefined,
    };
  }
}
