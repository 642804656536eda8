import { AMAZON_ORDER_TOPIC } from "../../connectors/amazon/amazon-connector";
import { mapAmazonOrder } from "../../connectors/amazon/amazon-order-mapper";
import { mapEbayOrder } from "../../connectors/ebay/ebay-order-mapper";
import { parseShopifyJson } from "../../connectors/shopify/shopify-json";
import { mapShopifyOrderWebhook } from "../../connectors/shopify/shopify-order-mapper";
import { isShopifyWebhookTopic, runsWithSyncDisabled, SHOPIFY_RETURN_TOPICS, shopifyResourceId } from "../../connectors/shopify/shopify-webhook-topics";
import { mapWooCommerceOrder } from "../../connectors/woocommerce/woocommerce-order-mapper";
import type { UnifiedOrder } from "../../core/orders/unified-order";
import type { Result } from "../../core/shared/result";
import type { OrderLockScope } from "../../db/repositories/order-lock-repository";
import { handleEasyPostDelivery } from "./easypost/easypost-webhook-handler";
import { handleMarketplaceOrder } from "./marketplace-order-handler";
import { SHOPIFY_WEBHOOK_HANDLERS } from "./shopify/shopify-webhook-handlers";
import type { HandlerOutcome, WebhookHandlerInput } from "./shopify/webhook-handler";

export type OrderMapper = (payload: unknown) => Result<UnifiedOrder, string>;
export type DeliveryHandler = (input: WebhookHandlerInput) => Promise<HandlerOutcome>;

/** How one (channel, topic) of the inbox is processed. */
export interface DeliveryRoute {
  /** Turns the stored raw body into a value (Shopify keeps 64-bit ids exact). */
  parse(text: string): unknown;
  /** Applies one delivery in the claim's transaction (updates, cancellations, inventory, compliance...). */
  handler: DeliveryHandler;
  /**
   * For deliveries that each carry one whole order version: new orders among a claim are created
   * together, set-based (createOrders); the handler then takes only the rest (an order already
   * held, a repeat within the batch, a payload the mapper refuses).
   */
  orderMapper?: OrderMapper;
  /** Runs even when the shop switched sync off (uninstall): compliance and app/uninstalled. */
  runsWithSyncDisabled: boolean;
  /** Which resource the delivery is about, for stale-delivery checks and redaction. */
  resourceId?(payload: unknown): string | null;
  /**
   * The order the delivery writes (and the lines the channel sent), so a claim can take every
   * order and level lock up front in the one lock order (order-lock-repository.ts).
   */
  lockScope?(payload: unknown): OrderLockScope | null;
}

const parseJson = (text: string): unknown => JSON.parse(text);

/**
 * A mapper that maps each payload object once: the claim's lock scope, the batch's createOrders
 * and the handler all read the same delivery, and mapping is the worker's largest CPU cost.
 */
function mapOnce(mapper: OrderMapper): OrderMapper {
  const mapped = new WeakMap<object, Result<UnifiedOrder, string>>();
  return (payload) => {
    if (typeof payload !== "object" || payload === null) return mapper(payload);
    const known = mapped.get(payload);
    if (known) return known;
    const result = mapper(payload);
    mapped.set(payload, result);
    return result;
  };
}

const scopeOf =
  (mapper: OrderMapper) =>
  (payload: unknown): OrderLockScope | null => {
    const mapped = mapper(payload);
    return mapped.ok ? { channel: mapped.value.channel, externalId: mapped.value.externalId, lines: mapped.value.lines } : null;
  };

const shopifyOrder = mapOnce(mapShopifyOrderWebhook);
const SHOPIFY_WHOLE_ORDER_TOPICS: readonly string[] = ["orders/create", "orders/updated", "orders/cancelled"];

/** A Shopify order named by its numeric id, with the lines Switchyard already holds for it. */
function shopifyOrderScope(orderId: unknown): OrderLockScope | null {
  if (typeof orderId !== "number" && typeof orderId !== "string" && typeof orderId !== "bigint") return null;
  return { channel: "shopify", externalId: `gid://shopify/Order/${String(orderId)}`, lines: [] };
}

/** orders/edited names its order only; the edit works on the lines already held. */
const editedOrderScope = (payload: unknown) => shopifyOrderScope((payload as { order_edit?: { order_id?: unknown } } | null)?.order_edit?.order_id);

/** A return names its order, which its handler may lock (a request) and restock (received units). */
const returnOrderScope = (payload: unknown) => {
  const p = payload as { order?: { id?: unknown } | null; order_id?: unknown } | null;
  return shopifyOrderScope(p?.order?.id ?? p?.order_id);
};

function shopifyLockScope(topic: string): Pick<DeliveryRoute, "lockScope"> {
  if (SHOPIFY_WHOLE_ORDER_TOPICS.includes(topic)) return { lockScope: scopeOf(shopifyOrder) };
  if (topic === "orders/edited") return { lockScope: editedOrderScope };
  if ((SHOPIFY_RETURN_TOPICS as readonly string[]).includes(topic)) return { lockScope: returnOrderScope };
  return {};
}

/** Marketplace deliveries that carry a whole order; their mapper makes it a unified order. */
const MARKETPLACE_ORDER_TOPICS: Readonly<Record<string, Readonly<Record<string, OrderMapper>>>> = {
  woocommerce: { "order.created": mapOnce(mapWooCommerceOrder), "order.updated": mapOnce(mapWooCommerceOrder) },
  ebay: { order: mapOnce(mapEbayOrder) },
  amazon: { [AMAZON_ORDER_TOPIC]: mapOnce(mapAmazonOrder) },
};

/**
 * The one registry of what the inbox holds, by (channel, topic): Shopify's topics dispatch to
 * SHOPIFY_WEBHOOK_HANDLERS (a topic added there is routed here with no change), and Shopify's
 * orders/create and the marketplaces' order topics also go through the batch path.
 */
export function deliveryRoute(channel: string, topic: string): DeliveryRoute | undefined {
  if (channel === "shopify") {
    if (!isShopifyWebhookTopic(topic)) return undefined;
    return {
      parse: parseShopifyJson,
      handler: SHOPIFY_WEBHOOK_HANDLERS[topic],
      ...(topic === "orders/create" ? { orderMapper: shopifyOrder } : {}),
      runsWithSyncDisabled: runsWithSyncDisabled(topic),
      resourceId: (payload) => shopifyResourceId(topic, payload),
      ...shopifyLockScope(topic),
    };
  }
  // Tracking of parcels already bought goes on whatever the sync switch says.
  if (channel === "easypost") return { parse: parseJson, handler: ({ tx, delivery }) => handleEasyPostDelivery(tx, delivery), runsWithSyncDisabled: true };
  const mapper = MARKETPLACE_ORDER_TOPICS[channel]?.[topic];
  if (mapper) return { parse: parseJson, handler: (input) => handleMarketplaceOrder(mapper, input), orderMapper: mapper, runsWithSyncDisabled: false, lockScope: scopeOf(mapper) };
  return undefined;
}
