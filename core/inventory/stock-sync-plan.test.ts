import { describe, expect, it } from "vitest";
import { DefaultChannelAllocationStrategy } from "./channel-allocation-strategy.js";
import { batchesDue, FOLLOW_UP_DELAYS_MS, followUpDelayMs, inBatches, listingAvailableToSell, PENDING_CHECK_MAX_INTERVAL_MS, pendingCheckDue, planStockPush, type ListingStock } from "./stock-sync-plan.js";

const strategy = new DefaultChannelAllocationStrategy();
const listing = (overrides: Partial<ListingStock> = {}): ListingStock => ({
  listingId: "l1",
  allocationPercent: 100,
  buffer: 0,
  levels: [{ locationId: "east", onHand: 10, reserved: 0, safetyStock: 0 }],
  kitComponents: [],
  lastPushedAvailable: null,
  ...overrides,
});

describe("planStockPush", () => {
  it("pushes listings whose figure differs from the last pushed one and leaves the rest", () => {
    const plan = planStockPush(
      [listing({ listingId: "same", lastPushedAvailable: 10 }), listing({ listingId: "moved", lastPushedAvailable: 12 }), listing({ listingId: "new" })],
      ["east"],
      strategy,
    );
    expect(plan.changed.map((c) => [c.listing.listingId, c.available])).toEqual([
      ["moved", 10],
      ["new", 10],
    ]);
    expect(plan.unchanged.map((l) => l.listingId)).toEqual(["same"]);
  });

  it("applies allocation and buffer after pooling the channel's locations", () => {
    const stock = listing({
      allocationPercent: 50,
      buffer: 1,
      levels: [
        { locationId: "east", onHand: 10, reserved: 2, safetyStock: 1 },
        { locationId: "west", onHand: 6, reserved: 0, safetyStock: 0 },
        { locationId: "elsewhere", onHand: 100, reserved: 0, safetyStock: 0 },
      ],
    });
    // (7 + 6) × 50 % = 6.5 → 6, minus 1.
    expect(listingAvailableToSell(stock, ["east", "west"], strategy)).toBe(5);
  });

  it("derives a kit's figure from its components, per location", () => {
    const kit = listing({
      levels: [],
      kitComponents: [
        { quantityPerKit: 2, levels: [{ locationId: "east", onHand: 5, reserved: 0, safetyStock: 0 }, { locationId: "west", onHand: 1, reserved: 0, safetyStock: 0 }] },
        { quantityPerKit: 1, levels: [{ locationId: "east", onHand: 9, reserved: 0, safetyStock: 0 }, { locationId: "west", onHand: 9, reserved: 0, safetyStock: 0 }] },
      ],
    });
    expect(listingAvailableToSell(kit, ["east", "west"], strategy)).toBe(2);
  });
});

describe("inBatches", () => {
  it("splits into consecutive batches no larger than the limit", () => {
    expect(inBatches([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(inBatches([], 250)).toEqual([]);
    expect(() => inBatches([1], 0)).toThrow(RangeError);
  });
});

describe("followUpDelayMs", () => {
  it("asks for nothing when every item was applied or refused for good", () => {
    expect(followUpDelayMs([{ kind: "item", status: "applied" }, { kind: "item", status: "rejected" }])).toBeNull();
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "unauthorized" }])).toBeNull();
  });

  it("waits as long as a rate-limited channel asked, at least a second", () => {
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "rate_limited", retryAfterMs: 7_000 }])).toBe(7_000);
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "rate_limited", retryAfterMs: 10 }])).toBe(1_000);
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "rate_limited" }])).toBe(FOLLOW_UP_DELAYS_MS.rateLimitedDefault);
  });

  it("takes the soonest of several reasons", () => {
    expect(
      followUpDelayMs([
        { kind: "item", status: "conflict" },
        { kind: "connection_failed", reason: "unavailable" },
        { kind: "item", status: "not_applied" },
      ]),
    ).toBe(Math.min(FOLLOW_UP_DELAYS_MS.conflict, FOLLOW_UP_DELAYS_MS.unavailable, FOLLOW_UP_DELAYS_MS.notApplied));
  });

  it("backs off exponentially over consecutive failed runs, capped, unless the channel said when", () => {
    const unavailable = [{ kind: "connection_failed", reason: "unavailable" } as const];
    expect([0, 1, 2, 3].map((attempt) => followUpDelayMs(unavailable, attempt))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(followUpDelayMs(unavailable, 20)).toBe(FOLLOW_UP_DELAYS_MS.backoffMax);
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "rate_limited" }], 1)).toBe(20_000);
    expect(followUpDelayMs([{ kind: "connection_failed", reason: "rate_limited", retryAfterMs: 3_000 }], 5)).toBe(3_000);
  });
});

