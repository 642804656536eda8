import { describe, expect, it } from "vitest";
import { importableSku, importedVariantTitle, newLocationSettings } from "./imported-catalogue-rules";

describe("imported catalogue rules", () => {
  it("makes a location that fulfils online orders a shipping warehouse and one that does not a store that ships nothing", () => {
    expect(newLocationSettings({ fulfillsOnlineOrders: true, isActive: true })).toEqual({ kind: "warehouse", canShip: true, canPickup: false, active: true });
    expect(newLocationSettings({ fulfillsOnlineOrders: false, isActive: false })).toEqual({ kind: "store", canShip: false, canPickup: false, active: false });
  });

  it("titles a variant after its product, adding the variant's own title unless it is Shopify's Default Title", () => {
    expect(importedVariantTitle("Tee", "M")).toBe("Tee — M");
    expect(importedVariantTitle("Mug", "Default Title")).toBe("Mug");
    expect(importedVariantTitle("Mug", null)).toBe("Mug");
  });

  it("treats a blank SKU as no SKU", () => {
    expect(importableSku("  TEE-M ")).toBe("TEE-M");
    expect(importableSku("")).toBeNull();
    expect(importableSku(null)).toBeNull();
  });
});
