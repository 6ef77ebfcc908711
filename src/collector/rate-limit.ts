/**
 * Per-client token buckets: `rate` requests a second with a burst of the same size.
 * The map is bounded: past `maxClients` the oldest entries are forgotten (they refill
 * to a full bucket, which only errs on the generous side).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly maxClients = 10_000,
  ) {}

  /**
   * 0 when `client` may go now, else the seconds until it may.
   *
   * @example
   * ```ts
   * const limiter = new RateLimiter(10);
   * limiter.take('10.0.0.1', Date.now()); // 0
   * ```
   */
  take(client: string, now: number): number {
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: this.rate, at: now };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.rate, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}
