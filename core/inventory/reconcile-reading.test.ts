import { describe, expect, it } from "vitest";
import { judgeReading, OWN_SALE_RECHECK_MS } from "./reconcile-reading.js";

const seen = new Date("2026-12-01T10:00:00Z");
const later = (ms: number) => new Date(seen.getTime() + ms);

describe("judgeReading", () => {
  it("takes the channel showing what we pushed for a match, and more than we pushed (or nothing) for drift at once", () => {
    expect(judgeReading({ pushed: 10, shown: 10, now: seen })).toEqual({ kind: "match" });
    expect(judgeReading({ pushed: 10, shown: 12, now: seen })).toEqual({ kind: "drift" });
    expect(judgeReading({ pushed: 10, shown: null, now: seen })).toEqual({ kind: "drift" });
  });

  it("holds a shortfall first seen now as a sale of the channel's own not captured yet", () => {
    expect(judgeReading({ pushed: 10, shown: 9, now: seen })).toEqual({ kind: "pending_own_sale", firstSeenAt: seen });
  });

  it("calls a shortfall drift only once a capture would have ended it", () => {
    const earlier = { pushed: 10, firstSeenAt: seen };
    expect(judgeReading({ pushed: 10, shown: 9, earlier, now: later(OWN_SALE_RECHECK_MS - 1) })).toMatchObject({ kind: "pending_own_sale", firstSeenAt: seen });
    expect(judgeReading({ pushed: 10, shown: 9, earlier, now: later(OWN_SALE_RECHECK_MS) })).toEqual({ kind: "drift" });
  });

  it("waits for a poll late enough on channels whose orders are polled", () => {
    const earlier = { pushed: 10, firstSeenAt: seen };
    const now = later(3 * OWN_SALE_RECHECK_MS);
    expect(judgeReading({ pushed: 10, shown: 9, earlier, now, ordersPolledAt: null }).kind).toBe("pending_own_sale");
    expect(judgeReading({ pushed: 10, shown: 9, earlier, now, ordersPolledAt: later(OWN_SALE_RECHECK_MS - 1) }).kind).toBe("pending_own_sale");
    expect(judgeReading({ pushed: 10, shown: 9, earlier, now, ordersPolledAt: later(OWN_SALE_RECHECK_MS) }).kind).toBe("drift");
  });

  it("starts over when the figure we pushed changed since the shortfall was seen", () => {
    expect(judgeReading({ pushed: 9, shown: 8, earlier: { pushed: 10, firstSeenAt: seen }, now: later(OWN_SALE_RECHECK_MS * 2) })).toEqual({
      kind: "pending_own_sale",
      firstSeenAt: later(OWN_SALE_RECHECK_MS * 2),
    });
  });
});
