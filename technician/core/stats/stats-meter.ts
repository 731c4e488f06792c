/** What the status bar shows. */
export interface StatsSnapshot {
  /** Updates drawn per second over the last window. */
  readonly fps: number;
  /**
   * Median capture-to-draw time over the window, ms, or undefined before any update.
   * Measured as "draw time here − capture time there", so it includes the difference of
   * the two machines' clocks; on a synchronised (NTP) pair that is a few ms.
   */
  readonly latencyMs: number | undefined;
  /** Bytes received per second over the window. */
  readonly bytesPerSecond: number;
  readonly screenWidth: number;
  readonly screenHeight: number;
}

/** Sliding-window length. */
export interface StatsMeterOptions {
  /** Length of the sliding window, ms. */
  readonly windowMs: number;
}

/**
 * Sliding-window counters for the status bar. Times are passed in (epoch ms), so the
 * meter is pure and testable; the caller uses `Date.now()` because capture times are
 * epoch ms of the client's clock.
 */
export class StatsMeter {
  private readonly updates: { at: number; latencyMs: number }[] = [];
  private readonly bytes: { at: number; n: number }[] = [];
  private screen = { width: 0, height: 0 };

  constructor(private readonly options: StatsMeterOptions = { windowMs: 2000 }) {}

  /** A received message of `n` bytes. */
  recordBytes(n: number, nowMs: number): void {
    this.bytes.push({ at: nowMs, n });
    this.prune(nowMs);
  }

  /** An update was drawn at `nowMs`; it was captured at `captureTimeMs`. */
  recordUpdate(captureTimeMs: number, nowMs: number): void {
    // Kept signed: a negative or huge value says the two clocks disagree (see formatStats).
    this.updates.push({ at: nowMs, latencyMs: nowMs - captureTimeMs });
    this.prune(nowMs);
  }

  setScreenSize(width: number, height: number): void {
    this.screen = { width, height };
  }

  snapshot(nowMs: number): StatsSnapshot {
    this.prune(nowMs);
    const seconds = this.options.windowMs / 1000;
    const latencies = this.updates.map((u) => u.latencyMs).sort((a, b) => a - b);
    const mid = latencies.length >> 1;
    const latencyMs = latencies.length === 0 ? undefined
      : latencies.length % 2 === 1 ? latencies[mid]! : (latencies[mid - 1]! + latencies[mid]!) / 2;
    return {
      fps: this.updates.length / seconds,
      latencyMs,
      bytesPerSecond: this.bytes.reduce((sum, b) => sum + b.n, 0) / seconds,
      screenWidth: this.screen.width,
      screenHeight: this.screen.height,
    };
  }

  reset(): void {
    this.updates.length = 0;
    this.bytes.length = 0;
    this.screen = { width: 0, height: 0 };
  }

  private prune(nowMs: number): void {
    const from = nowMs - this.options.windowMs;
    while (this.updates.length > 0 && this.updates[0]!.at <= from) this.updates.shift();
    while (this.bytes.length > 0 && this.bytes[0]!.at <= from) this.bytes.shift();
  }
}
