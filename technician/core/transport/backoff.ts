/** Retry pacing for re-opening the socket. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialDelayMs: number;
  /** Longest delay, ms. */
  readonly maxDelayMs: number;
  /** Retries before giving up. */
  readonly maxRetries: number;
  /** ± this fraction of random spread, so many viewers dropped together do not return together. */
  readonly jitter: number;
}

/** 0.5, 1, 2, 4, 8 s: about 15 s of trying, enough to ride out a relay restart. */
export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialDelayMs: 500, maxDelayMs: 8000, maxRetries: 5, jitter: 0.2 });

/**
 * Delay before retry number `retry` (1-based): doubling from `initialDelayMs`, capped, with
 * jitter. Returns undefined when no retry is left. `random` is injectable for tests.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number | undefined {
  if (!Number.isInteger(retry) || retry < 1 || retry > options.maxRetries) return undefined;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (retry - 1));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
