import { z } from "zod";
import { err, ok, type Result } from "../../core/shared/result.js";
import type { ChannelCallResult, FetchOrdersPage, PolledOrderDelivery, RejectedChannelOrder } from "../../core/ports/channel-connector-port.js";
import type { ChannelModule } from "../../core/ports/channel-module-port.js";
import type { StockPusher } from "../../core/ports/stock-pusher-port.js";
import type { UnifiedOrderInput } from "../../core/orders/unified-order.js";
import { createWooClient, wooCredentialsSchema, type WooClient, type WooCredentials } from "./woocommerce-client.js";
import { confirmWooFulfillment } from "./woocommerce-fulfillment.js";
import { mapWooCommerceOrder } from "./woocommerce-order-mapper.js";
import { initialWooPollCursor, pollWooOrders, wooOrderDeliveryIdentity } from "./woocommerce-order-poll.js";
import { pushWooStock, readWooStock, WOO_BATCH_LIMIT } from "./woocommerce-stock-push.js";
import { verifyWooCommerceWebhookSignature } from "./woocommerce-webhook-signature.js";
import { wooCommerceReturns } from "./returns/woocommerce-refunds.js";

/**
 * WooCommerce as one channel module: orders by signed webhook (polling `modified_after` as the
 * fallback), pooled stock through the batch endpoints, tracking notes and cancellation written
 * back, and a health call. Consumer keys do not expire, so there is nothing to refresh.
 */

const settingsSchema = z.looseObject({
  /** The store URL (or the sandbox's); the REST API is under /wp-json/wc/v3. */
  baseUrl: z.url(),
  /** For hosts that drop the Authorization header over https. */
  queryStringAuth: z.boolean().optional(),
});

/** How far back the first poll of a connection looks. */
const FIRST_POLL_LOOKBACK_MS = 24 * 60 * 60 * 1000;

export function wooCommerceChannelModule(): ChannelModule<WooCredentials> {
  return {
    channel: "woocommerce",
    displayName: "WooCommerce",
    capabilities: ["capture_orders_webhook", "capture_orders_poll", "push_stock", "write_back", "health", "returns"],
    credentials: {
      parse(raw): Result<WooCredentials, "missing_credentials"> {
        const parsed = wooCredentialsSchema.safeParse(raw);
        return parsed.success ? ok(parsed.data) : err("missing_credentials", "the WooCommerce connection needs a consumer key and secret");
      },
    },
    webhook: {
      verify: (rawBody, headers, secret) => verifyWooCommerceWebhookSignature(rawBody, headers.get("x-wc-webhook-signature"), secret),
    },
    open(connection, session, transport) {
      const settings = settingsSchema.safeParse(connection.settings);
      if (!settings.success) return err("misconfigured", "the WooCommerce connection needs the store URL (settings.baseUrl)");
      const withClient = async <T>(run: (client: WooClient) => Promise<ChannelCallResult<T>>): Promise<ChannelCallResult<T>> => {
        const credentials = await session.current();
        if (!credentials.ok) return credentials;
        return run(createWooClient({ baseUrl: settings.data.baseUrl, credentials: credentials.value, ...(settings.data.queryStringAuth ? { queryStringAuth: true } : {}) }));
      };
      const stock: StockPusher = {
        channel: "woocommerce",
        scope: "pooled",
        maxBatchSize: WOO_BATCH_LIMIT,
        push: (batch) => withClient((client) => pushWooStock(client, batch)),
        maxReadBatchSize: WOO_BATCH_LIMIT,
        read: (items) => withClient((client) => readWooStock(client, items)),
      };
      return ok({
        orderPoller: {
          fetchOrders: (cursor, options) =>
            withClient(async (client) => {
              const page = await pollWooOrders(client, cursor ?? initialWooPollCursor(new Date(transport.now().getTime() - FIRST_POLL_LOOKBACK_MS)), options?.limit ? { perPage: options.limit } : {});
              if (!page.ok) return page;
              return ok(mapPage(page.value.orders, page.value.nextCursor, page.value.hasMore));
            }),
        },
        stock,
        orderWriter: {
          confirmFulfillment: (request) => withClient((client) => confirmWooFulfillment(client, request)),
          cancelOrder: (request) =>
            withClient<{ alreadyCancelled: boolean }>(async (client) => {
              const current = await client.get<{ status?: string }>(`orders/${encodeURIComponent(request.orderExternalId)}`);
              if (!current.ok) return current;
              if (current.value.data.status === "cancelled") return ok({ alreadyCancelled: true });
              if (request.note) {
                const note = await client.post(`orders/${encodeURIComponent(request.orderExternalId)}/notes`, { note: request.note, customer_note: request.notifyCustomer ?? false });
                if (!note.ok) return note;
              }
              const cancelled = await client.put(`orders/${encodeURIComponent(request.orderExternalId)}`, { status: "cancelled" });
              return cancelled.ok ? ok({ alreadyCancelled: false }) : cancelled;
            }),
        },
        returns: wooCommerceReturns(withClient),
        health: {
          check: () =>
            withClient(async (client) => {
              const products = await client.get<unknown[]>("products", { per_page: 1 });
              return products.ok ? ok({ detail: `${products.value.headers["x-wp-total"] ?? "?"} products` }) : products;
            }),
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
    const identity = wooOrderDeliveryIdentity("order.updated", payload);
    if (identity) deliveries.push({ ...identity, topic: "order.updated", payload });
    const mapped = mapWooCommerceOrder(payload);
    if (mapped.ok) orders.push(mapped.value);
    else {
      const id = (payload as { id?: unknown } | null)?.id;
      rejected.push({ ...(id !== undefined ? { externalId: String(id) } : {}), problem: `${mapped.reason}: ${mapped.detail ?? ""}`, raw: payload });
    }
  }
  return { orders, rejected, deliveries, nextCursor, hasMore };
}
