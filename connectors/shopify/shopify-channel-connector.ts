import { err, ok } from "../../core/shared/result.js";
import type {
  AvailabilityPushItemResult,
  AvailabilityUpdate,
  CancelOrderRequest,
  ChannelCallResult,
  ChannelConnector,
  ChannelCursor,
  ChannelFailureReason,
  ConfirmFulfillmentRequest,
  FetchOrdersPage,
} from "../../core/ports/channel-connector-port.js";
import type { StockPushItem, StockPushItemResult, StockPusher, StockPushResult } from "../../core/ports/stock-pusher-port.js";
import type { OrderWriterFactory } from "../channel-connector-registry.js";
import { SHOPIFY_SET_QUANTITIES_MAX_BATCH, type AvailablePushItem, type AvailablePushOutcome } from "./inventory-push.js";
import { shopifyConnectorFromCredentials } from "./shopify-stock-pusher.js";
import type { CancelOrderInput, ShopifyConnector, ShopifyConnectorFailureReason } from "./shopify-connector.js";

/**
 * Adapts ShopifyConnector (Shopify's vocabulary: GIDs, fulfillment orders, CAS quantities) to
 * the core's ChannelConnector and StockPusher ports (Switchyard's vocabulary). Kept separate so
 * the port can evolve without touching the Shopify wire code.
 */

/** Which connector failures a job should retry, wait for, or surface to a person. */
export function toChannelFailureReason(reason: ShopifyConnectorFailureReason): ChannelFailureReason {
  switch (reason) {
    case "throttled":
    case "cost_exceeds_bucket":
      return "rate_limited";
    case "unauthorized":
      return "unauthorized";
    case "not_found":
      return "not_found";
    case "http_error":
    case "network_error":
    case "bulk_operation_timeout":
      return "unavailable";
    default:
      return "rejected";
  }
}

const CANCEL_REASONS: Record<CancelOrderRequest["reason"], CancelOrderInput["reason"]> = {
  out_of_stock: "INVENTORY",
  customer_request: "CUSTOMER",
  fraud: "FRAUD",
  other: "OTHER",
};

export class ShopifyChannelConnector implements ChannelConnector, StockPusher {
  readonly channel = "shopify" as const;
  /** Shopify keeps stock per location: every item names its own location. */
  readonly scope = "per_location" as const;
  readonly maxBatchSize = SHOPIFY_SET_QUANTITIES_MAX_BATCH;

  constructor(private readonly shopify: ShopifyConnector) {}

