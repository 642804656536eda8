import { AMAZON_ORDER_TOPIC } from "../../connectors/amazon/amazon-connector";
import { mapAmazonOrder } from "../../connectors/amazon/amazon-order-mapper";
import { mapEbayOrder } from "../../connectors/ebay/ebay-order-mapper";
import { parseShopifyJson } from "../../connectors/shopify/shopify-json";
import { mapShopifyOrderWebhook } from "../../connectors/shopify/shopify-order-mapper";
import { isShopifyWebhookTopic, runsWithSyncDisabled, shopifyResourceId } from "../../connectors/shopify/shopify-webhook-topics";
import { mapWooCommerceOrder } from "../../connectors/woocommerce/woocommerce-order-mapper";
import type { UnifiedOrder } from "../../core/orders/unified-order";
import type { Result } from "../../core/shared/result";
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
}

const parseJson = (text: string): unknown => JSON.parse(text);

/** Marketplace deliveries that carry a whole order; their mapper makes it a unified order. */
const MARKETPLACE_ORDER_TOPICS: Readonly<Record<string, Readonly<Record<string, OrderMapper>>>> = {
  woocommerce: { "order.created": mapWooCommerceOrder, "order.updated": mapWooCommerceOrder },
  ebay: { order: mapEbayOrder },
  amazon: { [AMAZON_ORDER_TOPIC]: mapAmazonOrder },
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
      ...(topic === "orders/create" ? { orderMapper: mapShopifyOrderWebhook } : {}),
      runsWithSyncDisabled: runsWithSyncDisabled(topic),
      resourceId: (payload) => shopifyResourceId(topic, payload),
    };
  }
  // Tracking of parcels already bought goes on whatever the sync switch says.
  if (channel === "easypost") return { parse: parseJson, handler: ({ tx, delivery }) => handleEasyPostDelivery(tx, delivery), runsWithSyncDisabled: true };
  const mapper = MARKETPLACE_ORDER_TOPICS[channel]?.[topic];
  if (mapper) return { parse: parseJson, handler: (input) => handleMarketplaceOrder(mapper, input), orderMapper: mapper, runsWithSyncDisabled: false };
  return undefined;
}
