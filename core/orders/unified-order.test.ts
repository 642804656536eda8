import { describe, expect, it } from "vitest";
import { unifiedOrderSchema, unitsToReserve } from "./unified-order";

const base = {
  channel: "shopify",
  externalId: "gid://shopify/Order/1",
  number: "#1001",
  placedAt: "2026-11-20T10:00:00Z",
  sourceUpdatedAt: "2026-11-20T10:00:00Z",
  currency: "usd",
  financialStatus: "paid",
  subtotalMinor: 3998,
  totalMinor: 3998,
  lines: [{ externalLineId: "1", sku: "A", title: "A", quantity: 2, unitPriceMinor: 1999 }],
};

describe("unified order", () => {
  it("applies defaults and normalises the currency", () => {
    const order = unifiedOrderSchema.parse(base);
    expect(order).toMatchObject({ currency: "USD", cancelled: false, shippingMinor: 0, tags: [] });
    expect(order.lines[0]).toMatchObject({ discountMinor: 0, taxMinor: 0 });
    expect(order.placedAt).toBeInstanceOf(Date);
  });

  it("refuses two lines with the same channel line id", () => {
    const result = unifiedOrderSchema.safeParse({ ...base, lines: [base.lines[0], base.lines[0]] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/unique/);
  });

  it("refuses fractional money and negative quantities; a removed line has quantity 0", () => {
    expect(unifiedOrderSchema.safeParse({ ...base, totalMinor: 39.98 }).success).toBe(false);
    expect(unifiedOrderSchema.safeParse({ ...base, lines: [{ ...base.lines[0], quantity: -1 }] }).success).toBe(false);
    expect(unifiedOrderSchema.parse({ ...base, lines: [{ ...base.lines[0], quantity: 0 }] }).lines[0]?.quantity).toBe(0);
  });

  it("treats a blank SKU as no SKU and defaults lines to carrying stock", () => {
    const order = unifiedOrderSchema.parse({
      ...base,
      lines: [
        { externalLineId: "1", sku: "  ", channelVariantRef: "gid://shopify/ProductVariant/7", title: "A", quantity: 1, unitPriceMinor: 1 },
        { externalLineId: "2", sku: " B ", title: "B", quantity: 1, unitPriceMinor: 1, carriesStock: false },
      ],
    });
    expect(order.lines[0]).toMatchObject({ channelVariantRef: "gid://shopify/ProductVariant/7", carriesStock: true, fulfilledQuantity: 0 });
    expect(order.lines[0]).not.toHaveProperty("sku", expect.anything());
    expect(order.lines[1]).toMatchObject({ sku: "B", carriesStock: false });
  });

  it("reserves only stock-carrying units not yet fulfilled", () => {
    expect(unitsToReserve({ quantity: 5, fulfilledQuantity: 2, carriesStock: true })).toBe(3);
    expect(unitsToReserve({ quantity: 5, fulfilledQuantity: 7, carriesStock: true })).toBe(0);
    expect(unitsToReserve({ quantity: 5, fulfilledQuantity: 0, carriesStock: false })).toBe(0);
  });
});
