import type { ShopifyWebhookTopic } from "../../../connectors/shopify/shopify-webhook-topics";
import { handleAppUninstalled, handleCustomerDataRequest, handleCustomerRedact, handleShopRedact } from "./compliance-webhook-handlers";
import { handleOrderEditedWebhook } from "./order-edit-webhook-handler";
import { handleInventoryLevelWebhook } from "./inventory-level-webhook-handler";
import { handleOrderWebhook } from "./order-webhook-handler";
import { handleProductWebhook } from "./product-webhook-handler";
import { handleRefundWebhook } from "./refund-webhook-handler";
import { returnWebhookHandler } from "./return-webhook-handler";
import type { ShopifyWebhookHandler } from "./webhook-handler";

/** One handler per subscribed topic; the compiler insists every topic has one. */
export const SHOPIFY_WEBHOOK_HANDLERS: Record<ShopifyWebhookTopic, ShopifyWebhookHandler> = {
  "orders/create": handleOrderWebhook,
  "orders/updated": handleOrderWebhook,
  "orders/edited": handleOrderEditedWebhook,
  "orders/cancelled": handleOrderWebhook,
  "refunds/create": handleRefundWebhook,
  "inventory_levels/update": handleInventoryLevelWebhook,
  "products/update": handleProductWebhook,
  "returns/request": returnWebhookHandler("returns/request"),
  "returns/approve": returnWebhookHandler("returns/approve"),
  "returns/decline": returnWebhookHandler("returns/decline"),
  "returns/process": returnWebhookHandler("returns/process"),
  "returns/cancel": returnWebhookHandler("returns/cancel"),
  "returns/close": returnWebhookHandler("returns/close"),
  "returns/reopen": returnWebhookHandler("returns/reopen"),
  "app/uninstalled": handleAppUninstalled,
  "customers/data_request": handleCustomerDataRequest,
  "customers/redact": handleCustomerRedact,
  "shop/redact": handleShopRedact,
};
