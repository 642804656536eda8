import { describe, expect, it } from "vitest";
import { mapAmazonOrder } from "./amazon-order-mapper.js";
import { loadAmazonSpec } from "./amazon-specs.js";

/** Orders shaped on orders_2026-01-01.json (definitions.Order); the spec's own example where present. */

const base = () => ({
  orderId: "113-1234567-1234567",
  createdTime: "2026-11-30T10:00:00Z",
  lastUpdatedTime: "2026-11-30T10:05:00Z",
  salesChannel: { channelName: "AMAZON", marketplaceId: "ATVPDKIKX0DER" },
  buyer: { buyerName: "Jordan Smith", buyerEmail: "x7k2@marketplace.amazon.com" },
  recipient: {
    deliveryAddress: { name: "Jordan Smith", addressLine1: "410 Terry Ave N", city: "Seattle", stateOrRegion: "WA", postalCode: "98109", countryCode: "US" },
  },
  proceeds: {
    grandTotal: { amount: "30.49", currencyCode: "USD" },
    breakdowns: [
      { type: "ITEM", subtotal: { amount: "25.00", currencyCode: "USD" } },
      { type: "SHIPPING", subtotal: { amount: "4.99", currencyCode: "USD" } },
      { type: "TAX", subtotal: { amount: "0.50", currencyCode: "USD" } },
    ],
  },
  fulfillment: { fulfillmentStatus: "UNSHIPPED", fulfilledBy: "MERCHANT", fulfillmentServiceLevel: "STANDARD" },
  orderItems: [
    {
      orderItemId: "52986411826454",
      quantityOrdered: 2,
      product: { asin: "B0SBX00001", title: "Red mug", sellerSku: "SKU-RED", price: { unitPrice: { amount: "12.50", currencyCode: "USD" } } },
      proceeds: {
        proceedsTotal: { amount: "30.49", currencyCode: "USD" },
        breakdowns: [
          { type: "ITEM", subtotal: { amount: "25.00", currencyCode: "USD" } },
          { type: "SHIPPING", subtotal: { amount: "4.99", currencyCode: "USD" } },
          { type: "TAX", subtotal: { amount: "0.50", currencyCode: "USD" } },
        ],
      },
    },
  ],
});

