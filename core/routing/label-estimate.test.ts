import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_CARD, estimateLabel, rateCardSchema } from "./label-estimate.js";

describe("estimateLabel", () => {
  it("prices by zone from distance and adds the extra-unit charge", () => {
    expect(estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 10, units: 1, international: false })).toEqual({
      zone: 1,
      costMinor: 795,
      currency: "USD",
      days: 1,
      assumedFarthest: false,
    });
    const far = estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 4000, units: 3, international: false });
    expect(far).toMatchObject({ zone: 8, costMinor: 1540 + 2 * 240, days: 5 });
    // The bound itself belongs to the nearer zone.
    expect(estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 80, units: 1, international: false }).zone).toBe(1);
    expect(estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 80.1, units: 1, international: false }).zone).toBe(2);
  });

  it("assumes the farthest zone when distance is unknown and uses the international card across borders", () => {
    expect(estimateLabel(DEFAULT_RATE_CARD, { distanceKm: undefined, units: 1, international: false })).toMatchObject({ zone: 8, assumedFarthest: true });
    expect(estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 5, units: 2, international: true })).toMatchObject({ zone: 0, costMinor: 3450 + 450, days: 7 });
  });

  it("refuses empty parcels and malformed cards", () => {
    expect(() => estimateLabel(DEFAULT_RATE_CARD, { distanceKm: 5, units: 0, international: false })).toThrow(RangeError);
    const broken = { ...DEFAULT_RATE_CARD, transitDays: [1, 2] };
    expect(rateCardSchema.safeParse(broken).success).toBe(false);
    expect(rateCardSchema.safeParse({ ...DEFAULT_RATE_CARD, zoneUpperKm: [100, 50, 200, 300, 400, 500, 600] }).success).toBe(false);
  });
});
