import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
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
 * report, and pushes none of them again.
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

/** A worker process's channels, from freshly loaded modules: nothing a previous process held in memory survives. */
async function restartedWorkerConnectors(): Promise<ChannelConnectors> {
  vi.resetModules();
  const { amazonChannelModule } = await import("../../connectors/amazon/amazon-channel-module");
  return { modules: [amazonChannelModule({ sleep: async () => {} })], credentials: createCredentialStore(database.db, cipher), now: () => new Date(clock) };
}

describe("Amazon listings feed across a worker restart", () => {
  it("settles the pending items from the processing report after the worker restarted, and pushes nothing again", async () => {
    const { db } = database;
    sandbox = await startAmazonSandbox({
      port: 0,
      sellerId: SELLER,
      ...LWA,
      listings: [
        { sku: "FEED-A", title: "A", price: "5.00", quantity: 1 },
        { sku: "FEED-B", title: "B", price: "5.00", quantity: 1 },
      ],
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
    for (const [sku, units] of [["FEED-A", 7], ["FEED-B", 9]] as const) {
      const variant = await createVariant(db, shop.id, sku);
      await receive(db, shop.id, variant.id, location.id, units);
      listings.push(await createListing(db, shop.id, connection.id, variant.id, { externalId: sku, externalSku: sku }));
    }
    const run = (connectors: ChannelConnectors) => syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: `feed-${clock}` });
    const createFeeds = () => sandbox!.calls.get("feeds_2021-06-30.json:createFeed")?.total ?? 0;

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
    expect(sandbox.calls.get("listingsItems_2021-08-01.json:patchListingsItem")?.total ?? 0).toBe(0);
    expect([sandbox.state.listings.get("FEED-A")!.quantity, sandbox.state.listings.get("FEED-B")!.quantity]).toEqual([7, 9]);
  });
});
