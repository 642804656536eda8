/**
 * The Shopify webhook topics Switchyard subscribes to (shopify.app.toml), one route each.
 * Compliance topics are the App Store's mandatory privacy webhooks: they run even after the
 * shop turned sync off (uninstall), because the law does not stop when the app does.
 */
/** Returns made or moved in Shopify's admin (or echoing ours), mapped onto the RMA (read_returns). */
export const SHOPIFY_RETURN_TOPICS = ["returns/request", "returns/approve", "returns/decline", "returns/process", "returns/cancel", "returns/close", "returns/reopen"] as const;
export type ShopifyReturnTopic = (typeof SHOPIFY_RETURN_TOPICS)[number];

export const SHOPIFY_WEBHOOK_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/edited",
  "orders/cancelled",
  "refunds/create",
  "inventory_levels/update",
  "products/update",
  ...SHOPIFY_RETURN_TOPICS,
  "app/uninstalled",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
export type ShopifyWebhookTopic = (typeof SHOPIFY_WEBHOOK_TOPICS)[number];

export const SHOPIFY_COMPLIANCE_TOPICS: readonly ShopifyWebhookTopic[] = ["customers/data_request", "customers/redact", "shop/redact"];

export function isShopifyWebhookTopic(topic: string): topic is ShopifyWebhookTopic {
  return (SHOPIFY_WEBHOOK_TOPICS as readonly string[]).includes(topic);
}

/** Topics that must run whatever the shop's sync switch says. */
export function runsWithSyncDisabled(topic: ShopifyWebhookTopic): boolean {
  return SHOPIFY_COMPLIANCE_TOPICS.includes(topic) || topic === "app/uninstalled";
}

/**
 * Which resource a delivery is about, so an older delivery of the same resource can be told
 * from a newer one (webhook_deliveries.resource_id). Null where ordering does not matter.
 */
export function shopifyResourceId(topic: ShopifyWebhookTopic, payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  const gid = typeof p.admin_graphql_api_id === "string" ? p.admin_graphql_api_id : undefined;
  const id = scalarId(p.id);
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled":
      return gid ?? (id ? `gid://shopify/Order/${id}` : null);
    case "orders/edited": {
      // The edit's own id, not the order's: an edit is not a newer version of the whole order,
      // and must not make the orders/updated Shopify sends for the same edit look stale.
      const edit = p.order_edit as Record<string, unknown> | null | undefined;
      const editId = scalarId(edit?.id);
      return editId ? `gid://shopify/OrderEdit/${editId}` : null;
    }
    case "refunds/create":
      // The refund's own id, not the order's: a refund is not a newer version of the order,
      // and must not make a concurrent orders/updated look stale.
      return gid ?? (id ? `gid://shopify/Refund/${id}` : null);
    case "inventory_levels/update": {
      const item = scalarId(p.inventory_item_id);
      const location = scalarId(p.location_id);
      return item && location ? `${item}:${location}` : null;
    }
    case "products/update":
      return gid ?? (id ? `gid://shopify/Product/${id}` : null);
    case "returns/request":
    case "returns/approve":
    case "returns/decline":
    case "returns/process":
    case "returns/cancel":
    case "returns/close":
    case "returns/reopen":
      return gid ?? (id ? `gid://shopify/Return/${id}` : null);
    case "customers/data_request":
    case "customers/redact": {
      const customer = p.customer as Record<string, unknown> | null | undefined;
      const customerId = scalarId(customer?.id);
      return customerId ? `gid://shopify/Customer/${customerId}` : null;
    }
    case "shop/redact":
    case "app/uninstalled": {
      const shopId = scalarId(p.shop_id ?? p.id);
      return shopId ? `gid://shopify/Shop/${shopId}` : null;
    }
  }
}

function scalarId(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value.trim().length > 0) return value.trim();
  return undefined;
}
