import { AttemptLimiter } from '../attempt-limiter';

const options = { perAddress: 5, global: 100, windowMs: 60_000, cooldownMs: 300_000, maxTrackedAddresses: 3 };

describe('AttemptLimiter', () => {
  test('blocks an address after 5 wrong codes within a minute, until the cool-down ends', () => {
    const l = new AttemptLimiter(options);
    for (let i = 0; i < 4; i++) l.recordFailure('a', i * 1000);
    expect(l.isBlocked('a', 5000)).toBe(false);
    l.recordFailure('a', 5000);
    expect(l.isBlocked('a', 5001)).toBe(true);
    expect(l.isBlocked('b', 5001)).toBe(false);
    expect(l.isBlocked('a', 5000 + 300_000 - 1)).toBe(true);
    expect(l.isBlocked('a', 5000 + 300_000)).toBe(false);
  });

  test('failures spread over more than a window do not add up', () => {
    const l = new AttemptLimiter(options);
    for (let i = 0; i < 10; i++) l.recordFailure('a', i * 61_000);
    expect(l.isBlocked('a', 10 * 61_000)).toBe(false);
  });

  test('blocks everyone when the global count is reached, for the rest of the window', () => {
    const l = new AttemptLimiter({ ...options, global: 3, maxTrackedAddresses: 100 });
    l.recordFailure('a', 0);
    l.recordFailure('b', 1);
    l.recordFailure('c', 2);
    expect(l.isBlocked('fresh', 3)).toBe(true);
    expect(l.isBlocked('fresh', 60_000)).toBe(false);
  });

  test('remembers at most maxTrackedAddresses, forgetting the least recently seen', () => {
    const l = new AttemptLimiter(options);
    for (const a of ['a', 'b', 'c', 'd', 'e']) l.recordFailure(a, 0);
    expect(l.trackedAddresses).toBe(3);
  });
});
