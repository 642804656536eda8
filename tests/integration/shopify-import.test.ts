import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectShopifyOnAuth } from "../../app/auth/shopify-install.server";
import { AdminGraphqlClient } from "../../connectors/shopify/admin-graphql-client";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import type { SandboxSeed } from "../../connectors/shopify/sandbox/sandbox-state";
import { ShopifyConnector } from "../../connectors/shopify/shopify-connector";
import { ok } from "../../core/shared/result";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { findImportRun, requestShopifyImport } from "../../db/repositories/shopify-import-repository";
import {
  channelConnections,
  channelListings,
  channelLocations,
  exceptions,
  importRuns,
  inventoryLevels,
  inventoryMovements,
  locations,
  orderLines,
  orders,
  products,
  variants,
} from "../../db/schema";
import { ProgressRecorder, runShopifyImport, type ShopifyImportDependencies } from "../../jobs/tasks/shopify-import.task";
import { createConnection } from "../helpers/channel-fixtures";
import { createShop, createVariant, ledgerMismatches } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * The Shopify import run as the worker runs it, against the Shopify sandbox (the real HTTP
 * server speaking Admin GraphQL) and this file's own PostgreSQL database.
 */

const TOKEN = "shpat_import_test";
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
const sandboxes: ShopifySandbox[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.stop()));
});
afterAll(() => {
  nock.enableNetConnect();
});

const SEED: SandboxSeed = {
  locations: [
    { name: "Newark DC", fulfillsOnlineOrders: true, latitude: 40.7357, longitude: -74.1724, city: "Newark", provinceCode: "NJ", zip: "07102" },
    { name: "SoHo Store", fulfillsOnlineOrders: false, latitude: 40.7233, longitude: -74.003, city: "New York", provinceCode: "NY", zip: "10012" },
  ],
  variants: [
    { sku: "TEE-M", title: "M", price: "24.00", productTitle: "Switchyard Tee" },
    { sku: "TEE-L", title: "L", price: "24.00", productTitle: "Switchyard Tee" },
    { sku: "MUG-11", title: "Default Title", price: "12.50", productTitle: "Switchyard Mug" },
    { sku: "CAP", title: "Default Title", price: "18.00", productTitle: "Red Cap" },
    // A second Shopify product using the same SKU, and one whose SKU is blanked below.
    { sku: "CAP", title: "Default Title", price: "18.00", productTitle: "Blue Cap" },
    { sku: "TMP-NOSKU", title: "Default Title", price: "5.00", productTitle: "Gift Wrap" },
  ],
  inventory: [
    { sku: "TEE-M", location: "Newark DC", available: 10 },
    { sku: "TEE-M", location: "SoHo Store", available: 3 },
    { sku: "TEE-L", location: "Newark DC", available: 5 },
    { sku: "MUG-11", location: "Newark DC", available: 7 },
  ],
};

interface Setup {
  sandbox: ShopifySandbox;
  shopId: string;
  connectionId: string;
}

async function setup(seed: SandboxSeed = SEED): Promise<Setup> {
  const sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: "import-test.myshopify.com",
    accessToken: TOKEN,
    webhookSecret: "unused",
    appUrl: "http://127.0.0.1:9",
    seed,
    log: () => {},
  });
  sandboxes.push(sandbox);
  // Shopify answers "" (or null) for a variant without SKU.
  for (const variant of sandbox.state.variants.filter((v) => v.sku === "TMP-NOSKU")) variant.sku = "";
  for (const item of sandbox.state.inventoryItems.filter((i) => i.sku === "TMP-NOSKU")) item.sku = "";
  const shop = await createShop(database.db);
  const connection = await createConnection(database.db, shop.id, {
    name: "Shopify",
    locationIds: [],
    credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
    settings: { baseUrl: sandbox.url },
  });
  return { sandbox, shopId: shop.id, connectionId: connection.id };
}

