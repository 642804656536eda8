import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startAmazonSandbox, type AmazonSandbox } from "../../connectors/amazon/sandbox/amazon-sandbox.server";
import type { ChannelConnectors } from "../../connectors/channel-connectors";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import { stockSyncDirty, stockSyncPending } from "../../db/schema";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { createConnection, createListing, listingById } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * A JSON_LISTINGS_FEED answers minutes after it was submitted. Which listing each of its
 * numbered messages stands for is kept with the pending submission in the database, so a worker
 * that restarts between the submission and the processing report settles every item from the
 * report, and pushes none of them again. While it is processing, the worker's runs do not ask
 * about it before its report could be there, patch none of the listings it carries, and send no
 * second listings feed.
 */

const LWA = { clientId: "amzn1.application-oa2-client.feed", clientSecret: "feed-secret", refreshToken: "Atzr|feed-refresh" };
const SELLER = "A2FEEDSELLER";
const FEED_DELAY_MS = 5 * 60_000;
const cipher = new CredentialCipher(randomBytes(32));

let database: TestDatabase;
let sandbox: AmazonSandbox | undefined;
let clock = Date.parse("2026-12-01T09:00:00Z");
beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

/** A shop whose Amazon connection lists `stock` (SKU → units) and sends a feed above one item. */
async function feedShop(stock: readonly (readonly [string, number])[]) {
  const { db } = database;
  sandbox = await startAmazonSandbox({
    port: 0,
    sellerId: SELLER,
    ...LWA,
    listings: stock.map(([sku]) => ({ sku, title: sku, price: "5.00", quantity: 1 })),
    feedProcessingDelayMs: FEED_DELAY_MS,
    now: () => clock,
    log: () => {},
  });
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id, { name: "Main" });
  const connection = await createConnection(db, shop.id, {
    channel: "amazon",
    locationIds: [location.id],
    credentialsEncrypted: cipher.encryptJson(LWA),
    settings: { baseUrl: sandbox.url, sellerId: SELLER, marketplaceId: "ATVPDKIKX0DER", feedThreshold: 1 },
  });
  const listings = [];
  const variants = [];
  for (const [sku, units] of stock) {
    const variant = await createVariant(db, shop.id, sku);
    await receive(db, shop.id, variant.id, location.id, units);
    variants.push(variant);
    listings.push(await createListing(db, shop.id, connection.id, variant.id, { externalId: sku, externalSku: sku }));
  }
  const calls = (operation: string) => sandbox!.calls.get(operation)?.total ?? 0;
  return { db, shop, location, connection, listings, variants, sandbox, calls };
}

/** A worker process's channels, from freshly loaded modules: nothing a previous process held in memory survives. */
async function restartedWorkerConnectors(): Promise<ChannelConnectors> {
  vi.resetModules();
  const { amazonChannelModule } = await import("../../connectors/amazon/amazon-channel-module");
  return { modules: [amazonChannelModule({ sleep: async () => {} })], credentials: createCredentialStore(database.db, cipher), now: () => new Date(clock) };
}

describe("Amazon listings feed across a worker restart", () => {
  it("settles the pending items from the processing report after the worker restarted, and pushes nothing again", async () => {
    const { db, shop, connection, listings, calls } = await feedShop([["FEED-A", 7], ["FEED-B", 9]]);
    const run = (connectors: ChannelConnectors) => syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: `feed-${clock}` });
    const createFeeds = () => calls("feeds_2021-06-30.json:createFeed");

    // Submitted as one feed: both items pending, their message numbers kept in the database.
    expect(await run(await restartedWorkerConnectors())).toMatchObject({ pending: 2, applied: 0, batches: 1 });
    const [pending] = await db.select().from(stockSyncPending).where(eq(stockSyncPending.connectionId, connection.id));
    expect(Object.values(pending!.items).map((item) => item.channelRef).sort()).toEqual(["1", "2"]);
    expect(createFeeds()).toBe(1);

    // The worker restarts. Before Amazon processed the feed, the new one finds it still pending.
    clock += 60_000;
    expect(await run(await restartedWorkerConnectors())).toMatchObject({ settled: 0, pending: 0, batches: 1 });

    // After processing, the report settles both items: recorded as pushed, nothing sent again.
    clock += FEED_DELAY_MS;
    expect(await run(await restartedWorkerConnectors())).toMatchObject({ settled: 1, batches: 1 });
    expect((await listingById(db, listings[0]!.id)).lastPushedAvailable).toBe(7);
    expect((await listingById(db, listings[1]!.id)).lastPushedAvailable).toBe(9);
    expect(await db.select().from(stockSyncPending).where(eq(stockSyncPending.connectionId, connection.id))).toEqual([]);
    expect(await db.select().from(stockSyncDirty).where(eq(stockSyncDirty.connectionId, connection.id))).toEqual([]);
    expect(createFeeds()).toBe(1);
    expect(calls("listingsItems_2021-08-01.json:patchListingsItem")).toBe(0);
    expect([sandbox!.state.listings.get("FEED-A")!.quantity, sandbox!.state.listings.get("FEED-B")!.quantity]).toEqual([7, 9]);
  });
});

