import { describe, expect, it } from "vitest";
import { shopifyNumericId } from "./shopify-numeric-id.js";

describe("shopifyNumericId", () => {
  it("takes an id beyond 2^53 sent as a JSON number, for its reader to deal with", () => {
    // zod 4's .int() would refuse these: the readers need to see them (exactGid, variantGid).
    expect(shopifyNumericId.safeParse(820982911946154500)).toMatchObject({ success: true, data: 820982911946154500 });
    expect(shopifyNumericId.safeParse(2 ** 53 + 2)).toMatchObject({ success: true });
    expect(shopifyNumericId.safeParse("820982911946154508")).toMatchObject({ success: true, data: "820982911946154508" });
    expect(shopifyNumericId.safeParse(0)).toMatchObject({ success: true });
  });

  it("refuses what is not a non-negative whole number", () => {
    for (const bad of [1.5, -1, Number.POSITIVE_INFINITY, Number.NaN, "12a", "-1", "", null, undefined, {}]) {
      expect(shopifyNumericId.safeParse(bad).success, String(bad)).toBe(false);
    }
  });
});