  async fetchOrders(cursor: ChannelCursor | null, options: { readonly limit?: number } = {}): Promise<ChannelCallResult<FetchOrdersPage>> {
    const page = await this.shopify.fetchOrders(cursor, options.limit !== undefined ? { pageSize: options.limit } : {});
    if (!page.ok) return err(toChannelFailureReason(page.reason), page.detail);
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

  async pushAvailable(
    batch: readonly AvailabilityUpdate[],
    options: { readonly idempotencyKey: string },
  ): Promise<ChannelCallResult<readonly AvailabilityPushItemResult[]>> {
    const results: (AvailabilityPushItemResult | undefined)[] = new Array(batch.length);
    const sendable: { index: number; item: AvailablePushItem }[] = [];
    batch.forEach((update, index) => {
      const locationId = update.channelLocationId;
      if (!update.externalId || !locationId) {
        results[index] = {
          sku: update.sku,
          ...(update.externalId ? { externalId: update.externalId } : {}),
          status: "rejected",
          problem: "Shopify needs the inventory item GID (externalId) and a location to set a quantity",
        };
        return;
      }
      sendable.push({
        index,
        item: { inventoryItemId: update.externalId, locationId, available: update.available, lastPushed: update.previousAvailable ?? null },
      });
    });

    const outcomes = await this.pushRaw(sendable.map((s) => s.item), options.idempotencyKey);
    if (!outcomes.ok) return outcomes;
    for (const { index, item } of sendable) {
      const update = batch[index]!;
      const outcome = outcomes.value.get(item)!;
      const base = { sku: update.sku, externalId: item.inventoryItemId };
      results[index] =
        outcome.status === "applied"
          ? { ...base, status: "applied" }
          : outcome.status === "stale"
            ? { ...base, status: "conflict", problem: outcome.message }
            : { ...base, status: "rejected", problem: outcome.status === "rejected" ? outcome.message : `not applied: ${outcome.message}` };
    }
    return ok(results as AvailabilityPushItemResult[]);
  }

  /** StockPusher: the stock sync's narrow view; each item goes to its own location. */
  async push(items: readonly StockPushItem[], options: { readonly reference: string }): Promise<StockPushResult> {
    const results = new Map<StockPushItem, StockPushItemResult>();
    const sendable: { item: StockPushItem; mapped: AvailablePushItem }[] = [];
    for (const item of items) {
      if (!item.locationExternalId) {
        results.set(item, { key: item.key, status: "rejected", problem: "Shopify needs a location to set a quantity" });
        continue;
      }
      sendable.push({
        item,
        mapped: { inventoryItemId: item.externalId, locationId: item.locationExternalId, available: item.available, lastPushed: item.previousAvailable },
      });
    }
    const outcomes = await this.pushRaw(sendable.map((s) => s.mapped), options.reference);
    if (!outcomes.ok) return outcomes;
    for (const { item, mapped } of sendable) {
      const outcome = outcomes.value.get(mapped)!;
      const key = item.key;
      switch (outcome.status) {
        case "applied":
          results.set(item, { key, status: "applied" });
          break;
        case "stale":
          results.set(item, { key, status: "conflict", problem: outcome.message });
          break;
        case "rejected":
          results.set(item, { key, status: "rejected", problem: outcome.message });
          break;
        case "failed":
          results.set(item, { key, status: "not_applied", problem: outcome.message });
          break;
      }
    }
    return ok(items.map((item) => results.get(item)!));
  }

  private async pushRaw(items: readonly AvailablePushItem[], reference: string): Promise<ChannelCallResult<Map<AvailablePushItem, AvailablePushOutcome>>> {
    if (items.length === 0) return ok(new Map());
    // The caller's stable reference becomes the Shopify cause URI, so batch keys derived from
    // it stay the same when the sync run is retried.
    const uri = /^[a-z][a-z0-9+.-]*:/i.test(reference) ? reference : `gid://switchyard/StockSync/${encodeURIComponent(reference)}`;
    const outcomes = await this.shopify.pushAvailable(items, { referenceDocumentUri: uri });
    const transport = outcomes.filter((o): o is Extract<AvailablePushOutcome, { status: "failed" }> => o.status === "failed" && o.reason !== "batch_refused");
    if (transport.length === outcomes.length) {
      // Nothing reached Shopify: the call as a whole failed and is retried as a whole.
      const first = transport[0]!;
      return err(toChannelFailureReason(first.reason as ShopifyConnectorFailureReason), first.message);
    }
    return ok(new Map(outcomes.map((o) => [o.item, o])));
  }

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
    if (!result.ok) return err(toChannelFailureReason(result.reason), withShopifyReason(result.reason, result.detail));
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
    if (!result.ok) return err(toChannelFailureReason(result.reason), withShopifyReason(result.reason, result.detail));
    return ok({ alreadyCancelled: result.value.alreadyCancelled });
  }
}

/** The port's reasons are coarse; the merchant (and support) need Shopify's own word too. */
function withShopifyReason(reason: ShopifyConnectorFailureReason, detail: string | undefined): string {
  return detail ? `${reason}: ${detail}` : reason;
}

/** The registry's Shopify order writer: fulfillments and cancellations through the port adapter. */
export const shopifyOrderWriterFactory: OrderWriterFactory = (connection, dependencies) => {
  const connector = shopifyConnectorFromCredentials(connection, dependencies);
  return connector.ok ? ok(new ShopifyChannelConnector(connector.value)) : connector;
};
