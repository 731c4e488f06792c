import { AttemptLimiter } from '../attempt-limiter';

const options = { perAddress: 5, global: 100, globalWindowMs: 60_000, cooldownMs: 300_000, maxTrackedAddresses: 3 };

describe('AttemptLimiter', () => {
  test('blocks an address after 5 wrong codes, until the cool-down ends', () => {
    const l = new AttemptLimiter(options);
    for (let i = 0; i < 4; i++) l.recordGuess('a', i * 1000);
    expect(l.isBlocked('a', 5000)).toBe(false);
    l.recordGuess('a', 5000);
    expect(l.verdict('a', 5001)).toBe('blocked');
    expect(l.isBlocked('b', 5001)).toBe(false);
    expect(l.isBlocked('a', 5000 + 300_000 - 1)).toBe(true);
    expect(l.isBlocked('a', 5000 + 300_000)).toBe(false);
  });

  test('counts an address\'s guesses over the whole cool-down window: 4 a minute trips it in the second minute', () => {
    const l = new AttemptLimiter(options);
    for (let i = 0; i < 4; i++) l.recordGuess('a', i * 1000);
    expect(l.isBlocked('a', 60_000)).toBe(false);
    l.recordGuess('a', 60_000);
    expect(l.isBlocked('a', 60_001)).toBe(true);
  });

  test('guesses spread wider than the window do not add up', () => {
    const l = new AttemptLimiter(options);
    for (let i = 0; i < 10; i++) l.recordGuess('a', i * 301_000);
    expect(l.isBlocked('a', 10 * 301_000)).toBe(false);
  });

  test('on alert, an address that guessed recently is refused; one that did not is still heard', () => {
    const l = new AttemptLimiter({ ...options, global: 3, maxTrackedAddresses: 100 });
    l.recordGuess('a', 0);
    l.recordGuess('b', 1);
    expect(l.onAlert(2)).toBe(false);
    expect(l.isBlocked('a', 2)).toBe(false);
    l.recordGuess('c', 2);
    expect(l.onAlert(3)).toBe(true);
    expect(l.verdict('a', 3)).toBe('blocked-on-alert');
    expect(l.verdict('fresh', 3)).toBe('allowed');
    // The alert passes with the global window; the one guess of 'a' no longer blocks it.
    expect(l.onAlert(60_001)).toBe(false);
    expect(l.isBlocked('a', 60_001)).toBe(false);
  });

  test('a distributed guesser on alert gets one guess per address per window', () => {
    const l = new AttemptLimiter({ ...options, global: 10, maxTrackedAddresses: 10_000 });
    let allowed = 0;
    for (let round = 0; round < 20; round++) {
      for (let a = 0; a < 100; a++) {
        const now = round * 1000 + a;
        if (l.isBlocked(`10.0.0.${a}`, now)) continue;
        allowed++;
        l.recordGuess(`10.0.0.${a}`, now);
      }
    }
    expect(allowed).toBe(100);
  });

  test('a guess that is not wrong (a legacy registration of a free code) costs the address but raises no alert', () => {
    const l = new AttemptLimiter({ ...options, global: 2, maxTrackedAddresses: 100 });
    for (let i = 0; i < 4; i++) l.recordGuess('a', i, false);
    expect(l.onAlert(10)).toBe(false);
    l.recordGuess('a', 10, false);
    expect(l.isBlocked('a', 11)).toBe(true);
  });

  test('remembers at most maxTrackedAddresses, forgetting the least recently seen', () => {
    const l = new AttemptLimiter(options);
    for (const a of ['a', 'b', 'c', 'd', 'e']) l.recordGuess(a, 0);
    expect(l.trackedAddresses).toBe(3);
  });
});