describe("Amazon listings feed while it is processing", () => {
  it("is not asked about before its report could be there, its listings are not patched, no second feed is sent, and its report settles every item", async () => {
    const { db, shop, location, connection, listings, variants, calls } = await feedShop([["FEED-A", 7], ["FEED-B", 9], ["FEED-C", 4], ["FEED-D", 6]]);
    const connectors = await restartedWorkerConnectors();
    // The worker's runs: the first look at a feed waits the pending interval (5 s of real time, far longer than this test).
    const workerRun = () => syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: `feed-${clock}`, pendingCheckMs: 5_000 });
    const units = async (index: number, quantity: number) => receive(db, shop.id, variants[index]!.id, location.id, quantity);

    // FEED-A and FEED-B go first, as one feed.
    await db.delete(stockSyncDirty).where(eq(stockSyncDirty.connectionId, connection.id));
    await units(0, 0);
    await units(1, 0);
    expect(await workerRun()).toMatchObject({ pending: 2, batches: 1 });
    expect(calls("feeds_2021-06-30.json:createFeed")).toBe(1);

    // More stock arrives for FEED-A (in the feed) and for FEED-C and FEED-D (not in it).
    await units(0, 3);
    await units(2, 1);
    await units(3, 1);
    const during = await workerRun();
    // Not asked about yet; FEED-A waits for its feed; FEED-C and FEED-D are patched, not sent as a second feed.
    expect(calls("feeds_2021-06-30.json:getFeed")).toBe(0);
    expect(during).toMatchObject({ applied: 2, pending: 0, settled: 0 });
    expect(calls("feeds_2021-06-30.json:createFeed")).toBe(1);
    expect(calls("listingsItems_2021-08-01.json:patchListingsItem")).toBe(2);
    expect(sandbox!.state.listings.get("FEED-A")!.quantity).toBe(1);
    expect((await db.select().from(stockSyncDirty).where(eq(stockSyncDirty.connectionId, connection.id))).map((d) => d.variantId)).toEqual([variants[0]!.id]);

    // Once its report could be there it is asked about once; another worker process (or this one
    // restarted) running right after does not ask again within the interval.
    await db.execute(sql`UPDATE stock_sync_pending SET submitted_at = submitted_at - interval '10 seconds' WHERE connection_id = ${connection.id}`);
    expect(await workerRun()).toMatchObject({ settled: 0, batches: 1 });
    const otherWorker = await restartedWorkerConnectors();
    const { syncConnectionStock: otherWorkerSync } = await import("../../jobs/tasks/inventory-sync.task");
    expect(await otherWorkerSync({ db, connectors: otherWorker }, { shopId: shop.id, connectionId: connection.id }, { reference: `feed-${clock}`, pendingCheckMs: 5_000 })).toMatchObject({ settled: 0, batches: 0 });
    expect(calls("feeds_2021-06-30.json:getFeed")).toBe(1);

    // Processed: the report settles both items, then FEED-A's newer figure goes out.
    clock += FEED_DELAY_MS;
    const after = await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: `feed-${clock}` });
    expect(after).toMatchObject({ settled: 1, applied: 1 });
    expect((await listingById(db, listings[1]!.id)).lastPushedAvailable).toBe(9);
    expect((await listingById(db, listings[0]!.id)).lastPushedAvailable).toBe(10);
    expect(["FEED-A", "FEED-B", "FEED-C", "FEED-D"].map((sku) => sandbox!.state.listings.get(sku)!.quantity)).toEqual([10, 9, 5, 7]);
    expect(calls("feeds_2021-06-30.json:getFeed")).toBe(2);
    expect(await db.select().from(stockSyncPending).where(eq(stockSyncPending.connectionId, connection.id))).toEqual([]);
    expect(await db.select().from(stockSyncDirty).where(eq(stockSyncDirty.connectionId, connection.id))).toEqual([]);
  });
});
