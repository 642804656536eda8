import { describe, expect, it } from "vitest";
import { decideRoutingDeferral } from "./routing-deferral";

const settings = { backlogThreshold: 100, retryMs: 1_000, maxWaitMs: 30_000 };

describe("routing during an intake burst", () => {
  it("routes at once when intake keeps up", () => {
    expect(decideRoutingDeferral({ pendingDeliveries: 99, oldestWaitingMs: 500 }, settings)).toEqual({ defer: false });
  });

  it("waits while more deliveries are queued than one intake batch takes", () => {
    expect(decideRoutingDeferral({ pendingDeliveries: 100, oldestWaitingMs: 500 }, settings)).toEqual({ defer: true, retryMs: 1_000 });
  });

  it("never makes an order wait longer than the limit, however long the burst", () => {
    expect(decideRoutingDeferral({ pendingDeliveries: 5_000, oldestWaitingMs: 29_600 }, settings)).toEqual({ defer: true, retryMs: 400 });
    expect(decideRoutingDeferral({ pendingDeliveries: 5_000, oldestWaitingMs: 30_000 }, settings)).toEqual({ defer: false });
  });

  it("has nothing to wait for when no order waits", () => {
    expect(decideRoutingDeferral({ pendingDeliveries: 5_000, oldestWaitingMs: null }, settings)).toEqual({ defer: false });
  });
});
