/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`. Used for
 * per-socket message and byte rates. Time comes from a monotonic source passed in.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, nowMs: number) {
    this.tokens = burst;
    this.last = nowMs;
  }

  /** Takes `n` tokens if available; returns false (taking none) when the rate is exceeded. */
  take(n: number, nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.last);
    this.last = nowMs;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
