/** A sustained rate and the burst allowed above it. */
export interface RateLimit {
  /** Tokens added per second: the sustained requests a second one key may make. */
  perSecond: number;
  /** The bucket's size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export interface RateLimits {
  /** Per secret key (server to server). A search partner asks once per search. */
  secretKey: RateLimit;
  /** Per publishable site key: the widget, from anyone's browser, so tighter. */
  siteKey: RateLimit;
}

/**
 * Per instance, so generous: a Lambda instance serves one request at a time (about a thousand a second at
 * most) and the local server one process. The limits stop a runaway loop or a scraped site key from starving
 * everyone else, never a real partner's searches; deps.rateLimits overrides them.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  secretKey: { perSecond: 1_000, burst: 2_000 },
  siteKey: { perSecond: 200, burst: 400 },
};

/** Buckets kept at most; only authenticated keys get one, so this bounds memory against many real keys. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * In-memory token buckets, one per key, per instance. A bucket that has filled up again is the same as a new
 * one, so buckets are dropped freely when there are too many: nothing is lost but a bucket at rest.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one token for `key`: 0 when granted, else the seconds to wait before one is there. */
  take(key: string, limit: RateLimit): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= MAX_BUCKETS) this.sweep(now, limit);
      bucket = { tokens: limit.burst, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number, limit: RateLimit) {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond >= limit.burst)
        this.buckets.delete(key);
    }
    // Still full of busy keys: start over rather than grow (a fresh bucket is the generous side).
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
