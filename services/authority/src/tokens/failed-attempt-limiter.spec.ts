import { FailedAttemptLimiter } from './failed-attempt-limiter';

class FakeClock {
  ms = 1_000_000;
  now(): number {
    return this.ms;
  }
}

describe('FailedAttemptLimiter', () => {
  it('blocks a key after its allowance until the window ends', () => {
    const clock = new FakeClock();
    const limiter = new FailedAttemptLimiter(3, 60_000, clock);
    expect(limiter.recordFailure('client:a')).toBe(false);
    expect(limiter.recordFailure('client:a')).toBe(false);
    expect(limiter.retryAfterSec('client:a')).toBeUndefined();
    expect(limiter.recordFailure('client:a')).toBe(true);
    clock.ms += 15_000;
    expect(limiter.retryAfterSec('client:a')).toBe(45);
    expect(limiter.retryAfterSec('client:b')).toBeUndefined();
    clock.ms += 45_000;
    expect(limiter.retryAfterSec('client:a')).toBeUndefined();
  });

  it('forgets failures after a success', () => {
    const limiter = new FailedAttemptLimiter(2, 60_000, new FakeClock());
    limiter.recordFailure('user:x');
    limiter.reset('user:x');
    expect(limiter.recordFailure('user:x')).toBe(false);
  });

  it('bounds memory by evicting the oldest windows', () => {
    const limiter = new FailedAttemptLimiter(1, 60_000, new FakeClock(), 2);
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    expect(limiter.retryAfterSec('a')).toBeUndefined();
    expect(limiter.retryAfterSec('c')).toBeDefined();
  });
});
