import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { channelConnections, channelListings, inventoryLevels, locations, orders, products, variants } from "../db/schema";
import { startShopifySandbox, type ShopifySandbox } from "../connectors/shopify/sandbox/shopify-sandbox.server";
import { createSandboxState, type SandboxSeed } from "../connectors/shopify/sandbox/sandbox-state";
import { DEMO_SHOP } from "../db/seed/demo-catalogue";
import { available } from "../core/inventory/stock-balance";
import { webhookSecret } from "../app/config/demo-mode.server";
import { registerDemoControls } from "../app/config/demo-controls.server";
import { startDemoCarrier } from "./demo-carrier";
import { startDemoMarketplaces, type DemoMarketplaces } from "./demo-marketplace-channels";
import { startDemoAmazon } from "./demo-amazon-channel";
import { markStockDirty } from "../db/repositories/stock-sync-dirty-repository";
import { startDemoChannelReturns, type DemoChannelReturns } from "./demo-channel-returns";

export const DEMO_SHOPIFY_ACCESS_TOKEN = "shpat_switchyard_demo_sandbox";

export interface DemoChannels {
  shopify: { baseUrl: string; accessToken: string };
  /** The EasyPost sandbox labels are bought from. */
  easypost: { baseUrl: string };
  /** The eBay and WooCommerce sandboxes the demo's marketplace connections talk to. */
  marketplaces: DemoMarketplaces;
  /** The Amazon SP-API sandbox (LWA and SP-API on one port). */
  amazon: { baseUrl: string };
  /** Mirrors the seeded shop into the sandbox and links Shopify ids back onto our rows. */
  loadShop(shopId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The demo's channels: a Shopify sandbox speaking the Admin GraphQL wire format and sending
 * signed webhooks to the app, exactly as a real shop would. Its state lives in memory, so on
 * every start it is rebuilt from the database (the ledger is the source of truth).
 */
export async function startDemoChannels(options: { db: Database; appUrl: string; port?: number; amazonPort?: number }): Promise<DemoChannels> {
  const sandbox = await startShopifySandbox({
    port: options.port ?? Number(process.env.SHOPIFY_SANDBOX_PORT ?? 3101),
    shopDomain: DEMO_SHOP.domain,
    accessToken: DEMO_SHOPIFY_ACCESS_TOKEN,
    webhookSecret: webhookSecret(),
    appUrl: options.appUrl,
    log: process.env.SWITCHYARD_SANDBOX_LOG ? undefined : () => {},
  });
  // Port 0 (tests) means free ports for every sandbox, not just Shopify's.
  const marketplaces = await startDemoMarketplaces({ db: options.db, appUrl: options.appUrl, ...(options.port === 0 ? { ports: { ebay: 0, woocommerce: 0 } } : {}) });
  let streamTimer: NodeJS.Timeout | undefined;
  let channelReturns: DemoChannelReturns | undefined;
  // A caller that picks a free port for Shopify (tests) gets a free one for EasyPost too.
  const carrier = await startDemoCarrier({ db: options.db, appUrl: options.appUrl, ...(options.port === 0 ? { port: 0 } : {}) });
  // A caller that asks for a free Shopify port (tests) gets a free Amazon port too.
  const amazon = await startDemoAmazon({ db: options.db, ...(options.amazonPort !== undefined || options.port === 0 ? { port: options.amazonPort ?? 0 } : {}) });

  return {
    shopify: { baseUrl: sandbox.url, accessToken: DEMO_SHOPIFY_ACCESS_TOKEN },
    easypost: { baseUrl: carrier.sandbox.apiBaseUrl },
    marketplaces,
    amazon: { baseUrl: amazon.url },
    async loadShop(shopId) {
      await carrier.connectShop(shopId);
      await amazon.loadShop(shopId);
      const seed = await sandboxSeedFromDatabase(options.db, shopId);
      Object.assign(sandbox.state, createSandboxState(DEMO_SHOP.domain, seed, Date.now));
      await linkShopifyIds(options.db, shopId, sandbox);
      await continueOrderNumbering(options.db, shopId, sandbox);
      // The sandbox's URL may differ from the one stored at seed time (another port). Merged
      // into the stored settings: whatever else the merchant set there survives a restart.
      await options.db
        .update(channelConnections)
        .set({ settings: sql`${channelConnections.settings} || ${JSON.stringify({ baseUrl: sandbox.url, sandbox: true })}::jsonb` })
        .where(and(eq(channelConnections.shopId, shopId), eq(channelConnections.channel, "shopify")));
      await marketplaces.link(shopId);
      // Every sandbox was rebuilt and every listing's last figure forgotten: the first sync tells
      // each channel every listing in its largest batches (Amazon's as a JSON_LISTINGS_FEED).
      await markStockDirty(options.db, { shopId });
      channelReturns?.stop();
      channelReturns = await startDemoChannelReturns({ db: options.db, shopId, ebay: marketplaces.ebay, amazon: amazon.sandbox });
      registerDemoControls({
        simulateMarketplaceOrders: (channel, count) => marketplaces.simulateOrders(channel, count),
        simulateShopifyOrders: async (count) => {
          let sent = 0;
          for (let i = 0; i < count; i++) {
            const { delivery } = await sandbox.simulateOrder();
            if (delivery?.ok) sent++;
          }
          return sent;
        },
      });
      const perMinute = Number(process.env.SWITCHYARD_DEMO_ORDER_STREAM ?? 0);
      if (perMinute > 0) {
        streamTimer = setInterval(() => {
          void sandbox.simulateOrder().catch(() => {});
          // The marketplaces sell too, so the stock sync has something to follow on every channel.
          void marketplaces.simulateOrders(Math.random() < 0.5 ? "woocommerce" : "ebay", 1).catch(() => {});
        }, 60_000 / perMinute);
        streamTimer.unref();
      }
    },
    async stop() {
      if (streamTimer) clearInterval(streamTimer);
      channelReturns?.stop();
      registerDemoControls(undefined);
      await amazon.stop();
      await sandbox.stop();
      await carrier.stop();
      await marketplaces.stop();
    },
  };
}

/** What Shopify would hold for this shop: its locations, catalogue and available stock. */
async function sandboxSeedFromDatabase(db: Database, shopId: string): Promise<SandboxSeed> {
  const locationRows = await db.select().from(locations).where(eq(locations.shopId, shopId)).orderBy(locations.priority, locations.name);
  const variantRows = await db
    .select({ sku: variants.sku, title: variants.title, priceMinor: variants.priceMinor, productTitle: products.title })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(eq(variants.shopId, shopId))
    .orderBy(variants.sku);
  const levelRows = await db
    .select({ sku: variants.sku, location: locations.name, onHand: inventoryLevels.onHand, reserved: inventoryLevels.reserved, safetyStock: inventoryLevels.safetyStock })
    .from(inventoryLevels)
    .innerJoin(variants, eq(variants.id, inventoryLevels.variantId))
    .innerJoin(locations, eq(locations.id, inventoryLevels.locationId))
    .where(eq(inventoryLevels.shopId, shopId));
  return {
    currency: "USD",
    locations: locationRows.map((l) => ({
      name: l.name,
      address1: l.address1,
      city: l.city,
      provinceCode: l.region ?? undefined,
      zip: l.postalCode ?? undefined,
      countryCode: l.countryCode,
      latitude: l.latitude ?? undefined,
      longitude: l.longitude ?? undefined,
      fulfillsOnlineOrders: l.canShip,
    })),
    variants: variantRows.map((v) => ({
      sku: v.sku,
      title: v.title.includes(" — ") ? v.title.split(" — ")[1]! : v.title,
      price: (v.priceMinor / 100).toFixed(2),
      productTitle: v.productTitle,
    })),
    inventory: levelRows.map((l) => ({ sku: l.sku, location: l.location, available: available(l) })),
  };
}

/** Matches the sandbox's ids to ours by SKU and location name, as an import from Shopify would. */
async function linkShopifyIds(db: Database, shopId: string, sandbox: ShopifySandbox) {
  const { state } = sandbox;
  await db.transaction(async (tx) => {
    for (const location of state.locations) {
      await tx.update(locations).set({ externalId: location.id }).where(and(eq(locations.shopId, shopId), eq(locations.name, location.name)));
    }
    const productTitle = new Map(state.products.map((p) => [p.id, p.title]));
    if (state.variants.length > 0) {
      const values = sql.join(
        state.variants.map((v) => sql`(${v.sku}::text, ${v.id}::text, ${v.inventoryItemId}::text, ${productTitle.get(v.productId) ?? null}::text, ${v.productId}::text)`),
        sql`, `,
      );
      await tx.execute(sql`
        UPDATE variants AS v SET external_id = s.variant_id, external_inventory_item_id = s.item_id
          FROM (VALUES ${values}) AS s(sku, variant_id, item_id, product_title, product_id)
         WHERE v.shop_id = ${shopId} AND v.sku = s.sku`);
      await tx.execute(sql`
        UPDATE products AS p SET external_id = s.product_id
          FROM (SELECT DISTINCT product_title, product_id FROM (VALUES ${values}) AS x(sku, variant_id, item_id, product_title, product_id)) AS s
         WHERE p.shop_id = ${shopId} AND p.title = s.product_title`);
    }
    // Shopify addresses stock by inventory item: the listing's external id follows it.
    await tx.execute(sql`
      UPDATE channel_listings AS cl SET external_id = v.external_inventory_item_id
        FROM variants v, channel_connections c
       WHERE cl.variant_id = v.id AND cl.connection_id = c.id AND c.channel = 'shopify'
         AND cl.shop_id = ${shopId} AND v.external_inventory_item_id IS NOT NULL`);
    // The sandbox was rebuilt from the ledger (its figures are not our allocation-adjusted ones):
    // forget what was pushed, per listing and per location, so the next sync re-tells every
    // location without a compare-and-set.
    await tx.execute(sql`
      DELETE FROM channel_listing_locations AS cll
       USING channel_listings cl, channel_connections c
       WHERE cll.listing_id = cl.id AND cl.connection_id = c.id AND c.channel = 'shopify' AND cl.shop_id = ${shopId}`);
    await tx.execute(sql`
      UPDATE channel_listings AS cl SET last_pushed_available = NULL, last_pushed_at = NULL
        FROM channel_connections c WHERE cl.connection_id = c.id AND c.channel = 'shopify' AND cl.shop_id = ${shopId}`);
  });
  void channelListings;
}

/** New sandbox orders must not reuse ids or numbers of orders we already hold. */
async function continueOrderNumbering(db: Database, shopId: string, sandbox: ShopifySandbox) {
  const result = await db.execute<{ max_id: string | null; max_number: number | null }>(sql`
    SELECT max((regexp_replace(external_id, '^gid://shopify/Order/', ''))::numeric)::text AS max_id,
           max(nullif(regexp_replace(number, '[^0-9]', '', 'g'), '')::bigint)::int AS max_number
      FROM orders WHERE shop_id = ${shopId} AND channel = 'shopify' AND external_id ~ '^gid://shopify/Order/[0-9]+$'`);
  const row = result.rows[0];
  if (row?.max_id) sandbox.state.nextLegacyId = Math.max(sandbox.state.nextLegacyId, Number(row.max_id) + 1);
  if (row?.max_number) sandbox.state.nextOrderNumber = Math.max(sandbox.state.nextOrderNumber, row.max_number + 1);
  void orders;
}
