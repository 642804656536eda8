import { describe, expect, it } from "vitest";
import { unifiedOrderSchema } from "./unified-order";

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

  it("refuses fractional money and non-positive quantities", () => {
    expect(unifiedOrderSchema.safeParse({ ...base, totalMinor: 39.98 }).success).toBe(false);
    expect(unifiedOrderSchema.safeParse({ ...base, lines: [{ ...base.lines[0], quantity: 0 }] }).success).toBe(false);
  });
});
