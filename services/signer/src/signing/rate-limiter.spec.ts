import { TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  test('allows a burst, then refuses with the wait until the next token, per client', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(10, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(100);
    expect(limiter.take('b')).toBe(0);
    now = 100;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(100);
  });

  test('refills at the sustained rate up to the burst only', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(1000, 5, () => now);
    for (let i = 0; i < 5; i += 1) limiter.take('c');
    now = 10_000;
    const allowed = Array.from({ length: 8 }, () => limiter.take('c')).filter((wait) => wait === 0).length;
    expect(allowed).toBe(5);
  });

  test('a batch is charged one token per signature', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(10, 5, () => now);
    expect(limiter.take('d', 4)).toBe(0);
    expect(limiter.take('d', 4)).toBe(300);
    now = 300;
    expect(limiter.take('d', 4)).toBe(0);
  });
});
