import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { FetchOrdersPage, PolledOrderDelivery, RejectedChannelOrder } from "../../core/ports/channel-connector-port.js";
import type { ChannelModule } from "../../core/ports/channel-module-port.js";
import type { UnifiedOrderInput } from "../../core/orders/unified-order.js";
import { createEbaySession, ebayCredentialsSchema, ebayTokenExpiresSoon, refreshEbayUserToken, type EbayCredentials } from "./ebay-client.js";
import { confirmEbayFulfillment } from "./ebay-fulfillment.js";
import { cancelEbayOrder } from "./ebay-order-cancel.js";
import { mapEbayOrder } from "./ebay-order-mapper.js";
import { ebayOrderDeliveryIdentity, initialEbayPollCursor, pollEbayOrders } from "./ebay-order-poll.js";
import { EBAY_BULK_PRICE_QUANTITY_LIMIT, pushEbayStock, readEbayStock } from "./ebay-stock-push.js";
import { ebayReturns } from "./returns/ebay-returns.js";

/**
 * eBay as one channel module: orders by polling getOrders, pooled stock by
 * bulkUpdatePriceQuantity, shipping fulfillments written back, the two-hour user token
 * refreshed (and persisted by the credential session) before expiry or after a 401, and a
 * health call. Cancellations go through the Post-Order API's seller-initiated cancellation.
 */

const settingsSchema = z.looseObject({
  /** The sandbox's URL (or a proxy); eBay production when absent. */
  baseUrl: z.url().nullish(),
  marketplaceId: z.string().optional(),
});

const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

export function ebayChannelModule(): ChannelModule<EbayCredentials> {
  const baseUrlOf = (settings: Record<string, unknown>): string | undefined => settingsSchema.safeParse(settings).data?.baseUrl ?? undefined;
  return {
    channel: "ebay",
    displayName: "eBay",
    capabilities: ["capture_orders_poll", "push_stock", "write_back", "refresh_credentials", "health", "returns"],
    credentials: {
      parse(raw): Result<EbayCredentials, "missing_credentials"> {
        const parsed = ebayCredentialsSchema.safeParse(raw);
        return parsed.success ? ok(parsed.data) : err("missing_credentials", "the eBay connection needs the keyset (appId, certId) and a user token with its refresh token");
      },
      expiresSoon: ebayTokenExpiresSoon,
      refresh: (connection, credentials, transport) => refreshEbayUserToken(baseUrlOf(connection.settings), credentials, transport.now()),
    },
    open(connection, session, transport) {
      const settings = settingsSchema.safeParse(connection.settings);
      if (!settings.success) return err("misconfigured", `invalid eBay settings: ${settings.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      const ebay = createEbaySession({
        ...(settings.data.baseUrl ? { baseUrl: settings.data.baseUrl } : {}),
        ...(settings.data.marketplaceId ? { marketplaceId: settings.data.marketplaceId } : {}),
        tokens: session,
      });
      return ok({
        orderPoller: {
          async fetchOrders(cursor, options) {
            const page = await pollEbayOrders(ebay, cursor ?? initialEbayPollCursor(new Date(transport.now().getTime() - FIRST_POLL_LOOKBACK_MS)), options?.limit ? { limit: options.limit } : {});
            return page.ok ? ok(mapPage(page.value.orders, page.value.nextCursor, page.value.hasMore)) : page;
          },
        },
        stock: {
          channel: "ebay",
          scope: "pooled",
          maxBatchSize: EBAY_BULK_PRICE_QUANTITY_LIMIT,
          push: (batch) => pushEbayStock(ebay, batch),
          maxReadBatchSize: EBAY_BULK_PRICE_QUANTITY_LIMIT,
          read: (items) => readEbayStock(ebay, items),
        },
        orderWriter: {
          confirmFulfillment: (request) => confirmEbayFulfillment(ebay, request),
          cancelOrder: (request) => cancelEbayOrder(ebay, request),
        },
        returns: ebayReturns(ebay, () => transport.now()),
        health: {
          async check() {
            const page = await ebay.call((api) => api.sell.fulfillment.getOrders({ limit: 1 }) as Promise<{ total?: number }>);
            return page.ok ? ok({ detail: `${page.value.total ?? 0} orders` }) : page;
          },
        },
      });
    },
  };
}

function mapPage(raw: readonly unknown[], nextCursor: string, hasMore: boolean): FetchOrdersPage {
  const orders: UnifiedOrderInput[] = [];
  const rejected: RejectedChannelOrder[] = [];
  const deliveries: PolledOrderDelivery[] = [];
  for (const payload of raw) {
    const identity = ebayOrderDeliveryIdentity(payload);
    if (identity) deliveries.push({ ...identity, topic: "order", payload });
    const mapped = mapEbayOrder(payload);
    if (mapped.ok) orders.push(mapped.value);
    else {
      const id = (payload as { orderId?: unknown } | null)?.orderId;
      rejected.push({ ...(typeof id === "string" ? { externalId: id } : {}), problem: `${mapped.reason}: ${mapped.detail ?? ""}`, raw: payload });
    }
  }
  return { orders, rejected, deliveries, nextCursor, hasMore };
}
