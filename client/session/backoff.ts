/**
 * Growing delays between reconnection attempts: 1 s, 2 s, 4 s … up to a ceiling, with
 * some randomness so that many agents cut off by the same outage do not all come back
 * in the same instant.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0.2 means ±20 %. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.2 });

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF, private readonly random: () => number = Math.random) {}

  /** The delay before the next attempt. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * this.options.factor ** this.attempt);
    this.attempt++;
    const spread = base * this.options.jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(this.options.maxMs, base + spread)));
  }

  /** A connection succeeded: start again from the shortest delay. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