describe("mapAmazonOrder", () => {
  it("maps the spec's searchOrders example order", () => {
    const spec = loadAmazonSpec<{ paths: Record<string, Record<string, { responses: Record<string, { examples?: Record<string, { orders: unknown[] }> }> }>> }>("orders");
    if (!spec) {
      console.warn("[amazon-order-mapper.test] ../shared/specs/amazon absent (set SPECS_DIR): spec example skipped");
      return;
    }
    const example = spec.paths["/orders/2026-01-01/orders"]!.get!.responses["200"]!.examples!["application/json"]!.orders[0] as { orderId: string };
    const mapped = mapAmazonOrder(example);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value).toMatchObject({
      channel: "amazon",
      externalId: example.orderId,
      currency: "USD",
      financialStatus: "paid",
      cancelled: false,
      totalMinor: 15499,
      shippingAddress: { name: "John Smith", line1: "123 Main Street", line2: "Suite 456", city: "Seattle", region: "WA", countryCode: "US" },
    });
    expect(mapped.value.lines[0]).toMatchObject({ sku: "ECHO-DOT-4-CHARCOAL", unitPriceMinor: 4999, quantity: 2, taxMinor: 2 });
    // Shipped in the example: both units already left, nothing to reserve.
    expect(mapped.value.lines[0]).toMatchObject({ channelVariantRef: "ECHO-DOT-4-CHARCOAL", fulfilledQuantity: 2, carriesStock: true });
  });

  it("takes ids, times and money in integer minor units", () => {
    const mapped = mapAmazonOrder(base());
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value).toMatchObject({
      externalId: "113-1234567-1234567",
      number: "113-1234567-1234567",
      sourceUpdatedAt: new Date("2026-11-30T10:05:00Z"),
      placedAt: new Date("2026-11-30T10:00:00Z"),
      financialStatus: "authorized",
      subtotalMinor: 2500,
      shippingMinor: 499,
      taxMinor: 50,
      totalMinor: 3049,
      shippingLines: [{ code: "STANDARD", priceMinor: 499 }],
      customer: { name: "Jordan Smith", email: "x7k2@marketplace.amazon.com" },
    });
    expect(mapped.value.lines).toEqual([
      expect.objectContaining({ externalLineId: "52986411826454", sku: "SKU-RED", channelVariantRef: "SKU-RED", title: "Red mug", quantity: 2, fulfilledQuantity: 0, unitPriceMinor: 1250, taxMinor: 50 }),
    ]);
  });

  it("is deterministic: the same order version maps to the same unified order", () => {
    expect(mapAmazonOrder(base())).toEqual(mapAmazonOrder(structuredClone(base())));
  });

  it("keeps a pending order without buyer, address or proceeds, priced from the item", () => {
    const { buyer: _b, recipient: _r, proceeds: _p, ...pending } = base();
    pending.fulfillment = { ...pending.fulfillment, fulfillmentStatus: "PENDING" };
    pending.orderItems = [{ ...pending.orderItems[0]!, proceeds: undefined as never }];
    const mapped = mapAmazonOrder(pending);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value.financialStatus).toBe("pending");
    expect(mapped.value.shippingAddress).toBeUndefined();
    expect(mapped.value.customer).toEqual({});
    expect(mapped.value.totalMinor).toBe(2500);
  });

  it("marks a pending order whose items carry no price yet instead of inventing one", () => {
    const order = base();
    order.fulfillment.fulfillmentStatus = "PENDING";
    const { proceeds: _p, ...withoutProceeds } = order;
    withoutProceeds.orderItems = [{ orderItemId: "1", quantityOrdered: 1, product: { sellerSku: "SKU-RED" } } as never];
    const mapped = mapAmazonOrder(withoutProceeds);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value.currency).toBe("USD");
    expect(mapped.value.lines[0]!.unitPriceMinor).toBe(0);
    expect(mapped.value.tags).toContain("amazon:price-pending");
  });

  it("leaves out an address missing its street or name (Amazon hides them without a restricted data token)", () => {
    const order = base();
    order.recipient.deliveryAddress = { city: "Seattle", stateOrRegion: "WA", postalCode: "98109", countryCode: "US" } as never;
    const { buyer: _b, ...anonymous } = order;
    const mapped = mapAmazonOrder(anonymous);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value.shippingAddress).toBeUndefined();
    expect(mapped.value.tags).toContain("amazon:address-incomplete");
  });

  it("uses each currency's minor units (JPY none, KWD three)", () => {
    const jpy = JSON.parse(JSON.stringify(base()).replace(/"USD"/g, '"JPY"').replace(/"12\.50"/g, '"1250"').replace(/"25\.00"/g, '"2500"').replace(/"4\.99"/g, '"500"').replace(/"0\.50"/g, '"50"').replace(/"30\.49"/g, '"3050"')) as unknown;
    const mappedJpy = mapAmazonOrder(jpy);
    if (!mappedJpy.ok) throw new Error(mappedJpy.detail);
    expect(mappedJpy.value).toMatchObject({ currency: "JPY", subtotalMinor: 2500, totalMinor: 3050 });
    expect(mappedJpy.value.lines[0]!.unitPriceMinor).toBe(1250);

    const kwd = JSON.parse(JSON.stringify(base()).replace(/"USD"/g, '"KWD"')) as unknown;
    const mappedKwd = mapAmazonOrder(kwd);
    if (!mappedKwd.ok) throw new Error(mappedKwd.detail);
    expect(mappedKwd.value).toMatchObject({ currency: "KWD", subtotalMinor: 25000, totalMinor: 30490 });
  });

  it("rejects an amount finer than the currency allows instead of rounding it", () => {
    const order = JSON.parse(JSON.stringify(base()).replace(/"USD"/g, '"JPY"')) as ReturnType<typeof base>;
    const mapped = mapAmazonOrder(order);
    expect(mapped).toMatchObject({ ok: false, reason: "invalid_amount" });
  });

  it("rejects an order mixing currencies", () => {
    const order = base();
    order.orderItems[0]!.product.price.unitPrice.currencyCode = "EUR";
    expect(mapAmazonOrder(order)).toMatchObject({ ok: false, reason: "mixed_currencies" });
  });

  it("rejects malformed payloads with a reason naming the field, never throwing", () => {
    for (const raw of [null, "text", {}, { ...base(), lastUpdatedTime: "yesterday" }, { ...base(), orderItems: [{ orderItemId: "1" }] }]) {
      const mapped = mapAmazonOrder(raw);
      expect(mapped.ok).toBe(false);
      if (!mapped.ok) expect(mapped.detail).toMatch(/Amazon order/);
    }
    expect(mapAmazonOrder({ ...base(), orderItems: [] })).toMatchObject({ ok: false, reason: "no_items" });
  });

  it("maps a cancelled order as cancelled and keeps its zero-quantity items as lines with nothing left", () => {
    const order = base();
    order.fulfillment.fulfillmentStatus = "CANCELLED";
    order.orderItems.push({ ...order.orderItems[0]!, orderItemId: "2", quantityOrdered: 0 });
    const mapped = mapAmazonOrder(order);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value).toMatchObject({ cancelled: true, financialStatus: "voided" });
    expect(mapped.value.lines.map((l) => l.quantity)).toEqual([2, 0]);
  });

  it("keeps a line without a seller SKU (matched later or mapped by the merchant)", () => {
    const order = base();
    delete (order.orderItems[0]!.product as { sellerSku?: string }).sellerSku;
    const mapped = mapAmazonOrder(order);
    if (!mapped.ok) throw new Error(mapped.detail);
    expect(mapped.value.lines[0]!.sku).toBeUndefined();
    expect(mapped.value.lines[0]!.channelVariantRef).toBeUndefined();
  });
});
