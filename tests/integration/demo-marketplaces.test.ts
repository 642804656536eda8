import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { channelConnections, channelListings } from "../../db/schema";
import { startDemoMarketplaces, type DemoMarketplaces } from "../../server/demo-marketplace-channels";
import { channelConnectors } from "../../server/channel-modules";
import { reconcileConnectionStock } from "../../jobs/tasks/inventory-reconcile.task";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { markStockDirty } from "../../db/repositories/stock-sync-dirty-repository";
import { createConnection, createListing } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

let database: TestDatabase;
let marketplaces: DemoMarketplaces;
beforeAll(async () => {
  database = await createTestDatabase();
  marketplaces = await startDemoMarketplaces({ db: database.db, appUrl: "http://127.0.0.1:9", ports: { ebay: 0, woocommerce: 0 } });
});
afterAll(() => marketplaces.stop());

describe("demo eBay and WooCommerce", () => {
  it("turns the awaiting connections live against the sandboxes, listings linked by SKU", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id, { name: "Main" });
    const mug = await createVariant(db, shop.id, "MUG-1");
    await receive(db, shop.id, mug.id, location.id, 6);
    const ebayConnection = await createConnection(db, shop.id, { channel: "ebay", status: "awaiting_connector", locationIds: [location.id] });
    const wooConnection = await createConnection(db, shop.id, { channel: "woocommerce", status: "awaiting_connector", locationIds: [location.id] });
    const ebayListing = await createListing(db, shop.id, ebayConnection.id, mug.id, { externalId: "ebay:MUG-1" });
    const wooListing = await createListing(db, shop.id, wooConnection.id, mug.id, { externalId: "woocommerce:MUG-1" });

    await marketplaces.link(shop.id);

    const connections = await db.select().from(channelConnections).where(eq(channelConnections.shopId, shop.id));
    expect(connections.map((c) => [c.channel, c.status, c.settings.baseUrl])).toEqual(
      expect.arrayContaining([
        ["ebay", "connected", marketplaces.ebay.url],
        ["woocommerce", "connected", marketplaces.woocommerce.url],
      ]),
    );
    const wooCredentials = credentialCipher().decryptJson<{ consumerKey: string; webhookSecret: string }>(connections.find((c) => c.channel === "woocommerce")!.credentialsEncrypted!);
    expect(wooCredentials.webhookSecret.length).toBeGreaterThan(20);
    const [ebayRow] = await db.select().from(channelListings).where(eq(channelListings.id, ebayListing.id));
    const [wooRow] = await db.select().from(channelListings).where(eq(channelListings.id, wooListing.id));
    expect(ebayRow).toMatchObject({ externalId: "MUG-1", externalVariantRef: "MUG-1" });
    const wooProduct = [...marketplaces.woocommerce.state.products.values()].find((p) => p.sku === "MUG-1")!;
    expect(wooRow).toMatchObject({ externalId: String(wooProduct.id), externalVariantRef: String(wooProduct.id) });
    expect(wooProduct.stockQuantity).toBe(6);
    expect(marketplaces.ebay.state.items.get("MUG-1")!.quantity).toBe(6);
    expect(marketplaces.woocommerce.state.webhooks.get(1)!.deliveryUrl).toBe(`http://127.0.0.1:9/webhooks/woocommerce/${wooConnection.id}`);
  });

  it("reconciles eBay (bulkGetInventoryItem) and WooCommerce (products list): our own push is no drift, a change made on the channel is corrected", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id, { name: "Main" });
    const cap = await createVariant(db, shop.id, "CAP-1");
    await receive(db, shop.id, cap.id, location.id, 9);
    const ebayConnection = await createConnection(db, shop.id, { channel: "ebay", status: "awaiting_connector", locationIds: [location.id] });
    const wooConnection = await createConnection(db, shop.id, { channel: "woocommerce", status: "awaiting_connector", locationIds: [location.id] });
    await createListing(db, shop.id, ebayConnection.id, cap.id, { externalId: "ebay:CAP-1" });
    await createListing(db, shop.id, wooConnection.id, cap.id, { externalId: "woocommerce:CAP-1" });
    await marketplaces.link(shop.id);
    // Linked connections are told every listing on their first sync.
    await markStockDirty(db, { shopId: shop.id });
    const connectors = channelConnectors(db);
    const context = { db, connectors };
    for (const connectionId of [ebayConnection.id, wooConnection.id]) {
      await syncConnectionStock(context, { shopId: shop.id, connectionId }, { reference: `test-${connectionId}` });
    }
    const wooProduct = [...marketplaces.woocommerce.state.products.values()].find((p) => p.sku === "CAP-1")!;
    expect(marketplaces.ebay.state.items.get("CAP-1")!.quantity).toBe(9);
    expect(wooProduct.stockQuantity).toBe(9);

    // What we pushed reads back as it is: no drift.
    for (const connectionId of [ebayConnection.id, wooConnection.id]) {
      expect(await reconcileConnectionStock(context, { shopId: shop.id, connectionId })).toMatchObject({ outcome: "no_drift", read: 1, drift: 0 });
    }

    // Someone raises the quantity on each channel: drift, corrected by the next sync.
    marketplaces.ebay.state.items.get("CAP-1")!.quantity = 40;
    wooProduct.stockQuantity = 12;
    for (const connectionId of [ebayConnection.id, wooConnection.id]) {
      expect(await reconcileConnectionStock(context, { shopId: shop.id, connectionId })).toMatchObject({ outcome: "drift_corrected", read: 1, drift: 1 });
      await syncConnectionStock(context, { shopId: shop.id, connectionId }, { reference: `test-fix-${connectionId}` });
    }
    expect(marketplaces.ebay.state.items.get("CAP-1")!.quantity).toBe(9);
    expect(wooProduct.stockQuantity).toBe(9);

    // Less than we pushed looks like a sale of the channel's own not captured yet: held, not pushed back up.
    wooProduct.stockQuantity = 8;
    expect(await reconcileConnectionStock(context, { shopId: shop.id, connectionId: wooConnection.id })).toMatchObject({ outcome: "no_drift", drift: 0, pendingOwnSales: 1 });
    expect(wooProduct.stockQuantity).toBe(8);
  });
});
