import { backoffDelayMs, type BackoffOptions } from '../backoff';

/** The technician's page: 0.5 … 8 s, five retries. */
const GIVES_UP: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 8000, factor: 2, jitter: 0.2, maxRetries: 5 };
/** The customer's agent: 1 … 30 s, forever. */
const FOREVER: BackoffOptions = { initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 0.2 };
const mid = (): number => 0.5; // no jitter

describe('reconnect back-off', () => {
  it('doubles from the first delay, caps, and gives up after the last retry', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, GIVES_UP, mid))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoffDelayMs(6, GIVES_UP, mid)).toBeUndefined();
    expect(backoffDelayMs(0, GIVES_UP, mid)).toBeUndefined();
    expect(backoffDelayMs(1, GIVES_UP, () => 0)).toBe(400);
    expect(backoffDelayMs(1, GIVES_UP, () => 1)).toBe(600);
  });

  it('without a retry limit goes 1 s, 2 s, 4 s … up to 30 s and never gives up', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, FOREVER, mid))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffDelayMs(1000, FOREVER, mid)).toBe(30_000);
  });

  it('spreads each delay by the jitter, but never past the ceiling', () => {
    expect(backoffDelayMs(1, FOREVER, () => 0)).toBe(800);
    expect(backoffDelayMs(1, FOREVER, () => 1)).toBe(1200);
    expect(backoffDelayMs(10, FOREVER, () => 0)).toBe(24_000);
    expect(backoffDelayMs(10, FOREVER, () => 1)).toBe(30_000);
  });

  it('follows the factor', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, { ...FOREVER, factor: 3 }, mid))).toEqual([1000, 3000, 9000]);
  });

  it('has no delay for something that is not a retry number', () => {
    expect(backoffDelayMs(1.5, FOREVER, mid)).toBeUndefined();
    expect(backoffDelayMs(-1, FOREVER, mid)).toBeUndefined();
  });
});
