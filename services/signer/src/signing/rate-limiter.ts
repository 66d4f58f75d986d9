/** Monotonic milliseconds; injected so tests drive time. */
export type MonotonicClock = () => number;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets untouched this long are full again anyway, so they are dropped to bound memory. */
const IDLE_EVICT_MS = 60_000;

/**
 * A token bucket per client id: `ratePerSec` sustained, `burst` at once. In-process, so the bound
 * holds per replica (N replicas allow N times the rate); the signer usually runs one or two.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: MonotonicClock = () => performance.now(),
  ) {
    this.lastSweep = now();
  }

  /** Takes `cost` tokens; returns 0 when allowed, else the ms until enough are available. */
  take(clientId: string, cost = 1): number {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(clientId) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) * this.ratePerSec) / 1000);
    bucket.updatedAt = now;
    this.buckets.set(clientId, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    // A cost above the burst can never be paid: the wait reported is for a full bucket.
    return Math.ceil(((Math.min(cost, this.burst) - bucket.tokens) * 1000) / this.ratePerSec);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < IDLE_EVICT_MS) return;
    this.lastSweep = now;
    for (const [id, bucket] of this.buckets)
      if (now - bucket.updatedAt > IDLE_EVICT_MS) this.buckets.delete(id);
  }
}
