import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannelConnectorRegistry } from "../../connectors/channel-connector-registry";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { syncShopStock } from "../../jobs/tasks/inventory-sync.task";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createConnection, createListing, listingById } from "../helpers/channel-fixtures";

/**
 * The stock sync against the demo's Shopify sandbox (the real HTTP server, validating documents
 * against the 2026-04 schema and enforcing changeFromQuantity), as the demo runs it.
 */

const TOKEN = "shpat_sandbox_test";
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
let sandbox: ShopifySandbox;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "sandbox-sync.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "unused",
    appUrl: "http://127.0.0.1:9",
    seed: {
      locations: [{ name: "Switchyard" }],
      variants: [
        { sku: "SBX-1", title: "One", price: "10.00" },
        { sku: "SBX-2", title: "Two", price: "10.00" },
      ],
      inventory: [
        { sku: "SBX-1", location: "Switchyard", available: 1 },
        { sku: "SBX-2", location: "Switchyard", available: 1 },
      ],
    },
    log: () => {},
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

const sandboxAvailable = (inventoryItemId: string) =>
  sandbox.state.inventoryLevels.find((level) => level.inventoryItemId === inventoryItemId)!.available;

describe("stock sync against the Shopify sandbox", () => {
  it("sets the sandbox's quantities, then overwrites a quantity changed there only after reporting the conflict", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id, { name: "Main" });
    const connection = await createConnection(db, shop.id, {
      locationIds: [location.id],
      credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
      settings: { baseUrl: sandbox.url, stockLocationId: sandbox.state.locations[0]!.id },
    });
    const items = sandbox.state.inventoryItems;
    const listings: { listing: Awaited<ReturnType<typeof createListing>>; variant: Awaited<ReturnType<typeof createVariant>>; item: (typeof items)[number] }[] = [];
    for (const [i, item] of items.entries()) {
      const variant = await createVariant(db, shop.id, item.sku!);
      await receive(db, shop.id, variant.id, location.id, 10 + i);
      listings.push({ listing: await createListing(db, shop.id, connection.id, variant.id, { externalId: item.id }), variant, item });
    }
    const context = { db, connectors: createChannelConnectorRegistry({ cipher }) };

    const first = await syncShopStock(context, shop.id, { reference: "sandbox-1" });
    expect(first.connections[0]).toMatchObject({ outcome: "pushed", applied: 2 });
    expect(listings.map(({ item }) => sandboxAvailable(item.id))).toEqual([10, 11]);

    // Someone sells one in Shopify while we adjust: the compare-and-set refuses our write.
    sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === listings[0]!.item.id)!.available = 9;
    await adjustInventory(db, { shopId: shop.id, variantId: listings[0]!.variant.id, locationId: location.id, delta: -2, actor: "test", reason: "count" });
    const second = await syncShopStock(context, shop.id, { reference: "sandbox-2" });
    expect(second.connections[0]).toMatchObject({ conflicts: 1 });
    expect(sandboxAvailable(listings[0]!.item.id)).toBe(9);
    expect(await listingById(db, listings[0]!.listing.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: expect.stringContaining("compare quantity") });

    // The follow-up run sets our figure without the check.
    const third = await syncShopStock(context, shop.id, { reference: "sandbox-3" });
    expect(third.connections[0]).toMatchObject({ applied: 1 });
    expect(sandboxAvailable(listings[0]!.item.id)).toBe(8);
    expect(await listingById(db, listings[0]!.listing.id)).toMatchObject({ lastPushedAvailable: 8, lastPushError: null });
  });
});
