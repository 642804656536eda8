import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { channelConnections, channelListings } from "../../db/schema";
import { startDemoMarketplaces, type DemoMarketplaces } from "../../server/demo-marketplace-channels";
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
});