/** Requests a run as the admin would and runs its job the way the worker does. */
async function importOnce(s: Setup, deps: Partial<ShopifyImportDependencies> = {}) {
  const requested = await requestShopifyImport(database.db, s.shopId, s.connectionId);
  if (!requested.ok) throw new Error(requested.reason);
  const outcome = await runShopifyImport(
    { db: database.db, connectors: shopifyConnectorsFor(database.db, cipher), bulkPollIntervalMs: 1, ...deps },
    { shopId: s.shopId, connectionId: s.connectionId, importRunId: requested.value.importRunId },
  );
  const run = (await findImportRun(database.db, requested.value.importRunId))!;
  return { outcome, run };
}

/** A connector on the sandbox with small pages and a transport that can be made to fail. */
function sandboxConnector(s: Setup, options: { productsPerPage?: number; failWhen?: (body: string, call: number) => boolean } = {}) {
  let call = 0;
  const transport: typeof fetch = async (input, init) => {
    call++;
    if (options.failWhen?.(String(init?.body ?? ""), call)) throw new TypeError("fetch failed: connection reset by peer");
    return fetch(input, init);
  };
  return () =>
    ok(
      new ShopifyConnector({
        client: new AdminGraphqlClient({ endpoint: s.sandbox.graphqlUrl, accessToken: TOKEN, fetch: transport, sleep: async () => {} }),
        fetch: transport,
        sleep: async () => {},
        ...(options.productsPerPage ? { pageSizes: { products: options.productsPerPage } } : {}),
      }),
    );
}

async function shopRows(shopId: string) {
  const { db } = database;
  return {
    locations: await db.select().from(locations).where(eq(locations.shopId, shopId)).orderBy(locations.name),
    products: await db.select().from(products).where(eq(products.shopId, shopId)),
    variants: await db.select().from(variants).where(eq(variants.shopId, shopId)).orderBy(variants.sku),
    listings: await db.select().from(channelListings).where(eq(channelListings.shopId, shopId)),
    levels: await db.select().from(inventoryLevels).where(eq(inventoryLevels.shopId, shopId)),
    movements: await db.select().from(inventoryMovements).where(eq(inventoryMovements.shopId, shopId)).orderBy(inventoryMovements.id),
    orders: await db.select().from(orders).where(eq(orders.shopId, shopId)),
  };
}

function onHandOf(rows: Awaited<ReturnType<typeof shopRows>>, sku: string, locationName: string) {
  const variant = rows.variants.find((v) => v.sku === sku)!;
  const location = rows.locations.find((l) => l.name === locationName)!;
  return rows.levels.find((l) => l.variantId === variant.id && l.locationId === location.id)?.onHand;
}

