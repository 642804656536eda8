import { ok } from "../../core/shared/result.js";
import type {
  CancelOrderRequest,
  ChannelCallResult,
  ChannelCursor,
  ChannelOrderWriter,
  ConfirmFulfillmentRequest,
  FetchOrdersPage,
  OrderPoller,
} from "../../core/ports/channel-connector-port.js";
import type { CancelOrderInput, ShopifyConnector } from "./shopify-connector.js";
import { shopifyFailure } from "./shopify-failure-mapping.js";

/**
 * Shopify's order capabilities in the port's vocabulary: polling (the fallback beside webhooks)
 * and writing fulfillments and cancellations back. The Shopify wire work (GIDs, fulfillment
 * orders) stays in ShopifyConnector; failures go through shopify-failure-mapping.ts.
 */

const CANCEL_REASONS: Record<CancelOrderRequest["reason"], CancelOrderInput["reason"]> = {
  out_of_stock: "INVENTORY",
  customer_request: "CUSTOMER",
  fraud: "FRAUD",
  other: "OTHER",
};

export class ShopifyOrderPoller implements OrderPoller {
  constructor(private readonly shopify: Pick<ShopifyConnector, "fetchOrders">) {}

  async fetchOrders(cursor: ChannelCursor | null, options: { readonly limit?: number } = {}): Promise<ChannelCallResult<FetchOrdersPage>> {
    const page = await this.shopify.fetchOrders(cursor, options.limit !== undefined ? { pageSize: options.limit } : {});
    if (!page.ok) return shopifyFailure(page.reason, page.detail);
    return ok({
      orders: page.value.orders,
      rejected: page.value.rejected.map((r) => ({
        ...(r.externalId ? { externalId: r.externalId } : {}),
        problem: `${r.reason}: ${r.detail}`,
        raw: r.raw,
      })),
      nextCursor: page.value.nextCursor,
      hasMore: page.value.hasMore,
    });
  }
}

export class ShopifyOrderWriter implements ChannelOrderWriter {
  constructor(private readonly shopify: Pick<ShopifyConnector, "confirmFulfillment" | "cancelOrder">) {}

  async confirmFulfillment(
    request: ConfirmFulfillmentRequest,
  ): Promise<ChannelCallResult<{ readonly externalFulfillmentId: string; readonly alreadyConfirmed: boolean }>> {
    const result = await this.shopify.confirmFulfillment({
      orderId: request.orderExternalId,
      tracking: {
        company: request.tracking.carrier,
        number: request.tracking.trackingNumber,
        ...(request.tracking.trackingUrl ? { url: request.tracking.trackingUrl } : {}),
      },
      notifyCustomer: request.notifyCustomer,
      ...(request.channelLocationId ? { locationId: request.channelLocationId } : {}),
      ...(request.lines ? { lines: request.lines.map((l) => ({ lineItemId: l.externalLineId, quantity: l.quantity })) } : {}),
      ...(request.knownExternalFulfillmentIds ? { ignoreFulfillmentIds: request.knownExternalFulfillmentIds } : {}),
    });
    if (!result.ok) return shopifyFailure(result.reason, result.detail);
    return ok({ externalFulfillmentId: result.value.fulfillmentId, alreadyConfirmed: result.value.alreadyConfirmed });
  }

  async cancelOrder(request: CancelOrderRequest): Promise<ChannelCallResult<{ readonly alreadyCancelled: boolean }>> {
    const result = await this.shopify.cancelOrder({
      orderId: request.orderExternalId,
      reason: CANCEL_REASONS[request.reason],
      // Shopify's committed units go back on its shelf count; Switchyard's next push then sets
      // the number it computed anyway, so restocking cannot oversell.
      restock: true,
      ...(request.notifyCustomer !== undefined ? { notifyCustomer: request.notifyCustomer } : {}),
      ...(request.note ? { staffNote: request.note } : {}),
    });
    if (!result.ok) return shopifyFailure(result.reason, result.detail);
    return ok({ alreadyCancelled: result.value.alreadyCancelled });
  }
}
