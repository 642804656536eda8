import Bottleneck from "bottleneck";
import type { StockPusher } from "../../core/ports/stock-pusher-port";

/**
 * One token bucket per connection and process (bottleneck's reservoir refreshed every second
 * with the channel's rate, up to its burst). Runs of one connection are serial (their own job
 * queue), so the bucket only has to pace the calls of one run and its successors in this process.
 */
const limiters = new Map<string, Bottleneck>();

export function rateLimited<T>(connectionId: string, pusher: Pick<StockPusher, "rateLimit">, call: () => Promise<T>): Promise<T> {
  const limit = pusher.rateLimit;
  if (!limit) return call();
  const key = `${connectionId}:${limit.requestsPerSecond}:${limit.burst}`;
  let limiter = limiters.get(key);
  if (!limiter) {
    const perSecond = Math.max(1, Math.floor(limit.requestsPerSecond));
    limiter = new Bottleneck({
      reservoir: limit.burst,
      reservoirIncreaseAmount: perSecond,
      reservoirIncreaseInterval: 1000,
      reservoirIncreaseMaximum: limit.burst,
      // Fractional rates (Amazon's 0.0167/s feeds) space calls out instead of rounding up.
      minTime: limit.requestsPerSecond < 1 ? Math.ceil(1000 / limit.requestsPerSecond) : 0,
    });
    limiters.set(key, limiter);
  }
  return limiter.schedule(call);
}