describe("Shopify import", () => {
  it("first import creates locations, variants, listings, opening stock as receive movements, and recent orders", async () => {
    const s = await setup();
    const placed = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-M", quantity: 2 }] });

    const { outcome, run } = await importOnce(s);
    expect(outcome.status).toBe("succeeded");
    expect(run).toMatchObject({ status: "succeeded", error: null });
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt).not.toBeNull();

    const rows = await shopRows(s.shopId);
    const [newark, soho] = rows.locations;
    expect(newark).toMatchObject({ name: "Newark DC", kind: "warehouse", canShip: true, latitude: 40.7357, longitude: -74.1724, city: "Newark", region: "NJ" });
    expect(soho).toMatchObject({ name: "SoHo Store", kind: "store", canShip: false });
    expect(newark!.externalId).toBe(s.sandbox.state.locations[0]!.id);
    const fed = await database.db.select().from(channelLocations).where(eq(channelLocations.connectionId, s.connectionId));
    expect(fed.map((f) => f.locationId).sort()).toEqual([newark!.id, soho!.id].sort());

    expect(rows.variants.map((v) => [v.sku, v.title, v.priceMinor])).toEqual([
      ["CAP", "Red Cap", 1800],
      ["MUG-11", "Switchyard Mug", 1250],
      ["TEE-L", "Switchyard Tee — L", 2400],
      ["TEE-M", "Switchyard Tee — M", 2400],
    ]);
    const sandboxTeeM = s.sandbox.state.variants.find((v) => v.sku === "TEE-M")!;
    expect(rows.variants.find((v) => v.sku === "TEE-M")).toMatchObject({ externalId: sandboxTeeM.id, externalInventoryItemId: sandboxTeeM.inventoryItemId });
    expect(rows.listings).toHaveLength(4);
    for (const listing of rows.listings) {
      const variant = rows.variants.find((v) => v.id === listing.variantId)!;
      expect(listing).toMatchObject({ connectionId: s.connectionId, externalId: variant.externalInventoryItemId, externalSku: variant.sku });
    }

    // Shopify's on hand (available + committed) arrives as receipts caused by this run.
    expect(onHandOf(rows, "TEE-M", "Newark DC")! + onHandOf(rows, "TEE-M", "SoHo Store")!).toBe(13);
    expect(onHandOf(rows, "TEE-L", "Newark DC")).toBe(5);
    expect(onHandOf(rows, "MUG-11", "Newark DC")).toBe(7);
    const receipts = rows.movements.filter((m) => m.kind === "receive");
    expect(receipts).toHaveLength(4);
    for (const m of receipts) expect(m).toMatchObject({ causeType: "sync", causeId: run.id, actor: "system:shopify-import" });

    // The open order came in through ingest and holds its units.
    expect(rows.orders).toHaveLength(1);
    expect(rows.orders[0]).toMatchObject({ channel: "shopify", externalId: placed.order.id });
    expect(rows.levels.reduce((sum, l) => sum + l.reserved, 0)).toBe(2);
    expect(await ledgerMismatches(database.db, s.shopId)).toEqual([]);

    expect(run.counts).toMatchObject({
      locations: { created: 2, skipped: 0 },
      products: { created: 4, skipped: 2 },
      inventory_levels: { created: 4 },
      orders: { created: 1, skipped: 0 },
    });
  });

  it("records progress per resource, every bar full when the run succeeds", async () => {
    const s = await setup();
    await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "MUG-11", quantity: 1 }] });
    const { run } = await importOnce(s, { connectorFor: sandboxConnector(s, { productsPerPage: 2 }) });
    expect(run.status).toBe("succeeded");
    // 5 products at 2 a page: 3 pages, counted by Shopify in advance.
    expect(run.progress.products).toEqual({ done: 3, total: 3 });
    expect(run.progress.locations).toEqual({ done: 1, total: 1 });
    // One page of levels per location.
    expect(run.progress.inventory_levels).toEqual({ done: 2, total: 2 });
    expect(run.progress.orders).toEqual({ done: 1, total: 1 });
  });

  it("a second import is idempotent: no duplicates, and Switchyard's stock is not overwritten", async () => {
    const s = await setup();
    await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-M", quantity: 2 }] });
    await importOnce(s);
    const before = await shopRows(s.shopId);

    // The merchant tunes a location and counts TEE-L; meanwhile Shopify's MUG figure moves.
    const newark = before.locations.find((l) => l.name === "Newark DC")!;
    await database.db.update(locations).set({ priority: 5, canPickup: true, dailyCapacity: 40 }).where(eq(locations.id, newark.id));
    const teeL = before.variants.find((v) => v.sku === "TEE-L")!;
    const adjusted = await adjustInventory(database.db, { shopId: s.shopId, variantId: teeL.id, locationId: newark.id, setOnHand: 4, actor: "user:test", reason: "cycle count" });
    expect(adjusted.ok).toBe(true);
    const mugItem = s.sandbox.state.inventoryItems.find((i) => i.sku === "MUG-11")!;
    s.sandbox.state.inventoryLevels.find((l) => l.inventoryItemId === mugItem.id && l.locationId === newark.externalId)!.available = 100;

    const { outcome, run } = await importOnce(s);
    expect(outcome.status).toBe("succeeded");
    const after = await shopRows(s.shopId);
    expect(after.locations).toHaveLength(before.locations.length);
    expect(after.products).toHaveLength(before.products.length);
    expect(after.variants).toHaveLength(before.variants.length);
    expect(after.listings).toHaveLength(before.listings.length);
    expect(after.orders).toHaveLength(1);
    // Only the merchant's adjustment was added to the ledger.
    expect(after.movements).toHaveLength(before.movements.length + 1);
    expect(onHandOf(after, "TEE-L", "Newark DC")).toBe(4);
    expect(onHandOf(after, "MUG-11", "Newark DC")).toBe(7);
    expect(after.locations.find((l) => l.id === newark.id)).toMatchObject({ priority: 5, canPickup: true, dailyCapacity: 40, kind: "warehouse" });

    expect(run.counts.inventory_levels).toMatchObject({ created: 0, skipReasons: { switchyard_is_stock_master: 2 } });
    expect(run.counts.products).toMatchObject({ created: 0, unchanged: 4 });
    expect(run.counts.locations).toMatchObject({ created: 0, unchanged: 2 });
    expect(run.counts.orders).toMatchObject({ created: 0, unchanged: 1 });
  });

  it("skips a SKU another Shopify variant already has and a variant without SKU, with reasons, and links an unlinked Switchyard variant by SKU", async () => {
    const s = await setup();
    // Made in Switchyard before Shopify was connected: the same item, so it is linked, not duplicated.
    const handMade = await createVariant(database.db, s.shopId, "MUG-11");

    const { outcome, run } = await importOnce(s);
    expect(outcome.status).toBe("succeeded");
    const counts = run.counts.products!;
    expect(counts.skipReasons).toEqual({ duplicate_sku: 1, no_sku: 1 });
    const blueCap = s.sandbox.state.variants.filter((v) => v.sku === "CAP")[1]!;
    const giftWrap = s.sandbox.state.variants.find((v) => v.sku === "")!;
    expect(counts.skippedExamples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ref: blueCap.id, reason: "duplicate_sku" }),
        expect.objectContaining({ ref: giftWrap.id, reason: "no_sku" }),
      ]),
    );
    expect(run.counts.inventory_levels!.skipReasons).toMatchObject({ variant_not_imported: 4 });

    const rows = await shopRows(s.shopId);
    expect(rows.variants.filter((v) => v.sku === "CAP")).toHaveLength(1);
    expect(rows.variants.filter((v) => v.sku === "MUG-11")).toEqual([
      expect.objectContaining({ id: handMade.id, externalId: s.sandbox.state.variants.find((v) => v.sku === "MUG-11")!.id }),
    ]);
    // Neither skipped product left an empty product behind.
    expect(rows.products.map((p) => p.title).sort()).toEqual(["Product MUG-11", "Red Cap", "Switchyard Tee"]);
  });

  it("skips orders already fulfilled in Shopify, whose units are no longer on hand there", async () => {
    const s = await setup();
    const shipped = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-L", quantity: 2 }] });
    const open = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "MUG-11", quantity: 1 }] });
    const fulfil = await sandboxConnector(s)().value.confirmFulfillment({ orderId: shipped.order.id, tracking: { company: "UPS", number: "1Z1" }, notifyCustomer: false });
    expect(fulfil.ok).toBe(true);

    const { run } = await importOnce(s);
    expect(run.counts.orders).toMatchObject({ created: 1, skipped: 1, skipReasons: { already_fulfilled: 1 } });
    const rows = await shopRows(s.shopId);
    expect(rows.orders.map((o) => o.externalId)).toEqual([open.order.id]);
    expect(rows.levels.reduce((sum, l) => sum + l.reserved, 0)).toBe(1);
  });

  it("reserves only what is still unfulfilled of a partly fulfilled Shopify order", async () => {
    const s = await setup();
    const partly = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-L", quantity: 3 }] });
    // Two of the three units were fulfilled in Shopify before the import: one is left to ship.
    const line = s.sandbox.state.fulfillmentOrders.find((fo) => fo.orderId === partly.order.id)!.lineItems[0]!;
    line.remainingQuantity = 1;

    const { run } = await importOnce(s);
    expect(run.counts.orders).toMatchObject({ created: 1 });
    const rows = await shopRows(s.shopId);
    const [order] = rows.orders;
    expect(order!.status).toBe("reserved");
    const lines = await database.db.select().from(orderLines).where(eq(orderLines.orderId, order!.id));
    expect(lines.map((l) => [l.quantity, l.fulfilledQuantity])).toEqual([[3, 2]]);
    expect(rows.levels.reduce((sum, l) => sum + l.reserved, 0)).toBe(1);
    expect(await ledgerMismatches(database.db, s.shopId)).toEqual([]);
  });

  it("an order Shopify sends that cannot be mapped becomes an invalid_payload exception with the raw node, once; a blank SKU is no such order", async () => {
    const s = await setup();
    const bad = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-L", quantity: 1 }] });
    bad.order.name = "";
    const skuless = await s.sandbox.simulateOrder({ send: false, lines: [{ sku: "TEE-M", quantity: 1 }] });
    skuless.order.lineItems[0]!.sku = "";

    const { run } = await importOnce(s);
    expect(run.status).toBe("succeeded");
    expect(run.counts.orders).toMatchObject({ created: 1, skipped: 1, skipReasons: { invalid_payload: 1 } });
    await importOnce(s);
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, s.shopId), eq(exceptions.kind, "invalid_payload")));
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).toContain("name");
    // The SKU-less line was matched through its ProductVariant GID and reserved.
    const rows = await shopRows(s.shopId);
    expect(rows.orders.map((o) => o.externalId)).toEqual([skuless.order.id]);
    expect(rows.levels.reduce((sum, l) => sum + l.reserved, 0)).toBe(1);
    expect(raised[0]!.details).toMatchObject({ source: "shopify-import", externalId: bad.order.id, raw: { id: bad.order.id } });
  });

  it("a call failing mid-import leaves the run failed with the error, keeps the pages already stored, and a re-run completes it", async () => {
    const s = await setup();
    let productPages = 0;
    const failing = sandboxConnector(s, {
      productsPerPage: 2,
      failWhen: (body) => body.includes("SwitchyardProducts(") && ++productPages === 3,
    });
    const { outcome, run } = await importOnce(s, { connectorFor: failing });
    expect(outcome.status).toBe("failed");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^products: network_error/);
    expect(run.finishedAt).not.toBeNull();
    expect(run.progress.products).toMatchObject({ done: 2 });

    const partial = await shopRows(s.shopId);
    expect(partial.locations).toHaveLength(2);
    // Pages 1 and 2 (Switchyard Tee, Switchyard Mug, Red Cap, Blue Cap) were committed; no stock or orders yet.
    expect(partial.variants.map((v) => v.sku)).toEqual(["CAP", "MUG-11", "TEE-L", "TEE-M"]);
    expect(partial.movements).toEqual([]);

    const retried = await importOnce(s);
    expect(retried.run.status).toBe("succeeded");
    const complete = await shopRows(s.shopId);
    expect(complete.variants).toHaveLength(4);
    expect(complete.locations).toHaveLength(2);
    expect(complete.movements.filter((m) => m.kind === "receive")).toHaveLength(4);
  });

  it("reads a catalogue larger than the threshold through one bulk operation", async () => {
    const s = await setup();
    const { run } = await importOnce(s, { connectorFor: sandboxConnector(s), bulkProductThreshold: 3 });
    expect(run.status).toBe("succeeded");
    expect(s.sandbox.state.bulkOperations).toHaveLength(1);
    expect(run.counts.products).toMatchObject({ created: 4, skipReasons: { duplicate_sku: 1, no_sku: 1 } });
    expect(run.progress.products).toEqual({ done: 1, total: 1 });
  });

  it("a connection whose token no longer decrypts fails the run with the reason and no secret", async () => {
    const s = await setup();
    const { outcome, run } = await importOnce(s, { connectors: shopifyConnectorsFor(database.db, new CredentialCipher(randomBytes(32))) });
    expect(outcome.status).toBe("failed");
    expect(run.error).toBe("connection: missing_credentials — the stored credentials cannot be decrypted with the current key");
  });
});

