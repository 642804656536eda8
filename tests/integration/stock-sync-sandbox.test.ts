import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { syncConnectionStock, syncShopStock } from "../../jobs/tasks/inventory-sync.task";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { connectionById, createConnection, createListing, listingById, reserve, shopifyConnectorsFor } from "../helpers/channel-fixtures";

/**
 * The stock sync against the demo's Shopify sandbox (the real HTTP server, validating documents
 * against the 2026-04 schema and enforcing changeFromQuantity), as the demo runs it. A sale made
 * in Shopify already came off Shopify's quantity where it was taken: capturing it must not make
 * the next push there a stale compare-and-set (refused, its batch re-sent, pushed again later).
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
      locations: [{ name: "Warehouse" }, { name: "Store" }],
      variants: [
        { sku: "SBX-1", title: "One", price: "10.00" },
        { sku: "SBX-2", title: "Two", price: "10.00" },
      ],
      // What a shop holds before Switchyard takes over: about to be overwritten.
      inventory: [
        { sku: "SBX-1", location: "Warehouse", available: 1 },
        { sku: "SBX-2", location: "Store", available: 1 },
      ],
    },
    log: () => {},
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

const sandboxAvailable = (inventoryItemId: string, locationId: string) =>
  sandbox.state.inventoryLevels.find((level) => level.inventoryItemId === inventoryItemId && level.locationId === locationId)!.available;
const sandboxTotal = (inventoryItemId: string) =>
  sandbox.state.inventoryLevels.filter((level) => level.inventoryItemId === inventoryItemId).reduce((sum, level) => sum + level.available, 0);

describe("stock sync against the Shopify sandbox", () => {
  it("gives each Shopify location its own figure, Shopify's total equal to our pooled available, and overwrites a change made there only after reporting the conflict", async () => {
    const { db } = database;
    const [shopifyWarehouse, shopifyStore] = sandbox.state.locations;
    const shop = await createShop(db);
    const warehouse = await createLocation(db, shop.id, { name: "Warehouse", priority: 1, externalId: shopifyWarehouse!.id });
    const store = await createLocation(db, shop.id, { name: "Store", priority: 2, externalId: shopifyStore!.id });
    // Feeds the channel but is not a Shopify location: left out, reported once on the connection.
    const popUp = await createLocation(db, shop.id, { name: "Pop-up", priority: 3 });
    const connection = await createConnection(db, shop.id, {
      locationIds: [warehouse.id, store.id, popUp.id],
      credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
      settings: { baseUrl: sandbox.url },
    });
    const items = sandbox.state.inventoryItems;
    const listings: { listing: Awaited<ReturnType<typeof createListing>>; variant: Awaited<ReturnType<typeof createVariant>>; item: (typeof items)[number] }[] = [];
    for (const [i, item] of items.entries()) {
      const variant = await createVariant(db, shop.id, item.sku!);
      await receive(db, shop.id, variant.id, warehouse.id, 10 + i);
      await receive(db, shop.id, variant.id, store.id, 4);
      await receive(db, shop.id, variant.id, popUp.id, 50);
      // A buffer of 1 comes off the lowest-priority Shopify location.
      listings.push({ listing: await createListing(db, shop.id, connection.id, variant.id, { externalId: item.id, buffer: 1 }), variant, item });
    }
    await reserve(db, shop.id, listings[1]!.variant.id, store.id, 1);
    const context = { db, connectors: shopifyConnectorsFor(database.db, cipher) };

    const first = await syncShopStock(context, shop.id, { reference: "sandbox-1" });
    expect(first.connections[0]).toMatchObject({ outcome: "pushed", applied: 4, warning: expect.stringContaining("1 location has no Shopify location id") });
    // SBX-1: warehouse 10, store 4 − buffer 1; SBX-2: warehouse 11, store 4 − 1 reserved − buffer 1.
    expect(listings.map(({ item }) => [sandboxAvailable(item.id, shopifyWarehouse!.id), sandboxAvailable(item.id, shopifyStore!.id)])).toEqual([
      [10, 3],
      [11, 2],
    ]);
    for (const { item, listing } of listings) {
      const pooled = (await listingById(db, listing.id)).lastPushedAvailable;
      expect(sandboxTotal(item.id)).toBe(pooled);
    }
    expect(listings.map(({ item }) => sandboxTotal(item.id))).toEqual([13, 13]);
    expect((await connectionById(db, connection.id)).lastError).toBe("1 location has no Shopify location id; their stock is not pushed to " + connection.name);

    // Someone sells one at the warehouse in Shopify while we adjust there: the compare-and-set refuses our write.
    sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === listings[0]!.item.id && l.locationId === shopifyWarehouse!.id)!.available = 9;
    await adjustInventory(db, { shopId: shop.id, variantId: listings[0]!.variant.id, locationId: warehouse.id, delta: -2, actor: "test", reason: "count" });
    const second = await syncShopStock(context, shop.id, { reference: "sandbox-2" });
    expect(second.connections[0]).toMatchObject({ conflicts: 1, applied: 0 });
    expect(second.followUpInMs).toBe(30_000);
    expect(sandboxAvailable(listings[0]!.item.id, shopifyWarehouse!.id)).toBe(9);
    expect(await listingById(db, listings[0]!.listing.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: expect.stringContaining("compare quantity") });

    // The follow-up run sets our figure there without the check; the store is left as it was.
    const third = await syncShopStock(context, shop.id, { reference: "sandbox-3" });
    expect(third.connections[0]).toMatchObject({ applied: 1 });
    expect([sandboxAvailable(listings[0]!.item.id, shopifyWarehouse!.id), sandboxAvailable(listings[0]!.item.id, shopifyStore!.id)]).toEqual([8, 3]);
    expect(sandboxTotal(listings[0]!.item.id)).toBe(11);
    expect(await listingById(db, listings[0]!.listing.id)).toMatchObject({ lastPushedAvailable: 11, lastPushError: null });
  });

  it("expects a sale captured from Shopify in the next push's compare-and-set at the connection's one Shopify location: one call, no conflict", async () => {
    const { db } = database;
    const [shopifyWarehouse] = sandbox.state.locations;
    const shop = await createShop(db);
    const warehouse = await createLocation(db, shop.id, { name: "Warehouse", externalId: shopifyWarehouse!.id });
    let setCalls = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === "string" && init.body.includes("inventorySetQuantities")) setCalls++;
      return fetch(input, init);
    };
    const connection = await createConnection(db, shop.id, { locationIds: [warehouse.id], credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }), settings: { baseUrl: sandbox.url } });
    const [one, two] = sandbox.state.inventoryItems;
    for (const [index, item] of [one!, two!].entries()) {
      const variant = await createVariant(db, shop.id, item.sku!);
      await receive(db, shop.id, variant.id, warehouse.id, 10 + index);
      await createListing(db, shop.id, connection.id, variant.id, { externalId: item.id });
    }
    const context = { db, connectors: shopifyConnectorsFor(database.db, cipher, { fetch: countingFetch }) };
    const sync = () => syncConnectionStock(context, { shopId: shop.id, connectionId: connection.id }, { reference: `own-${randomUUID()}` });
    expect(await sync()).toMatchObject({ applied: 2, conflicts: 0 });
    expect([sandboxAvailable(one!.id, shopifyWarehouse!.id), sandboxAvailable(two!.id, shopifyWarehouse!.id)]).toEqual([10, 11]);
    setCalls = 0;

    // A buyer orders two SBX-1 in Shopify (Shopify takes them off at the warehouse); one SBX-2 sells on eBay.
    await sandbox.simulateOrder({ send: false, lines: [{ sku: one!.sku!, quantity: 2 }] });
    await ingestOrder(db, { shopId: shop.id, order: makeOrder({ channel: "shopify", lines: [line(one!.sku!, 2)] }), actor: "test" });
    await ingestOrder(db, { shopId: shop.id, order: makeOrder({ channel: "ebay", lines: [line(two!.sku!, 1)] }), actor: "test" });

    expect(await sync()).toMatchObject({ applied: 2, conflicts: 0, batches: 1 });
    expect(setCalls).toBe(1);
    expect([sandboxAvailable(one!.id, shopifyWarehouse!.id), sandboxAvailable(two!.id, shopifyWarehouse!.id)]).toEqual([8, 10]);
  });
});
