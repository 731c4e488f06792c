import { TokenBucket } from '../token-bucket';

describe('TokenBucket', () => {
  test('allows a burst, then the sustained rate', () => {
    const b = new TokenBucket(10, 20, 0);
    for (let i = 0; i < 20; i++) expect(b.take(1, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.take(1, 100)).toBe(true); // 100 ms at 10/s refills one
    expect(b.take(1, 100)).toBe(false);
  });

  test('never refills past the burst', () => {
    const b = new TokenBucket(10, 5, 0);
    expect(b.take(6, 1_000_000)).toBe(false);
    expect(b.take(5, 1_000_000)).toBe(true);
  });
});
