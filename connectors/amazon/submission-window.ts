/**
 * A limit counted as "at most `limit` submissions in any `windowMs`", the way Amazon states the
 * JSON_LISTINGS_FEED feed-type limit (five feeds per five minutes per seller and region), which
 * a token bucket would overshoot after its burst. Like TokenBucket it never waits: `tryTake`
 * says how long until a submission is allowed. The clock is injected so tests are deterministic.
 */
export class SubmissionWindow {
  private readonly times: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  available(): number {
    this.prune();
    return Math.max(0, this.limit - this.times.length);
  }

  /** Records a submission and returns 0, or records nothing and returns the milliseconds until one is allowed. */
  tryTake(): number {
    this.prune();
    if (this.times.length < this.limit) {
      this.times.push(this.now());
      return 0;
    }
    return Math.max(1, this.times[0]! + this.windowMs - this.now());
  }

  private prune(): void {
    const t = this.now();
    while (this.times.length > 0 && this.times[0]! + this.windowMs <= t) this.times.shift();
  }
}