describe("batchesDue", () => {
  const at = (item: { at: number }) => item.at;
  const items = (times: number[]) => times.map((time, i) => ({ id: i, at: time }));

  it("sends full batches at once, in the items' order, and holds the newest left-over changes until the oldest of them is a hold old", () => {
    const due = batchesDue(items([900, 100, 950, 200, 990]), { maxBatchSize: 2, holdMs: 500, now: 1000, markedAt: at });
    // One left over a whole number of batches: the newest change (990) waits 490 ms more.
    expect(due.send.map((batch) => batch.map((i) => i.at))).toEqual([
      [900, 100],
      [950, 200],
    ]);
    expect(due.held.map((i) => i.at)).toEqual([990]);
    expect(due.recheckInMs).toBe(490);
  });

  it("sends a partial batch whose oldest change waited the hold", () => {
    const due = batchesDue(items([400, 700]), { maxBatchSize: 25, holdMs: 500, now: 900, markedAt: at });
    expect(due.send).toHaveLength(1);
    expect(due.held).toEqual([]);
    expect(due.recheckInMs).toBeNull();
  });

  it("holds nothing with a zero hold, and nothing when there is nothing", () => {
    expect(batchesDue(items([999]), { maxBatchSize: 25, holdMs: 0, now: 999, markedAt: at }).held).toEqual([]);
    expect(batchesDue([], { maxBatchSize: 25, holdMs: 500, now: 0, markedAt: at })).toEqual({ send: [], held: [], recheckInMs: null });
  });
});

describe("pendingCheckDue", () => {
  const first = 5_000;
  /** The moments a run every `stepMs` for `forMs` asks about one submission made at 0. */
  function checksOverTime(stepMs: number, forMs: number): number[] {
    const asked: number[] = [];
    for (let now = 0; now <= forMs; now += stepMs) {
      if (pendingCheckDue({ submittedAt: 0, lastCheckedAt: asked.at(-1) ?? null }, now, first)) asked.push(now);
    }
    return asked;
  }

  it("does not ask before the result could be there, then at most once per interval however often runs come", () => {
    const asked = checksOverTime(500, 60_000);
    expect(asked[0]).toBe(first);
    for (let i = 1; i < asked.length; i++) expect(asked[i]! - asked[i - 1]!).toBeGreaterThanOrEqual(first);
  });

  it("backs off as the submission ages, up to the cap", () => {
    const asked = checksOverTime(500, 30 * 60_000);
    expect(asked.slice(0, 6)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000]);
    const gaps = asked.slice(1).map((t, i) => t - asked[i]!);
    expect(Math.max(...gaps)).toBe(PENDING_CHECK_MAX_INTERVAL_MS);
    // Half an hour of a feed still processing costs a couple of dozen looks, not one per run.
    expect(asked.length).toBeLessThan(25);
  });

  it("asks every time when no interval is set (direct calls), and a submission never asked about once the first wait is over", () => {
    expect(pendingCheckDue({ submittedAt: 0, lastCheckedAt: 0 }, 1, 0)).toBe(true);
    expect(pendingCheckDue({ submittedAt: 0, lastCheckedAt: null }, 4_999, first)).toBe(false);
    expect(pendingCheckDue({ submittedAt: 0, lastCheckedAt: null }, 600_000, first)).toBe(true);
  });
});
