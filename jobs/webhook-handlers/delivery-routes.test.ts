import { describe, expect, it } from "vitest";
import { parseShopifyJson } from "../../connectors/shopify/shopify-json";
import { wooDocsJsonExample } from "../../connectors/woocommerce/woocommerce-docs-examples";
import { fixtureText } from "../../tests/fixtures/shopify/webhooks/shopify-webhook-requests";
import { deliveryRoute } from "./delivery-routes";

/**
 * What a claim locks up front for each delivery (docs/adr/0003): the order it writes and the
 * lines the channel sent. Topics that name no order lock nothing ahead.
 */
const scopeOf = (channel: string, topic: string, payload: unknown) => deliveryRoute(channel, topic)?.lockScope?.(payload) ?? null;
const shopifyOrder = parseShopifyJson(fixtureText("../orders-create-webhook.json"));

describe("delivery lock scopes", () => {
  it("names the Shopify order and its lines for orders/create, updated and cancelled", () => {
    for (const topic of ["orders/create", "orders/updated", "orders/cancelled"]) {
      const scope = scopeOf("shopify", topic, shopifyOrder);
      expect(scope).toMatchObject({ channel: "shopify", externalId: "gid://shopify/Order/820982911946154508" });
      expect(scope!.lines.map((line) => line.sku)).toEqual(["IPOD2008PINK", "MUG-BLK-11OZ"]);
    }
  });

  it("maps a payload once for the lock scope and the batch's createOrders", () => {
    const route = deliveryRoute("shopify", "orders/create")!;
    expect(route.orderMapper!(shopifyOrder)).toBe(route.orderMapper!(shopifyOrder));
  });

  it("names the order of an edit and of a return, with the lines already held", () => {
    expect(scopeOf("shopify", "orders/edited", { order_edit: { id: 1, order_id: 450789469, line_items: {} } })).toEqual({ channel: "shopify", externalId: "gid://shopify/Order/450789469", lines: [] });
    const returned = { id: 945000954, admin_graphql_api_id: "gid://shopify/Return/945000954", status: "requested", order: { id: 450789469, admin_graphql_api_id: "gid://shopify/Order/450789469" } };
    expect(scopeOf("shopify", "returns/request", returned)).toEqual({ channel: "shopify", externalId: "gid://shopify/Order/450789469", lines: [] });
  });

  it("locks nothing ahead for deliveries that name no order", () => {
    expect(scopeOf("shopify", "inventory_levels/update", { inventory_item_id: 1, location_id: 2, available: 3 })).toBeNull();
    expect(scopeOf("shopify", "orders/create", { not: "an order" })).toBeNull();
  });

  const documented = wooDocsJsonExample("_orders.md", "Retrieve an order");
  it.skipIf(!documented)("names a WooCommerce order and its lines", () => {
    const scope = scopeOf("woocommerce", "order.updated", documented);
    expect(scope).toMatchObject({ channel: "woocommerce", externalId: "727" });
    expect(scope!.lines).toHaveLength(2);
  });
});