describe("Shopify import of an uninstalled shop", () => {
  it("reads nothing from a shop whose app was uninstalled and says so on the run", async () => {
    const s = await setup();
    await database.db.execute(sql`UPDATE shops SET sync_enabled = false WHERE id = ${s.shopId}`);
    const { run } = await importOnce(s);
    expect(run).toMatchObject({ status: "failed", error: "connection: shop_uninstalled — the app is no longer installed on this shop" });
    expect((await shopRows(s.shopId)).locations).toEqual([]);
  });
});

describe("requestShopifyImport", () => {
  async function jobsFor(connectionId: string) {
    const result = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`shopify-import:${connectionId}`}`);
    return result.rows[0]!.count;
  }

  it("two requests (even at once) give one queued run and one job", async () => {
    const s = await setup();
    const [a, b] = await Promise.all([
      requestShopifyImport(database.db, s.shopId, s.connectionId),
      requestShopifyImport(database.db, s.shopId, s.connectionId),
    ]);
    if (!a.ok || !b.ok) throw new Error("request refused");
    expect(a.value.importRunId).toBe(b.value.importRunId);
    expect([a.value.alreadyRequested, b.value.alreadyRequested].sort()).toEqual([false, true]);
    const runs = await database.db.select().from(importRuns).where(eq(importRuns.connectionId, s.connectionId));
    expect(runs).toEqual([expect.objectContaining({ status: "queued" })]);
    expect(await jobsFor(s.connectionId)).toBe(1);
  });

  it("refuses a connection of another shop or another channel", async () => {
    const s = await setup();
    const other = await createShop(database.db);
    expect(await requestShopifyImport(database.db, other.id, s.connectionId)).toMatchObject({ ok: false, reason: "connection_not_found" });
    const amazon = await createConnection(database.db, s.shopId, { channel: "amazon", locationIds: [] });
    expect(await requestShopifyImport(database.db, s.shopId, amazon.id)).toMatchObject({ ok: false, reason: "not_shopify" });
  });
});

describe("import progress writes", () => {
  it("are throttled to one a second while pages arrive, and what is left is written when the run settles", async () => {
    const s = await setup();
    const requested = await requestShopifyImport(database.db, s.shopId, s.connectionId);
    if (!requested.ok) throw new Error(requested.reason);
    let now = 10_000;
    const recorder = new ProgressRecorder(database.db, requested.value.importRunId, () => now);
    recorder.start("products");
    for (let done = 1; done <= 20; done++) recorder.onProgress({ resource: "products", done, total: 40 });
    expect(recorder.writes).toBe(1);
    now += 999;
    recorder.onProgress({ resource: "products", done: 21, total: 40 });
    expect(recorder.writes).toBe(1);
    now += 1;
    recorder.onProgress({ resource: "products", done: 22, total: 40 });
    expect(recorder.writes).toBe(2);
    recorder.onProgress({ resource: "products", done: 23, total: 40 });
    recorder.complete("products");
    expect(recorder.writes).toBe(2);
    await recorder.settle();
    expect(recorder.writes).toBe(3);
    const run = await findImportRun(database.db, requested.value.importRunId);
    expect(run!.progress.products).toEqual({ done: 23, total: 23 });
  });
});

describe("connecting Shopify after OAuth", () => {
  it("first install creates the connection with the encrypted offline token and requests an import; later logins only refresh the token", async () => {
    const domain = `installed-${randomBytes(3).toString("hex")}.myshopify.com`;
    const first = await connectShopifyOnAuth(database.db, { shop: domain, accessToken: "shpat_first", isOnline: false }, { cipher });
    expect(first?.importRunId).toEqual(expect.any(String));
    const [connection] = await database.db.select().from(channelConnections).where(eq(channelConnections.id, first!.connectionId));
    expect(connection).toMatchObject({ channel: "shopify", status: "connected" });
    expect(connection!.credentialsEncrypted).not.toContain("shpat_first");
    expect(cipher.decryptJson(connection!.credentialsEncrypted!)).toEqual({ accessToken: "shpat_first" });

    const again = await connectShopifyOnAuth(database.db, { shop: domain, accessToken: "shpat_second", isOnline: false }, { cipher });
    expect(again).toEqual({ connectionId: first!.connectionId, importRunId: null });
    const [refreshed] = await database.db.select().from(channelConnections).where(eq(channelConnections.id, first!.connectionId));
    expect(cipher.decryptJson(refreshed!.credentialsEncrypted!)).toEqual({ accessToken: "shpat_second" });
    expect(await database.db.select().from(importRuns).where(eq(importRuns.connectionId, first!.connectionId))).toHaveLength(1);

    expect(await connectShopifyOnAuth(database.db, { shop: domain, accessToken: "online", isOnline: true }, { cipher })).toBeNull();
  });
});
