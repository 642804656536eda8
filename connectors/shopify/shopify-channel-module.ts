import { z } from "zod";
import { err, ok } from "../../core/shared/result.js";
import type { ChannelModule } from "../../core/ports/channel-module-port.js";
import { SHOPIFY_ADMIN_API_VERSION, shopifyAdminGraphqlUrl } from "./admin-api-version.js";
import { AdminGraphqlClient } from "./admin-graphql-client.js";
import { shopifyCredentials, type ShopifyAppCredentials, type ShopifyCredentials } from "./shopify-credentials.js";
import { ShopifyConnector } from "./shopify-connector.js";
import { shopifyFailure } from "./shopify-failure-mapping.js";
import { ShopifyOrderPoller, ShopifyOrderWriter } from "./shopify-order-writer.js";
import { ShopifyReturnWriter } from "./shopify-return-writer.js";
import { ShopifyStockPusher } from "./shopify-stock-pusher.js";
import { verifyShopifyWebhookHmac } from "./webhook-signature.js";

/**
 * Shopify as one channel module (core/ports/channel-module-port.ts): orders by webhook (and
 * polling as the fallback), catalogue import, per-location stock push, fulfillment and
 * cancellation write-back, returns (shopify-return-writer.ts), expiring offline token refresh, and a health call. Every capability
 * shares one Admin GraphQL client, so they share one view of the shop's cost bucket.
 */

const settingsSchema = z.looseObject({
  /** The demo's Shopify sandbox (or any Admin API compatible server); the shop's own domain when absent. */
  baseUrl: z.url().nullish(),
});

export interface ShopifyModuleOptions {
  /** The app's key and secret for the token endpoint; null where none is configured (the demo). */
  app: ShopifyAppCredentials | null;
  /** Injectable so throttling and bulk polling do not sleep in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export function shopifyChannelModule(options: ShopifyModuleOptions): ChannelModule<ShopifyCredentials> {
  return {
    channel: "shopify",
    displayName: "Shopify",
    capabilities: ["capture_orders_webhook", "capture_orders_poll", "import_catalogue", "push_stock", "write_back", "write_returns", "refresh_credentials", "health"],
    credentials: shopifyCredentials(options.app),
    webhook: {
      verify: (rawBody, headers, secret) => verifyShopifyWebhookHmac(rawBody, headers.get("x-shopify-hmac-sha256"), secret),
    },
    open(connection, session, transport) {
      const settings = settingsSchema.safeParse(connection.settings);
      if (!settings.success) {
        return err("misconfigured", `invalid Shopify settings: ${settings.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      }
      const endpoint = settings.data.baseUrl
        ? `${settings.data.baseUrl.replace(/\/+$/, "")}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`
        : shopifyAdminGraphqlUrl(connection.shopDomain);
      const tokenOf = async (result: Awaited<ReturnType<typeof session.current>>) =>
        result.ok ? ({ ok: true, value: result.value.accessToken } as const) : ({ ok: false, detail: result.detail ?? result.reason } as const);
      let lastCredentials: ShopifyCredentials | undefined;
      const client = new AdminGraphqlClient({
        endpoint,
        accessToken: {
          current: async () => {
            const current = await session.current();
            if (current.ok) lastCredentials = current.value;
            return tokenOf(current);
          },
          renew: async (rejected) => {
            // current() ran before every request, so these are the credentials that were refused.
            const renewed = await session.renew(lastCredentials ?? { accessToken: rejected });
            if (renewed.ok) lastCredentials = renewed.value;
            return tokenOf(renewed);
          },
        },
        fetch: transport.fetch,
        ...(options.sleep ? { sleep: options.sleep } : {}),
      });
      const shopify = new ShopifyConnector({ client, fetch: transport.fetch, ...(options.sleep ? { sleep: options.sleep } : {}) });
      return ok({
        orderPoller: new ShopifyOrderPoller(shopify),
        catalogue: shopify,
        stock: new ShopifyStockPusher(shopify),
        orderWriter: new ShopifyOrderWriter(shopify),
        returnWriter: new ShopifyReturnWriter(client),
        health: {
          async check() {
            const count = await shopify.countProducts();
            return count.ok ? ok({ detail: `${count.value.count}${count.value.exact ? "" : "+"} products` }) : shopifyFailure(count.reason, count.detail);
          },
        },
      });
    },
  };
}
