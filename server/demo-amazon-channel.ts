import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { channelConnections } from "../db/schema";
import { credentialCipher } from "../db/crypto/encryption-key";
import { startAmazonSandbox, type AmazonSandbox } from "../connectors/amazon/sandbox/amazon-sandbox.server";
import { minorUnitsToDecimal } from "../core/shared/decimal-money";

/**
 * The demo's Amazon: an SP-API sandbox (LWA, orders, listings, feeds) for the seeded "Amazon US"
 * connection. On every start the sandbox is rebuilt from the database: one listing per Amazon
 * channel listing (SellerSKU = the variant's SKU) holding what the ledger has available at the
 * connection's locations; the connection gets the sandbox's URL and fresh LWA credentials (the
 * sandbox's earlier access tokens died with it), and turns from "Awaiting connector" into a
 * live, polled and pushed connection.
 */

export const DEMO_AMAZON = {
  sellerId: "A2SWITCHYARDDEMO",
  marketplaceId: "ATVPDKIKX0DER",
  clientId: "amzn1.application-oa2-client.switchyard-demo",
  clientSecret: "switchyard-demo-lwa-secret",
  refreshToken: "Atzr|switchyard-demo-refresh-token",
} as const;

export interface DemoAmazon {
  url: string;
  sandbox: AmazonSandbox;
  /** Links the shop's Amazon connection to the sandbox; false when the shop has none. */
  loadShop(shopId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startDemoAmazon(options: { db: Database; port?: number }): Promise<DemoAmazon> {
  const sandbox = await startAmazonSandbox({
    port: options.port ?? Number(process.env.AMAZON_SANDBOX_PORT ?? 3102),
    sellerId: DEMO_AMAZON.sellerId,
    marketplaceId: DEMO_AMAZON.marketplaceId,
    clientId: DEMO_AMAZON.clientId,
    clientSecret: DEMO_AMAZON.clientSecret,
    refreshToken: DEMO_AMAZON.refreshToken,
    // Amazon takes minutes to process a feed; the demo a few seconds, so a person sees it settle.
    feedProcessingDelayMs: Number(process.env.AMAZON_SANDBOX_FEED_DELAY_MS ?? 5_000),
    log: process.env.SWITCHYARD_SANDBOX_LOG ? undefined : () => {},
  });
  let streamTimer: NodeJS.Timeout | undefined;

  return {
    url: sandbox.url,
    sandbox,
    async loadShop(shopId) {
      const [connection] = await options.db
        .select({ id: channelConnections.id })
        .from(channelConnections)
        .where(and(eq(channelConnections.shopId, shopId), eq(channelConnections.channel, "amazon")))
        .limit(1);
      if (!connection) return false;
      const listings = await options.db.execute<{ sku: string; title: string; price_minor: number; available: number }>(sql`
        SELECT v.sku, v.title, v.price_minor,
               coalesce((SELECT sum(greatest(il.on_hand - il.reserved - il.safety_stock, 0))
                           FROM inventory_levels il JOIN channel_locations cloc ON cloc.location_id = il.location_id
                          WHERE il.variant_id = v.id AND cloc.connection_id = cl.connection_id), 0)::int AS available
          FROM channel_listings cl JOIN variants v ON v.id = cl.variant_id
         WHERE cl.connection_id = ${connection.id} AND v.sku IS NOT NULL
         ORDER BY v.sku`);
      sandbox.replaceListings(
        listings.rows.map((row) => ({ sku: row.sku, title: row.title, price: minorUnitsToDecimal(row.price_minor, "USD"), quantity: row.available })),
      );
      const settings = {
        baseUrl: sandbox.url,
        sandbox: true,
        region: "na",
        sellerId: DEMO_AMAZON.sellerId,
        marketplaceId: DEMO_AMAZON.marketplaceId,
        // A few SKUs are patched (5 per second); a larger batch (a sale burst, the first sync of
        // every listing) goes as a JSON_LISTINGS_FEED, answered pending and settled by the sync
        // once the sandbox has processed it (AMAZON_SANDBOX_FEED_DELAY_MS).
        feedThreshold: Number(process.env.SWITCHYARD_DEMO_AMAZON_FEED_THRESHOLD ?? 20),
      };
      await options.db.transaction(async (tx) => {
        await tx
          .update(channelConnections)
          .set({
            status: "connected",
            settings: sql`${channelConnections.settings} || ${JSON.stringify(settings)}::jsonb`,
            credentialsEncrypted: credentialCipher().encryptJson({
              clientId: DEMO_AMAZON.clientId,
              clientSecret: DEMO_AMAZON.clientSecret,
              refreshToken: DEMO_AMAZON.refreshToken,
            }),
          })
          .where(eq(channelConnections.id, connection.id));
        // Amazon addresses a listing by SellerSKU; the sandbox was rebuilt from the ledger, so
        // what was pushed before is forgotten and the next sync tells every listing again.
        await tx.execute(sql`
          UPDATE channel_listings AS cl
             SET external_id = v.sku, external_sku = v.sku, external_variant_ref = v.sku,
                 last_pushed_available = NULL, last_pushed_at = NULL
            FROM variants v
           WHERE cl.variant_id = v.id AND cl.connection_id = ${connection.id} AND v.sku IS NOT NULL`);
      });
      const perMinute = Number(process.env.SWITCHYARD_DEMO_AMAZON_ORDERS_PER_MINUTE ?? 1);
      if (perMinute > 0) {
        streamTimer = setInterval(() => sandbox.generateOrder({ status: Math.random() < 0.2 ? "PENDING" : "UNSHIPPED", pendingMs: 3 * 60_000 }), 60_000 / perMinute);
        streamTimer.unref();
      }
      return true;
    },
    async stop() {
      if (streamTimer) clearInterval(streamTimer);
      await sandbox.stop();
    },
  };
}
