import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { createConnection, createListing, shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * A sale made in Shopify already came off Shopify's quantity at the location it was taken from.
 * Capturing it must not make our next push there a stale compare-and-set (refused, its whole
 * batch re-sent, and the figure pushed again later): where the connection has one Shopify
 * location, the push expects the sale there and goes through with its batch.
 */

const TOKEN = "shpat_own_sale";
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
let sandbox: ShopifySandbox;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "own-sale.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "unused",
    appUrl: "http://127.0.0.1:9",
    seed: {
      locations: [{ name: "Warehouse" }],
      variants: [
        { sku: "OWN-1", title: "One", price: "10.00" },
        { sku: "OWN-2", title: "Two", price: "10.00" },
      ],
      inventory: [
        { sku: "OWN-1", location: "Warehouse", available: 0 },
        { sku: "OWN-2", location: "Warehouse", available: 0 },
      ],
    },
    log: () => {},
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("a Shopify sale captured from Shopify", () => {
  it("is expected by the next push's compare-and-set: one call, no conflict, Shopify right", async () => {
    const { db } = database;
    const [shopifyWarehouse] = sandbox.state.locations;
    const shop = await createShop(db);
    const warehouse = await createLocation(db, shop.id, { name: "Warehouse", externalId: shopifyWarehouse!.id });
    const connection = await createConnection(db, shop.id, { locationIds: [warehouse.id], credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }), settings: { baseUrl: sandbox.url } });
    const [one, two] = sandbox.state.inventoryItems;
    const variants = [];
    for (const [index, item] of [one!, two!].entries()) {
      const variant = await createVariant(db, shop.id, item.sku!);
      await receive(db, shop.id, variant.id, warehouse.id, 10 + index);
      await createListing(db, shop.id, connection.id, variant.id, { externalId: item.id });
      variants.push(variant);
    }
    let setCalls = 0;
    const fetchCounting: typeof fetch = async (input, init) => {
      if (typeof init?.body === "string" && init.body.includes("inventorySetQuantities")) setCalls++;
      return fetch(input, init);
    };
    const context = { db, connectors: shopifyConnectorsFor(db, cipher, { fetch: fetchCounting }) };
    const sync = () => syncConnectionStock(context, { shopId: shop.id, connectionId: connection.id }, { reference: `own-${Math.random()}` });
    const shown = (itemId: string) => sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === itemId && l.locationId === shopifyWarehouse!.id)!.available;

    expect(await sync()).toMatchObject({ applied: 2, conflicts: 0 });
    expect([shown(one!.id), shown(two!.id)]).toEqual([10, 11]);
    setCalls = 0;

    // A buyer orders two of OWN-1 in Shopify (Shopify takes them off there), and we sell one OWN-2 elsewhere.
    await sandbox.simulateOrder({ send: false, lines: [{ sku: "OWN-1", quantity: 2 }] });
    const order = makeOrder({ channel: "shopify", lines: [line("OWN-1", 2)] });
    await ingestOrder(db, { shopId: shop.id, order, actor: "test" });
    await ingestOrder(db, { shopId: shop.id, order: makeOrder({ channel: "ebay", lines: [line("OWN-2", 1)] }), actor: "test" });

    expect(await sync()).toMatchObject({ applied: 2, conflicts: 0, batches: 1 });
    expect(setCalls).toBe(1);
    expect([shown(one!.id), shown(two!.id)]).toEqual([8, 10]);
  });
});
