import type { Clock } from '@stella/auth';

interface Window {
  failures: number;
  startedAt: number;
}

/**
 * Counts failed token requests per key (a client id, a user, a source IP) in fixed windows and
 * refuses further attempts from a key that used up its allowance, until its window ends. Kept in
 * memory: each replica limits on its own, so the effective allowance is multiplied by the replica
 * count, which still turns online guessing from unbounded into a trickle.
 */
export class FailedAttemptLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    /** Bounds memory under a flood of distinct keys (spoofed client ids): oldest windows go first. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until the key may try again, or undefined when it is not blocked. */
  retryAfterSec(key: string): number | undefined {
    const window = this.current(key);
    if (!window || window.failures < this.maxFailures) return undefined;
    return Math.max(1, Math.ceil((window.startedAt + this.windowMs - this.clock.now()) / 1000));
  }

  /** Records a failure; returns true when this failure used up the allowance (the key is now blocked). */
  recordFailure(key: string): boolean {
    const now = this.clock.now();
    let window = this.current(key);
    if (!window) {
      window = { failures: 0, startedAt: now };
      this.windows.delete(key);
      this.windows.set(key, window);
      this.evictOverflow();
    }
    window.failures += 1;
    return window.failures === this.maxFailures;
  }

  /** A success clears the key's failures (a user who finally typed the right password). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.clock.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private evictOverflow(): void {
    while (this.windows.size > this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) return;
      this.windows.delete(oldest.value);
    }
  }
}
