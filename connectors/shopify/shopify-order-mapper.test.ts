import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mapShopifyGraphqlOrder, mapShopifyOrderWebhook } from "./shopify-order-mapper.js";

const fixturesDir = path.resolve(import.meta.dirname, "../../tests/fixtures/shopify");
const fixture = (name: string) => JSON.parse(readFileSync(path.join(fixturesDir, name), "utf8")) as Record<string, unknown>;

describe("mapShopifyOrderWebhook (orders/create payload)", () => {
  it("maps the documented payload into a unified order with exact minor units", () => {
    const result = mapShopifyOrderWebhook(fixture("orders-create-webhook.json"));
    if (!result.ok) throw new Error(result.detail);
    const o = result.value;
    expect(o.externalId).toBe("gid://shopify/Order/820982911946154508");
    expect(o.number).toBe("#9999");
    expect(o.channel).toBe("shopify");
    expect(o.currency).toBe("USD");
    expect(o.financialStatus).toBe("paid");
    expect(o.placedAt.toISOString()).toBe("2026-11-20T19:05:12.000Z");
    expect(o.lines).toEqual([
      { externalLineId: "gid://shopify/LineItem/866550311766439020", sku: "IPOD2008PINK", channelVariantRef: "gid://shopify/ProductVariant/808950810", carriesStock: true, title: "IPod Nano - 8GB", quantity: 1, fulfilledQuantity: 0, unitPriceMinor: 19900, discountMinor: 1000, taxMinor: 1134 },
      { externalLineId: "gid://shopify/LineItem/141249953214522974", sku: "MUG-BLK-11OZ", channelVariantRef: "gid://shopify/ProductVariant/49148385", carriesStock: true, title: "Switchyard Mug", quantity: 2, fulfilledQuantity: 0, unitPriceMinor: 1450, discountMinor: 0, taxMinor: 174 },
    ]);
    expect(o.shippingLines).toEqual([{ title: "Standard Shipping", code: "Standard", priceMinor: 1000 }]);
    expect({ sub: o.subtotalMinor, ship: o.shippingMinor, tax: o.taxMinor, disc: o.discountMinor, total: o.totalMinor }).toEqual({
      sub: 21800, ship: 1000, tax: 1308, disc: 1000, total: 24108,
    });
    expect(o.shippingAddress).toEqual({
      name: "Steve Shipper", company: "Shipping Company", line1: "123 Shipping Street", line2: "Suite 4", city: "Shippington",
      region: "KY", postalCode: "40003", countryCode: "US", phone: "555-555-SHIP", latitude: 38.2213, longitude: -85.0866,
    });
    expect(o.customer).toEqual({ externalId: "gid://shopify/Customer/115310627314723954", email: "john@example.com", name: "John Smith" });
    expect(o.tags).toEqual(["priority", "wholesale"]);
    expect(o.cancelled).toBe(false);
  });

  it("respects zero-decimal currencies (JPY) and strips the country prefix of province codes", () => {
    const result = mapShopifyOrderWebhook(fixture("orders-create-jpy-webhook.json"));
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.currency).toBe("JPY");
    expect(result.value.lines[0]).toMatchObject({ unitPriceMinor: 1500, quantity: 2, taxMinor: 300 });
    expect(result.value.totalMinor).toBe(4100);
    expect(result.value.shippingMinor).toBe(800);
    expect(result.value.shippingAddress?.region).toBe("13");
  });

  it("builds the GID from a safe numeric id when admin_graphql_api_id is absent", () => {
    const payload = fixture("orders-create-webhook.json");
    delete payload.admin_graphql_api_id;
    payload.id = 5_123_456_789_012;
    const result = mapShopifyOrderWebhook(payload);
    expect(result.ok && result.value.externalId).toBe("gid://shopify/Order/5123456789012");
  });

  it("refuses to guess an id that JSON.parse has already rounded (beyond 2^53)", () => {
    const payload = fixture("orders-create-webhook.json");
    delete payload.admin_graphql_api_id;
    // The raw text says ...508; as a JS number it is ...500.
    expect(payload.id).toBe(820982911946154500);
    const result = mapShopifyOrderWebhook(payload);
    expect(result).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(!result.ok && result.detail).toMatch(/admin_graphql_api_id/);
  });
});

describe("webhook and GraphQL forms agree", () => {
  it("produce the same unified order (the GraphQL form additionally carries risk)", () => {
    const fromWebhook = mapShopifyOrderWebhook(fixture("orders-create-webhook.json"));
    const fromGraphql = mapShopifyGraphqlOrder(fixture("graphql-order-node.json"));
    if (!fromWebhook.ok) throw new Error(fromWebhook.detail);
    if (!fromGraphql.ok) throw new Error(fromGraphql.detail);
    const { risk, ...graphqlRest } = fromGraphql.value;
    expect(graphqlRest).toEqual(fromWebhook.value);
    expect(risk).toEqual({ level: "medium", reasons: ["Billing address differs from shipping address"] });
  });
});

