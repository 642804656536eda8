import { describe, expect, it } from "vitest";
import { figureAfterOwnSales, OWN_SALE_CLOCK_MARGIN_MS } from "./own-sale-echo.js";

const settledAt = new Date("2026-12-01T10:00:00Z");
const at = (ms: number) => new Date(settledAt.getTime() + ms);

describe("figureAfterOwnSales", () => {
  it("moves the figure down by the units sold after the channel settled on it", () => {
    expect(figureAfterOwnSales({ lastPushedAvailable: 10, lastPushSettledAt: settledAt }, [{ soldAt: at(60_000), units: 2 }])).toBe(8);
  });

  it("leaves a sale the channel made before our figure landed to be pushed: that push overwrote it", () => {
    expect(figureAfterOwnSales({ lastPushedAvailable: 10, lastPushSettledAt: settledAt }, [{ soldAt: at(-60_000), units: 2 }])).toBeNull();
  });

  it("counts only the sales after the figure settled, and never below zero", () => {
    const sales = [
      { soldAt: at(-1_000), units: 5 },
      { soldAt: at(30_000), units: 1 },
      { soldAt: at(40_000), units: 1 },
    ];
    expect(figureAfterOwnSales({ lastPushedAvailable: 10, lastPushSettledAt: settledAt }, sales)).toBe(8);
    expect(figureAfterOwnSales({ lastPushedAvailable: 1, lastPushSettledAt: settledAt }, sales)).toBe(0);
  });

  it("is not sure within the clock margin, nor while a push is in flight or the figure is unknown", () => {
    expect(figureAfterOwnSales({ lastPushedAvailable: 10, lastPushSettledAt: settledAt }, [{ soldAt: at(OWN_SALE_CLOCK_MARGIN_MS), units: 1 }])).toBeNull();
    expect(figureAfterOwnSales({ lastPushedAvailable: 10, lastPushSettledAt: null }, [{ soldAt: at(60_000), units: 1 }])).toBeNull();
    expect(figureAfterOwnSales({ lastPushedAvailable: null, lastPushSettledAt: settledAt }, [{ soldAt: at(60_000), units: 1 }])).toBeNull();
  });
});
