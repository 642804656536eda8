/**
 * SP-API's usage plans are token buckets: `burst` tokens, refilled at `rateRps` per second,
 * one token per request. The same class keeps the connector inside the documented limits and
 * lets the sandbox answer 429 when a caller does not. It never waits: `tryTake` says how long
 * until a token is there, so a job can reschedule itself instead of sleeping. The clock is
 * injected so tests are deterministic.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private rateRps: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  get rate(): number {
    return this.rateRps;
  }

  /** A seller's plan can differ from the default; x-amzn-RateLimit-Limit tells the real rate. */
  setRate(rateRps: number): void {
    if (!(rateRps > 0) || !Number.isFinite(rateRps)) return;
    this.refill();
    this.rateRps = rateRps;
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes a token and returns 0, or takes nothing and returns the milliseconds until one is there. */
  tryTake(): number {
    this.refill();
    // A caller that slept exactly the announced wait must get its token despite float rounding.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rateRps) * 1000);
  }

  /** Empties the bucket: the server said 429, so whatever we believed was left is not. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rateRps);
    this.updatedAt = t;
  }
}
