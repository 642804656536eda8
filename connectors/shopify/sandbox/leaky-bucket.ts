/**
 * Shopify's per-app-per-shop cost bucket: it holds `maximumAvailable` points, refills at
 * `restoreRate` points per second, and a query is refused (THROTTLED) when its requested cost
 * exceeds what is in the bucket right now. The clock is injected so tests are deterministic.
 */
export interface ThrottleStatusSnapshot {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly maximumAvailable: number,
    readonly restoreRate: number,
    private readonly now: () => number,
  ) {
    this.level = maximumAvailable;
    this.updatedAt = now();
  }

  available(): number {
    const t = this.now();
    const refilled = ((t - this.updatedAt) / 1000) * this.restoreRate;
    this.level = Math.min(this.maximumAvailable, this.level + Math.max(0, refilled));
    this.updatedAt = t;
    return this.level;
  }

  /** Takes `cost` points if they are there; otherwise takes nothing and returns false. */
  tryTake(cost: number): boolean {
    if (this.available() < cost) return false;
    this.level -= cost;
    return true;
  }

  /** Returns points charged up front but not used (requested minus actual cost). */
  refund(points: number): void {
    this.available();
    this.level = Math.min(this.maximumAvailable, this.level + Math.max(0, points));
  }

  /** Empties the bucket; used by tests and the demo to show throttling on demand. */
  drain(to = 0): void {
    this.available();
    this.level = Math.max(0, Math.min(this.level, to));
  }

  status(): ThrottleStatusSnapshot {
    // Shopify reports whole points.
    return {
      maximumAvailable: this.maximumAvailable,
      currentlyAvailable: Math.floor(this.available()),
      restoreRate: this.restoreRate,
    };
  }
}
