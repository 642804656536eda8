import { randomBytes } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { credentialCipher } from "../db/crypto/encryption-key";
import { channelConnections, channelListings, channelLocations, inventoryLevels, products, variants } from "../db/schema";
import { available } from "../core/inventory/stock-balance";
import { startEbaySandbox, type EbaySandbox } from "../connectors/ebay/sandbox/ebay-sandbox.server";
import { createEbaySandboxState } from "../connectors/ebay/sandbox/ebay-sandbox-state";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "../connectors/woocommerce/sandbox/woocommerce-sandbox.server";
import { createWooSandboxState, type WooSandboxSeed } from "../connectors/woocommerce/sandbox/woo-sandbox-state";

/**
 * The demo's eBay and WooCommerce: one sandbox each, seeded from what the demo shop lists on
 * those connections, and the connections turned live against them (credentials encrypted,
 * listings linked to the sandbox's ids). The sandboxes' state is in memory, so this runs on
 * every start; the ledger stays the source of truth and the next stock sync re-tells both.
 */

export const DEMO_EBAY_APP = { appId: "Switchyard-demo-PRD-sandbox", certId: "PRD-switchyard-demo-cert" };
export const DEMO_WOO_KEYS = { consumerKey: "ck_switchyard_demo_sandbox", consumerSecret: "cs_switchyard_demo_sandbox" };

