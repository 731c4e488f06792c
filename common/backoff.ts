/**
 * Growing delays between reconnection attempts, for the customer's agent and the
 * technician's page alike: each retry waits `factor` times longer than the one before, up
 * to a ceiling, with some randomness so that many peers cut off by the same outage do not
 * all come back in the same instant. Each side keeps its own defaults (the agent retries
 * forever, the technician's page gives up after a few tries).
 */
export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialDelayMs: number;
  /** Longest delay, ms, randomness included. */
  readonly maxDelayMs: number;
  /** How much longer each retry waits than the one before (2: doubling). */
  readonly factor: number;
  /** ± this fraction of random spread: 0.2 means ±20 %. */
  readonly jitter: number;
  /** Retries before giving up; absent, retry forever. */
  readonly maxRetries?: number;
}

/**
 * Delay before retry number `retry` (counted from 1), or undefined when that retry is not
 * allowed (past `maxRetries`, or not a retry number at all). `random` is injectable for tests.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number | undefined {
  if (!Number.isInteger(retry) || retry < 1) return undefined;
  if (options.maxRetries !== undefined && retry > options.maxRetries) return undefined;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (retry - 1));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(options.maxDelayMs, base + spread)));
}