describe("every real order is captured (blank SKUs, gift cards, custom items, edits)", () => {
  type Payload = Record<string, unknown>;
  const base = () => fixture("orders-create-webhook.json");
  const lineOf = (p: Payload, i: number) => (p.line_items as Payload[])[i]!;
  const map = (p: Payload) => {
    const result = mapShopifyOrderWebhook(p);
    if (!result.ok) throw new Error(result.detail);
    return result.value;
  };

  it("keeps a blank-SKU line and identifies it by its variant GID", () => {
    const p = base();
    lineOf(p, 1).sku = "";
    const line = map(p).lines[1]!;
    expect(line.sku).toBeUndefined();
    expect(line).toMatchObject({ channelVariantRef: "gid://shopify/ProductVariant/49148385", carriesStock: true });
  });

  it("marks gift cards, lines that need no shipping and custom items as carrying no stock", () => {
    const p = base();
    lineOf(p, 0).gift_card = true;
    lineOf(p, 1).variant_id = null;
    lineOf(p, 1).sku = null;
    const order = map(p);
    expect(order.lines.map((l) => l.carriesStock)).toEqual([false, false]);
    expect(order.lines[1]!.channelVariantRef).toBeUndefined();
    const q = base();
    lineOf(q, 0).requires_shipping = false;
    expect(map(q).lines.map((l) => l.carriesStock)).toEqual([false, true]);
  });

  it("takes a draft order with a null customer and a null shipping address", () => {
    const p = base();
    p.customer = null;
    p.shipping_address = null;
    const order = map(p);
    expect(order.shippingAddress).toBeUndefined();
    expect(order.customer.externalId).toBeUndefined();
  });

  it("counts units still ordered (current_quantity) and those already fulfilled", () => {
    const p = base();
    Object.assign(lineOf(p, 1), { quantity: 2, current_quantity: 1, fulfillable_quantity: 0 });
    Object.assign(lineOf(p, 0), { quantity: 1, current_quantity: 0, fulfillable_quantity: 0 });
    const order = map(p);
    expect(order.lines.map((l) => [l.quantity, l.fulfilledQuantity])).toEqual([[0, 0], [1, 1]]);
  });

  it("maps the GraphQL form's variant, current and unfulfilled quantities alike", () => {
    const node = fixture("graphql-order-node.json") as { lineItems: { nodes: Payload[] } };
    Object.assign(node.lineItems.nodes[1]!, { sku: "", currentQuantity: 2, unfulfilledQuantity: 1 });
    Object.assign(node.lineItems.nodes[0]!, { isGiftCard: true });
    const result = mapShopifyGraphqlOrder(node);
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.lines[1]).toMatchObject({ channelVariantRef: "gid://shopify/ProductVariant/49148385", quantity: 2, fulfilledQuantity: 1 });
    expect(result.value.lines[1]!.sku).toBeUndefined();
    expect(result.value.lines[0]!.carriesStock).toBe(false);
  });

  it("leaves out a variant id that JSON rounded instead of failing the order", () => {
    const p = base();
    lineOf(p, 1).variant_id = 642667041472713922;
    const line = map(p).lines[1]!;
    expect(line.channelVariantRef).toBeUndefined();
    expect(line.sku).toBe("MUG-BLK-11OZ");
    expect(map({ ...base(), line_items: [] }).lines).toEqual([]);
  });
});

describe("invalid channel data is a typed failure, never an exception", () => {
  const base = () => fixture("orders-create-webhook.json");

  type Payload = Record<string, unknown>;
  const lineOf = (p: Payload, i: number) => (p.line_items as Payload[])[i]!;
  const cases: [string, (p: Payload) => void, string, RegExp][] = [
    ["missing line_items", (p) => void delete p.line_items, "invalid_payload", /line_items/],
    ["malformed created_at", (p) => void (p.created_at = "yesterday"), "invalid_payload", /created_at/],
    ["unknown financial_status", (p) => void (p.financial_status = "maybe"), "invalid_payload", /financial_status/],
    ["price that is not a decimal", (p) => void (lineOf(p, 0).price = "19,99"), "invalid_amount", /19,99/],
    ["USD amount with sub-cent digits", (p) => void (p.total_price = "241.085"), "invalid_amount", /total/],
    ["negative quantity", (p) => void (lineOf(p, 0).quantity = -1), "invalid_payload", /quantity/],
  ];
  it.each(cases)("%s", (_label, mutate, reason, detail) => {
    const payload = base();
    mutate(payload);
    const result = mapShopifyOrderWebhook(payload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(reason);
    expect(result.detail).toMatch(detail);
  });

  it("rejects non-objects and a GraphQL node without an Order GID", () => {
    expect(mapShopifyOrderWebhook(null)).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(mapShopifyOrderWebhook("order")).toMatchObject({ ok: false, reason: "invalid_payload" });
    const node = fixture("graphql-order-node.json");
    node.id = "820982911946154508";
    const result = mapShopifyGraphqlOrder(node);
    expect(result).toMatchObject({ ok: false, reason: "invalid_payload" });
    expect(!result.ok && result.detail).toMatch(/Order GID/);
  });

  it("refuses a GraphQL order whose line items were only partly fetched", () => {
    const node = fixture("graphql-order-node.json") as { lineItems: { pageInfo: { hasNextPage: boolean } } };
    node.lineItems.pageInfo.hasNextPage = true;
    expect(mapShopifyGraphqlOrder(node)).toMatchObject({ ok: false, reason: "invalid_payload" });
  });

  it("keeps the order but drops a malformed customer e-mail and a nameless billing address", () => {
    const payload = base() as Record<string, Record<string, unknown>>;
    payload.customer!.email = "not-an-email";
    (payload as Record<string, unknown>).email = "also bad";
    (payload as Record<string, unknown>).contact_email = null;
    payload.billing_address = { ...payload.billing_address, name: null, first_name: null, last_name: null, company: null };
    const result = mapShopifyOrderWebhook(payload);
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.customer.email).toBeUndefined();
    expect(result.value.billingAddress).toBeUndefined();
    expect(result.value.shippingAddress?.name).toBe("Steve Shipper");
  });

  it("maps cancellation and expired authorisations", () => {
    const payload = base();
    payload.cancelled_at = "2026-11-21T10:00:00-05:00";
    payload.financial_status = "expired";
    const result = mapShopifyOrderWebhook(payload);
    expect(result.ok && [result.value.cancelled, result.value.financialStatus]).toEqual([true, "voided"]);
  });
});