export interface DemoMarketplaces {
  ebay: EbaySandbox;
  woocommerce: WooCommerceSandbox;
  link(shopId: string): Promise<void>;
  /** Orders on one marketplace: Woo's arrive by signed webhook, eBay's with the next poll. */
  simulateOrders(channel: "woocommerce" | "ebay", count: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startDemoMarketplaces(options: { db: Database; appUrl: string; ports?: { ebay: number; woocommerce: number } }): Promise<DemoMarketplaces> {
  const quiet = process.env.SWITCHYARD_SANDBOX_LOG ? {} : { log: () => {} };
  const ebay = await startEbaySandbox({ port: options.ports?.ebay ?? Number(process.env.EBAY_SANDBOX_PORT ?? 3103), ...DEMO_EBAY_APP, ...quiet });
  const woocommerce = await startWooCommerceSandbox({ port: options.ports?.woocommerce ?? Number(process.env.WOOCOMMERCE_SANDBOX_PORT ?? 3104), ...DEMO_WOO_KEYS, ...quiet });
  const { db } = options;

  async function link(shopId: string) {
    const connections = await db
      .select()
      .from(channelConnections)
      .where(and(eq(channelConnections.shopId, shopId), inArray(channelConnections.channel, ["ebay", "woocommerce"])));
    const cipher = credentialCipher();
    for (const connection of connections) {
      const listed = await listedVariants(db, connection.id);
      if (connection.channel === "woocommerce") {
        Object.assign(woocommerce.state, createWooSandboxState(wooSeed(listed), Date.now));
        const secret = randomBytes(24).toString("base64url");
        woocommerce.state.webhooks.set(1, { id: 1, name: "Switchyard orders", status: "active", topic: "order.created", deliveryUrl: `${options.appUrl}/webhooks/woocommerce/${connection.id}`, secret, createdAt: Date.now() });
        woocommerce.state.webhooks.set(2, { id: 2, name: "Switchyard order updates", status: "active", topic: "order.updated", deliveryUrl: `${options.appUrl}/webhooks/woocommerce/${connection.id}`, secret, createdAt: Date.now() });
        woocommerce.state.nextId = Math.max(woocommerce.state.nextId, await nextWooOrderId(db, shopId));
        const ids = new Map<string, string>();
        for (const p of woocommerce.state.products.values()) if (p.type === "simple") ids.set(p.sku, String(p.id));
        for (const v of woocommerce.state.variations.values()) ids.set(v.sku, String(v.id));
        await relink(db, connection.id, ids);
        await goLive(db, connection.id, cipher.encryptJson({ ...DEMO_WOO_KEYS, webhookSecret: secret }), { baseUrl: woocommerce.url, sandbox: true, pollOrders: true });
      } else {
        Object.assign(ebay.state, createEbaySandboxState({ items: listed.map((l) => ({ sku: l.sku, title: l.title, price: (l.priceMinor / 100).toFixed(2), quantity: l.available })) }));
        const token = ebay.issueUserToken();
        await relink(db, connection.id, new Map(listed.map((l) => [l.sku, l.sku])));
        await goLive(
          db,
          connection.id,
          cipher.encryptJson({ ...DEMO_EBAY_APP, accessToken: token.accessToken, refreshToken: token.refreshToken, accessTokenExpiresAt: token.expiresAt.toISOString(), verificationToken: randomBytes(32).toString("hex") }),
          { baseUrl: ebay.url, sandbox: true, marketplaceId: "EBAY_US" },
        );
      }
    }
  }

  return {
    ebay,
    woocommerce,
    link,
    async simulateOrders(channel, count) {
      let placed = 0;
      for (let i = 0; i < count; i++) {
        if (channel === "woocommerce" && woocommerce.state.products.size > 0) {
          const { deliveries } = await woocommerce.simulateOrder();
          if (deliveries.some((d) => d.ok)) placed++;
        } else if (channel === "ebay" && ebay.state.items.size > 0) {
          ebay.simulateOrder();
          placed++;
        }
      }
      return placed;
    },
    async stop() {
      await Promise.all([ebay.stop(), woocommerce.stop()]);
    },
  };
}

interface ListedVariant {
  sku: string;
  title: string;
  productTitle: string;
  priceMinor: number;
  available: number;
}

/** The variants listed on a connection, with the stock its locations can offer. */
async function listedVariants(db: Database, connectionId: string): Promise<ListedVariant[]> {
  const rows = await db
    .select({ sku: variants.sku, title: variants.title, priceMinor: variants.priceMinor, productTitle: products.title, variantId: variants.id })
    .from(channelListings)
    .innerJoin(variants, eq(variants.id, channelListings.variantId))
    .innerJoin(products, eq(products.id, variants.productId))
    .where(eq(channelListings.connectionId, connectionId))
    .orderBy(variants.sku);
  const levels = await db
    .select({ variantId: inventoryLevels.variantId, onHand: inventoryLevels.onHand, reserved: inventoryLevels.reserved, safetyStock: inventoryLevels.safetyStock })
    .from(inventoryLevels)
    .innerJoin(channelLocations, and(eq(channelLocations.locationId, inventoryLevels.locationId), eq(channelLocations.connectionId, connectionId)));
  const stock = new Map<string, number>();
  for (const l of levels) stock.set(l.variantId, (stock.get(l.variantId) ?? 0) + available(l));
  return rows.filter((r) => r.sku).map((r) => ({ sku: r.sku!, title: r.title, productTitle: r.productTitle, priceMinor: r.priceMinor, available: stock.get(r.variantId) ?? 0 }));
}

/** Products with several listed variants become variable products; a single one a simple product. */
function wooSeed(listed: ListedVariant[]): WooSandboxSeed {
  const byProduct = new Map<string, ListedVariant[]>();
  for (const l of listed) byProduct.set(l.productTitle, [...(byProduct.get(l.productTitle) ?? []), l]);
  return {
    products: [...byProduct].map(([name, list]) =>
      list.length === 1
        ? { name, sku: list[0]!.sku, price: (list[0]!.priceMinor / 100).toFixed(2), stock: list[0]!.available }
        : { name, price: (list[0]!.priceMinor / 100).toFixed(2), variations: list.map((l) => ({ sku: l.sku, option: l.title.includes(" — ") ? l.title.split(" — ")[1]! : l.title, price: (l.priceMinor / 100).toFixed(2), stock: l.available })) },
    ),
  };
}

/** Points each listing at the channel's id for it (by SKU) and forgets what was pushed before. */
async function relink(db: Database, connectionId: string, idsBySku: Map<string, string>) {
  if (idsBySku.size === 0) return;
  const values = sql.join([...idsBySku].map(([sku, id]) => sql`(${sku}::text, ${id}::text)`), sql`, `);
  await db.execute(sql`
    UPDATE channel_listings AS cl
       SET external_id = s.id, external_variant_ref = s.id, external_sku = s.sku, last_pushed_available = NULL, last_pushed_at = NULL
      FROM variants v, (VALUES ${values}) AS s(sku, id)
     WHERE cl.variant_id = v.id AND v.sku = s.sku AND cl.connection_id = ${connectionId}`);
}

async function goLive(db: Database, connectionId: string, credentialsEncrypted: string, settings: Record<string, unknown>) {
  await db
    .update(channelConnections)
    .set({ status: "connected", credentialsEncrypted, settings: sql`${channelConnections.settings} || ${JSON.stringify(settings)}::jsonb`, lastError: null, lastErrorAt: null })
    .where(eq(channelConnections.id, connectionId));
}

/** New sandbox orders must not reuse the ids of Woo orders Switchyard already holds. */
async function nextWooOrderId(db: Database, shopId: string): Promise<number> {
  const result = await db.execute<{ max_id: number | null }>(sql`
    SELECT max(external_id::bigint)::int AS max_id FROM orders WHERE shop_id = ${shopId} AND channel = 'woocommerce' AND external_id ~ '^[0-9]{1,9}$'`);
  return (result.rows[0]?.max_id ?? 0) + 1;
}
