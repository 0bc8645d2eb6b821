interface Bucket {
  tokens: number;
  at: number;
}

/** Outcome of {@link TokenBucketLimiter.take}. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Per-client token buckets: each client may burst up to `perMinute` requests and then gets
 * `perMinute / 60` more per second. In memory and per process (several instances behind a load
 * balancer each allow the limit; put a gateway in front for a global one).
 *
 * Memory is bounded: at most `maxClients` buckets are kept; when full, buckets that have refilled
 * (idle clients, indistinguishable from new ones) are dropped first, then the least recently used.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 10_000,
  ) {
    if (!(perMinute > 0)) throw new Error('TokenBucketLimiter needs a positive limit');
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request's token for `client`. */
  take(client: string): RateDecision {
    const now = this.now();
    const found = this.buckets.get(client);
    const bucket = found ? this.refill(found, now) : { tokens: this.perMinute, at: now };
    // Re-insert: Map order is then least recently used first.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (!found && this.buckets.size > this.maxClients) this.evict(now, client);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Number of clients tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(b: Bucket, now: number): Bucket {
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    return b;
  }

  private evict(now: number, keep: string): void {
    for (const [client, b] of this.buckets) {
      if (this.buckets.size <= this.maxClients) return;
      if (client !== keep && this.refill(b, now).tokens >= this.perMinute) this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size <= this.maxClients) return;
      if (client !== keep) this.buckets.delete(client);
    }
  }
}
