import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { STOCK_SYNC_HOLD_MS } from "../../core/inventory/stock-sync-plan";
import { Logger, runOnce } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import { err, ok } from "../../core/shared/result";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { adjustInventory, setSafetyStock } from "../../db/repositories/inventory-repository";
import { channelListingLocations, exceptions, kitComponents, locations, shops } from "../../db/schema";
import { inventorySyncTask, syncShopStock } from "../../jobs/tasks/inventory-sync.task";
import { scheduleStockSync } from "../../db/repositories/stock-ledger-repository";
import { buildTaskList } from "../../jobs/task-list";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import {
  connectionById,
  createConnection,
  createListing,
  fakePusher,
  fakeRegistry,
  listingById,
  reserve, shopifyConnectorsFor } from "../helpers/channel-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const reference = () => `test-${randomUUID()}`;

async function syncJobs(shopId: string) {
  const result = await database.db.execute<{ id: string; run_at: Date; key: string | null }>(
    // The public jobs view hides payloads; the private table is graphile-worker's own storage.
    sql`SELECT j.id, j.run_at, j.key
          FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE t.identifier = 'inventory/sync' AND j.payload->>'shopId' = ${shopId}
         ORDER BY j.id`,
  );
  return result.rows;
}

async function syncExceptions(shopId: string) {
  return database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shopId), eq(exceptions.kind, "sync_failed")));
}

/** A shop with one Shopify connection fed by two locations, and a third location it must not see. */
async function shopWithChannel() {
  const { db } = database;
  const shop = await createShop(db);
  const east = await createLocation(db, shop.id, { name: "East", priority: 1 });
  const west = await createLocation(db, shop.id, { name: "West", priority: 2 });
  const outside = await createLocation(db, shop.id, { name: "Outside", priority: 3 });
  const connection = await createConnection(db, shop.id, { locationIds: [east.id, west.id] });
  return { shop, east, west, outside, connection };
}

describe("computing what each channel is told", () => {
  it("advertises the allocation % minus buffer of the channel's own active locations, net of reservations and safety stock", async () => {
    const { db } = database;
    const { shop, east, west, outside, connection } = await shopWithChannel();
    const closed = await createLocation(db, shop.id, { name: "Closed", active: false });
    await db.execute(sql`INSERT INTO channel_locations (connection_id, location_id) VALUES (${connection.id}, ${closed.id})`);
    const variant = await createVariant(db, shop.id, "ATS-1");
    await receive(db, shop.id, variant.id, east.id, 40);
    await receive(db, shop.id, variant.id, west.id, 20);
    await receive(db, shop.id, variant.id, outside.id, 100);
    await receive(db, shop.id, variant.id, closed.id, 50);
    await setSafetyStock(db, { shopId: shop.id, variantId: variant.id, locationId: east.id }, 2);
    await reserve(db, shop.id, variant.id, west.id, 5);
    const listing = await createListing(db, shop.id, connection.id, variant.id, { allocationPercent: 50, buffer: 3 });
    const pusher = fakePusher();

    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });

    // east 40 − 2 safety = 38, west 20 − 5 reserved = 15: 53 × 50 % = 26, minus buffer 3 = 23.
    expect(pusher.calls).toHaveLength(1);
    expect(pusher.calls[0]!.items).toEqual([
      { key: listing.id, externalId: listing.externalId, sku: "ATS-1", available: 23, previousAvailable: null },
    ]);
    const after = await listingById(db, listing.id);
    expect(after.lastPushedAvailable).toBe(23);
    expect(after.lastPushedAt).not.toBeNull();
    expect(after.lastPushError).toBeNull();
    expect((await connectionById(db, connection.id)).lastPushAt).not.toBeNull();
  });

  it("advertises a kit as the kits its components make up at each location", async () => {
    const { db } = database;
    const { shop, east, west, connection } = await shopWithChannel();
    const kit = await createVariant(db, shop.id, "KIT");
    const bottle = await createVariant(db, shop.id, "KIT-BOTTLE");
    const cap = await createVariant(db, shop.id, "KIT-CAP");
    await db.insert(kitComponents).values([
      { kitVariantId: kit.id, componentVariantId: bottle.id, quantity: 2 },
      { kitVariantId: kit.id, componentVariantId: cap.id, quantity: 1 },
    ]);
    await receive(db, shop.id, bottle.id, east.id, 7);
    await receive(db, shop.id, cap.id, east.id, 10);
    await receive(db, shop.id, bottle.id, west.id, 1);
    await receive(db, shop.id, cap.id, west.id, 10);
    const listing = await createListing(db, shop.id, connection.id, kit.id);
    const pusher = fakePusher();

    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls[0]!.items.map((i) => i.available)).toEqual([3]);

    // A component's stock moving is a change of the kit's figure.
    pusher.calls.length = 0;
    await adjustInventory(db, { shopId: shop.id, variantId: cap.id, locationId: east.id, delta: -9, actor: "test", reason: "count" });
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls[0]!.items.map((i) => [i.key, i.available, i.previousAvailable])).toEqual([[listing.id, 1, 3]]);
  });
});

describe("pushing only what changed", () => {
  it("pushes each listing once, then only the listings whose figure moved", async () => {
    const { db } = database;
    const { shop, east, outside, connection } = await shopWithChannel();
    const listings = [];
    const variantIds: string[] = [];
    for (const sku of ["CH-A", "CH-B", "CH-C"]) {
      const variant = await createVariant(db, shop.id, sku);
      variantIds.push(variant.id);
      await receive(db, shop.id, variant.id, east.id, 10);
      await receive(db, shop.id, variant.id, outside.id, 10);
      listings.push(await createListing(db, shop.id, connection.id, variant.id));
    }
    const pusher = fakePusher();
    const context = { db, connectors: fakeRegistry(pusher) };

    await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.key)).sort()).toEqual(listings.map((l) => l.id).sort());

    // Nothing moved: nothing is sent.
    pusher.calls.length = 0;
    const idle = await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls).toEqual([]);
    expect(idle.connections[0]!.outcome).toBe("up_to_date");

    // Stock moved where the channel cannot see it: recomputed, same figure, not sent.
    const before = await listingById(db, listings[1]!.id);
    await adjustInventory(db, { shopId: shop.id, variantId: variantIds[1]!, locationId: outside.id, delta: -4, actor: "test", reason: "count" });
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls).toEqual([]);
    expect((await listingById(db, listings[1]!.id)).lastPushedAt!.getTime()).toBeGreaterThanOrEqual(before.lastPushedAt!.getTime());

    // One listing's figure moved: exactly that one is sent, with what the channel holds now.
    await adjustInventory(db, { shopId: shop.id, variantId: variantIds[2]!, locationId: east.id, delta: -3, actor: "test", reason: "damaged" });
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items)).toEqual([
      { key: listings[2]!.id, externalId: listings[2]!.externalId, sku: "CH-C", available: 7, previousAvailable: 10 },
    ]);
  });

  it("hands the channel batches no larger than its limit", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    for (let i = 0; i < 7; i++) {
      const variant = await createVariant(db, shop.id, `BATCH-${i}`);
      await receive(db, shop.id, variant.id, east.id, i + 1);
      await createListing(db, shop.id, connection.id, variant.id);
    }
    const pusher = fakePusher(3);

    const summary = await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });

    expect(pusher.calls.map((c) => c.items.length)).toEqual([3, 3, 1]);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", batches: 3, applied: 7 });
  });

  it("re-pushes without a compare-and-set after the channel reports a conflict", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const variant = await createVariant(db, shop.id, "CAS");
    await receive(db, shop.id, variant.id, east.id, 8);
    const listing = await createListing(db, shop.id, connection.id, variant.id, { lastPushedAvailable: 5, lastPushedAt: new Date(Date.now() - 3_600_000) });
    const pusher = fakePusher();
    pusher.respond = (items) => ok(items.map((item) => ({ key: item.key, status: "conflict" as const, problem: "The changeFromQuantity is stale." })));

    const summary = await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });

    expect(summary.followUpInMs).toBe(30_000);
    const after = await listingById(db, listing.id);
    expect(after.lastPushedAvailable).toBeNull();
    expect(after.lastPushError).toContain("stale");
    expect(await syncJobs(shop.id)).toHaveLength(1);

    pusher.respond = (items) => ok(items.map((item) => ({ key: item.key, status: "applied" as const })));
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls[1]!.items[0]).toMatchObject({ available: 8, previousAvailable: null });
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 8, lastPushError: null });
  });
});

describe("coalescing stock changes into syncs", () => {
  it("marks the variant dirty once and queues ONE sync job per connection for a burst of 50 stock changes", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const other = await createConnection(db, shop.id, { name: "Second store", locationIds: [east.id] });
    const variant = await createVariant(db, shop.id, "BURST");
    await receive(db, shop.id, variant.id, east.id, 2_000);
    await createListing(db, shop.id, connection.id, variant.id);
    await createListing(db, shop.id, other.id, variant.id);

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -(i + 1), actor: "test", reason: "burst" }),
      ),
    );

    expect(results.every((r) => r.ok)).toBe(true);
    const jobs = await syncJobs(shop.id);
    expect(jobs.map((j) => j.key).sort()).toEqual([`stock-sync:${connection.id}`, `stock-sync:${other.id}`].sort());
    const dirty = await db.execute<{ connection_id: string }>(sql`SELECT connection_id FROM stock_sync_dirty WHERE variant_id = ${variant.id}`);
    expect(dirty.rows).toHaveLength(2);
  });

  it("marks only listed variants dirty when goods are received, in the receipt's transaction", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const listed = await createVariant(db, shop.id, "RECEIVED");
    const unlisted = await createVariant(db, shop.id, "UNLISTED");
    await createListing(db, shop.id, connection.id, listed.id);
    await db.execute(sql`DELETE FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
    await db.execute(sql`SELECT graphile_worker.remove_job(${`stock-sync:${connection.id}`})`);

    await receive(db, shop.id, unlisted.id, east.id, 12);
    expect(await syncJobs(shop.id)).toEqual([]);
    await receive(db, shop.id, listed.id, east.id, 12);

    expect((await syncJobs(shop.id)).map((j) => j.key)).toEqual([`stock-sync:${connection.id}`]);
    const dirty = await db.execute<{ variant_id: string }>(sql`SELECT variant_id FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
    expect(dirty.rows.map((r) => r.variant_id)).toEqual([listed.id]);
  });

  it("delivers a stock change to the channel through the worker", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const variant = await createVariant(db, shop.id, "WORKER");
    await receive(db, shop.id, variant.id, east.id, 10);
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    const pusher = fakePusher();

    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -2, actor: "test", reason: "count" });
    // The change's job is due a hold after it (batch-mates join it meanwhile).
    await new Promise((resolve) => setTimeout(resolve, STOCK_SYNC_HOLD_MS + 50));
    await runOnce({
      connectionString: database.url,
      taskList: buildTaskList({ db, connectors: fakeRegistry(pusher) }),
      logger: new Logger(() => () => {}),
    });

    // runOnce also runs the jobs other tests in this database left queued: look at this listing only.
    const mine = pusher.calls.filter((c) => c.items.some((i) => i.key === listing.id));
    expect(mine.flatMap((c) => c.items)).toMatchObject([{ key: listing.id, available: 8 }]);
    const dirty = await db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
    expect(dirty.rows).toEqual([]);
    expect(mine[0]!.reference).toMatch(/^job-\d+$/);
    expect(await syncJobs(shop.id)).toEqual([]);
  });
});

describe("when a push fails", () => {
  it("records the error on the connection and raises one exception per failure streak", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const variant = await createVariant(db, shop.id, "FAIL");
    await receive(db, shop.id, variant.id, east.id, 4);
    const listings = [await createListing(db, shop.id, connection.id, variant.id)];
    const other = await createVariant(db, shop.id, "FAIL-2");
    await receive(db, shop.id, other.id, east.id, 4);
    listings.push(await createListing(db, shop.id, connection.id, other.id));
    const pusher = fakePusher();
    pusher.respond = () => err("unavailable", "HTTP 503");
    const context = { db, connectors: fakeRegistry(pusher) };

    const first = await syncShopStock(context, shop.id, { reference: reference() });
    await syncShopStock(context, shop.id, { reference: reference() });
    await syncShopStock(context, shop.id, { reference: reference() });

    expect(first.connections[0]).toMatchObject({ outcome: "failed", exceptionRaised: true });
    expect(first.followUpInMs).toBe(2_000);
    const failed = await connectionById(db, connection.id);
    expect(failed.lastError).toBe("unavailable: HTTP 503");
    expect(failed.lastErrorAt).not.toBeNull();
    expect(failed.lastPushAt).toBeNull();
    for (const listing of listings) {
      expect(await listingById(db, listing.id)).toMatchObject({ lastPushError: "unavailable: HTTP 503", lastPushedAvailable: null });
    }
    const raised = await syncExceptions(shop.id);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ status: "open", details: { connectionId: connection.id, channel: "shopify", reason: "unavailable" } });

    // Recovery ends the streak and resolves the exception; the next failure raises a new one.
    pusher.respond = (items) => ok(items.map((item) => ({ key: item.key, status: "applied" as const })));
    await syncShopStock(context, shop.id, { reference: reference() });
    const recovered = await connectionById(db, connection.id);
    expect(recovered.lastError).toBeNull();
    expect(recovered.lastPushAt).not.toBeNull();
    expect((await syncExceptions(shop.id)).map((e) => e.status)).toEqual(["resolved"]);

    pusher.respond = () => err("unauthorized", "Invalid API key or access token");
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "count" });
    await syncShopStock(context, shop.id, { reference: reference() });
    expect((await syncExceptions(shop.id)).map((e) => e.status).sort()).toEqual(["open", "resolved"]);
  });

  it("keeps per-item refusals on the listing without failing the connection", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const good = await createVariant(db, shop.id, "ITEM-OK");
    const bad = await createVariant(db, shop.id, "ITEM-BAD");
    await receive(db, shop.id, good.id, east.id, 3);
    await receive(db, shop.id, bad.id, east.id, 3);
    const goodListing = await createListing(db, shop.id, connection.id, good.id);
    const badListing = await createListing(db, shop.id, connection.id, bad.id);
    const pusher = fakePusher();
    pusher.respond = (items) =>
      ok(items.map((item) => (item.key === badListing.id ? { key: item.key, status: "rejected" as const, problem: "ITEM_NOT_STOCKED_AT_LOCATION" } : { key: item.key, status: "applied" as const })));

    const summary = await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });

    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", applied: 1, rejected: 1 });
    expect(summary.followUpInMs).toBeNull();
    expect(await listingById(db, goodListing.id)).toMatchObject({ lastPushedAvailable: 3, lastPushError: null });
    expect(await listingById(db, badListing.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: "ITEM_NOT_STOCKED_AT_LOCATION" });
    expect((await connectionById(db, connection.id)).lastError).toBeNull();
    expect(await syncExceptions(shop.id)).toEqual([]);
  });

  it("re-schedules the job for when a rate-limited channel said, instead of failing", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const variant = await createVariant(db, shop.id, "THROTTLED");
    await receive(db, shop.id, variant.id, east.id, 9);
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    const pusher = fakePusher();
    pusher.respond = () => ({ ...err("rate_limited", "THROTTLED"), retryAfterMs: 7_000 });
    const task = inventorySyncTask({ db, connectors: fakeRegistry(pusher), stockSyncHoldMs: 0 });
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const helpers = { job: { id: "42" }, logger: { info: log, warn: log, debug: log, error: log } };
    // The worker holds its own job while it runs, so the follow-up is a new job; drop the one the listing queued.
    await db.execute(sql`SELECT graphile_worker.remove_job(${`stock-sync:${connection.id}`})`);
    const started = Date.now();

    await task({ shopId: shop.id, connectionId: connection.id }, helpers as unknown as Parameters<typeof task>[1]);

    expect(pusher.calls[0]!.reference).toBe("job-42");
    const jobs = await syncJobs(shop.id);
    expect(jobs).toHaveLength(1);
    const runAt = new Date(jobs[0]!.run_at).getTime();
    expect(runAt).toBeGreaterThanOrEqual(started + 7_000 - 1_000);
    expect(runAt).toBeLessThan(started + 7_000 + 5_000);
    expect((await connectionById(db, connection.id)).lastError).toBeNull();
    expect((await listingById(db, listing.id)).lastPushError).toBeNull();
    expect(await syncExceptions(shop.id)).toEqual([]);
    // The change is not lost: the variant stays dirty for the follow-up.
    const dirty = await db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
    expect(dirty.rows).toHaveLength(1);
  });

  it("rejects a payload without a valid shop id", async () => {
    const task = inventorySyncTask({ db: database.db, connectors: fakeRegistry(fakePusher()) });
    await expect(task({ shopId: "not-a-uuid" }, { job: { id: "1" } } as unknown as Parameters<typeof task>[1])).rejects.toThrow();
  });
});

describe("what is left alone", () => {
  it("skips paused connections and every connection of a shop with sync disabled", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const paused = await createConnection(db, shop.id, { status: "paused", locationIds: [east.id] });
    const variant = await createVariant(db, shop.id, "SKIP");
    await receive(db, shop.id, variant.id, east.id, 5);
    const active = await createListing(db, shop.id, connection.id, variant.id);
    const pausedListing = await createListing(db, shop.id, paused.id, variant.id);
    const pusher = fakePusher();
    const registry = fakeRegistry(pusher);

    await syncShopStock({ db, connectors: registry }, shop.id, { reference: reference() });
    expect(registry.asked.map((c) => c.id)).toEqual([connection.id]);
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.key))).toEqual([active.id]);
    expect(await listingById(db, pausedListing.id)).toMatchObject({ lastPushedAt: null, lastPushedAvailable: null });

    await db.update(shops).set({ syncEnabled: false }).where(eq(shops.id, shop.id));
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: 2, actor: "test", reason: "found" });
    pusher.calls.length = 0;
    const summary = await syncShopStock({ db, connectors: registry }, shop.id, { reference: reference() });
    expect(summary.connections).toEqual([]);
    expect(pusher.calls).toEqual([]);
    expect((await listingById(db, active.id)).lastPushedAvailable).toBe(5);
  });

  it("leaves a connected channel without a connector untouched", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const east = await createLocation(db, shop.id, { name: "East" });
    const amazon = await createConnection(db, shop.id, { channel: "amazon", name: "Amazon US", locationIds: [east.id] });
    const variant = await createVariant(db, shop.id, "AMZ");
    await receive(db, shop.id, variant.id, east.id, 5);
    const listing = await createListing(db, shop.id, amazon.id, variant.id, { externalId: "amazon:AMZ" });
    const registry = shopifyConnectorsFor(db, new CredentialCipher(Buffer.alloc(32, 7)));
    // The listing queued a sync of its own; what matters is that this run queues none.
    await db.execute(sql`SELECT graphile_worker.remove_job(${`stock-sync:${amazon.id}`})`);

    const summary = await syncShopStock({ db, connectors: registry }, shop.id, { reference: reference() });

    expect(summary.connections).toMatchObject([{ connectionId: amazon.id, outcome: "no_connector" }]);
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAt: null, lastPushError: null });
    expect(await connectionById(db, amazon.id)).toMatchObject({ lastError: null, lastPushAt: null });
    expect(await syncJobs(shop.id)).toEqual([]);
  });

  it("records a connection whose credentials are missing as failed, once", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const east = await createLocation(db, shop.id, { name: "East", externalId: "gid://shopify/Location/1" });
    const connection = await createConnection(db, shop.id, { locationIds: [east.id] });
    const registry = shopifyConnectorsFor(db, new CredentialCipher(Buffer.alloc(32, 7)));

    const first = await syncShopStock({ db, connectors: registry }, shop.id, { reference: reference() });
    await syncShopStock({ db, connectors: registry }, shop.id, { reference: reference() });

    expect(first.connections[0]).toMatchObject({ outcome: "failed", exceptionRaised: true });
    expect((await connectionById(db, connection.id)).lastError).toContain("missing_credentials");
    expect(await syncExceptions(shop.id)).toHaveLength(1);
  });

});

describe("finding the listings to recompute", () => {
  it("reads only the dirty set, and never rewrites what unchanged listings were told", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithChannel();
    const variant = await createVariant(db, shop.id, "QUIET");
    await receive(db, shop.id, variant.id, east.id, 6);
    const pushedAt = new Date(Date.now() - 1_800_000);
    // Told a (deliberately) wrong figure half an hour ago and not dirty: not looked at.
    const listing = await createListing(db, shop.id, connection.id, variant.id, { lastPushedAvailable: 999, lastPushedAt: pushedAt });
    await db.execute(sql`DELETE FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
    const pusher = fakePusher();

    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls).toEqual([]);

    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: 1, actor: "test", reason: "found" });
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items)).toMatchObject([{ key: listing.id, available: 7, previousAvailable: 999 }]);

    // A change that nets out (up one, down one) is dirty but already right: nothing sent, nothing rewritten.
    const before = await listingById(db, listing.id);
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: 1, actor: "test", reason: "found" });
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "lost" });
    pusher.calls.length = 0;
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls).toEqual([]);
    expect((await listingById(db, listing.id)).lastPushedAt).toEqual(before.lastPushedAt);
    expect((await db.execute(sql`SELECT 1 FROM stock_sync_dirty WHERE connection_id = ${connection.id}`)).rows).toEqual([]);
  });
});

/**
 * Channels that keep stock per location (Shopify): the channel's figure is split over its
 * locations that mirror a channel location, and each (listing, location) is pushed, compared and
 * recorded on its own.
 */
describe("per-location channels", () => {
  const gid = (n: number) => `gid://shopify/Location/${n}`;

  /** East and West mirror Shopify locations; Pop-up feeds the channel but mirrors none; Outside does not feed it. */
  async function shopWithLocatedChannel() {
    const { db } = database;
    const shop = await createShop(db);
    const east = await createLocation(db, shop.id, { name: "East", priority: 1, externalId: gid(1) });
    const west = await createLocation(db, shop.id, { name: "West", priority: 2, externalId: gid(2) });
    const popUp = await createLocation(db, shop.id, { name: "Pop-up", priority: 3 });
    const outside = await createLocation(db, shop.id, { name: "Outside", priority: 4, externalId: gid(4) });
    const connection = await createConnection(db, shop.id, { name: "Main store", locationIds: [east.id, west.id, popUp.id] });
    return { shop, east, west, popUp, outside, connection };
  }

  async function pushedByLocation(listingId: string) {
    const rows = await database.db.select().from(channelListingLocations).where(eq(channelListingLocations.listingId, listingId));
    return Object.fromEntries(rows.map((r) => [r.locationId, r.lastPushedAvailable]));
  }

  const applied = (items: readonly { key: string }[]) => ok(items.map((item) => ({ key: item.key, status: "applied" as const })));

  it("pushes each mirrored location its share of the channel's figure, the shares summing to the pooled figure", async () => {
    const { db } = database;
    const { shop, east, west, popUp, outside, connection } = await shopWithLocatedChannel();
    const variant = await createVariant(db, shop.id, "LOC-1");
    await receive(db, shop.id, variant.id, east.id, 40);
    await receive(db, shop.id, variant.id, west.id, 20);
    await receive(db, shop.id, variant.id, popUp.id, 30);
    await receive(db, shop.id, variant.id, outside.id, 100);
    await setSafetyStock(db, { shopId: shop.id, variantId: variant.id, locationId: east.id }, 2);
    await reserve(db, shop.id, variant.id, west.id, 5);
    const listing = await createListing(db, shop.id, connection.id, variant.id, { allocationPercent: 50, buffer: 1 });
    const pusher = fakePusher(250, "per_location");

    const summary = await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });

    // East 38 and West 15 (Pop-up has no Shopify id): 53 × 50 % = 26 − 1 = 25. Per location
    // 19 + 7 = 26; the buffer's unit comes off West, the lower priority.
    expect(pusher.calls.flatMap((c) => c.items)).toEqual([
      { key: `${listing.id}@${east.id}`, externalId: listing.externalId, locationExternalId: gid(1), sku: "LOC-1", available: 19, previousAvailable: null },
      { key: `${listing.id}@${west.id}`, externalId: listing.externalId, locationExternalId: gid(2), sku: "LOC-1", available: 6, previousAvailable: null },
    ]);
    expect(summary.connections[0]).toMatchObject({ outcome: "pushed", applied: 2, warning: "1 location has no Shopify location id; their stock is not pushed to Main store" });
    expect(await pushedByLocation(listing.id)).toEqual({ [east.id]: 19, [west.id]: 6 });
    const after = await listingById(db, listing.id);
    expect(after).toMatchObject({ lastPushedAvailable: 25, lastPushError: null });
    expect(after.lastPushedAt).not.toBeNull();
    // The unmirrored location is a warning on the connection, not a failure.
    expect(await connectionById(db, connection.id)).toMatchObject({ lastError: "1 location has no Shopify location id; their stock is not pushed to Main store", lastErrorAt: null });
    expect(await syncExceptions(shop.id)).toEqual([]);

    // Nothing moved: nothing sent. Then West moves: only West is sent, against what it was told.
    pusher.calls.length = 0;
    expect((await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() })).connections[0]!.outcome).toBe("up_to_date");
    expect(pusher.calls).toEqual([]);
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: west.id, delta: 10, actor: "test", reason: "found" });
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    // East 38, West 25: 63 × 50 % = 31 − 1 = 30; 19 + 12 = 31, West gives the buffer's unit.
    expect(pusher.calls.flatMap((c) => c.items.map((i) => [i.locationExternalId, i.available, i.previousAvailable]))).toEqual([[gid(2), 11, 6]]);
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 30 });
  });

  it("counts a kit at each location from the components on that location's shelf", async () => {
    const { db } = database;
    const { shop, east, west, connection } = await shopWithLocatedChannel();
    const kit = await createVariant(db, shop.id, "LOC-KIT");
    const bottle = await createVariant(db, shop.id, "LOC-KIT-BOTTLE");
    const cap = await createVariant(db, shop.id, "LOC-KIT-CAP");
    await db.insert(kitComponents).values([
      { kitVariantId: kit.id, componentVariantId: bottle.id, quantity: 2 },
      { kitVariantId: kit.id, componentVariantId: cap.id, quantity: 1 },
    ]);
    await receive(db, shop.id, bottle.id, east.id, 7);
    await receive(db, shop.id, cap.id, east.id, 10);
    await receive(db, shop.id, bottle.id, west.id, 4);
    await receive(db, shop.id, cap.id, west.id, 1);
    const listing = await createListing(db, shop.id, connection.id, kit.id);
    const pusher = fakePusher(250, "per_location");

    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => [i.locationExternalId, i.available]))).toEqual([
      [gid(1), 3],
      [gid(2), 1],
    ]);

    // A component moving at one location changes the kit there only.
    pusher.calls.length = 0;
    await adjustInventory(db, { shopId: shop.id, variantId: cap.id, locationId: east.id, delta: -9, actor: "test", reason: "count" });
    await syncShopStock({ db, connectors: fakeRegistry(pusher) }, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => [i.key, i.available, i.previousAvailable]))).toEqual([[`${listing.id}@${east.id}`, 1, 3]]);
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 2 });
  });

  it("forgets only the conflicting location's figure and re-tells it without a check 30 s later", async () => {
    const { db } = database;
    const { shop, east, west, connection } = await shopWithLocatedChannel();
    const variant = await createVariant(db, shop.id, "LOC-CAS");
    await receive(db, shop.id, variant.id, east.id, 8);
    await receive(db, shop.id, variant.id, west.id, 3);
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    const pusher = fakePusher(250, "per_location");
    const context = { db, connectors: fakeRegistry(pusher) };
    await syncShopStock(context, shop.id, { reference: reference() });

    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "count" });
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: west.id, delta: -1, actor: "test", reason: "count" });
    await db.execute(sql`SELECT graphile_worker.remove_job(${`inventory-sync:${shop.id}`})`);
    pusher.respond = (items) =>
      ok(items.map((item) => (item.locationExternalId === gid(2) ? { key: item.key, status: "conflict" as const, problem: "The changeFromQuantity is stale." } : { key: item.key, status: "applied" as const })));
    const summary = await syncShopStock(context, shop.id, { reference: reference() });

    expect(summary).toMatchObject({ followUpInMs: 30_000, connections: [{ applied: 1, conflicts: 1 }] });
    expect(await syncJobs(shop.id)).toHaveLength(1);
    expect(await pushedByLocation(listing.id)).toEqual({ [east.id]: 7, [west.id]: null });
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: null, lastPushError: "West: The changeFromQuantity is stale." });

    pusher.respond = applied;
    pusher.calls.length = 0;
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => [i.locationExternalId, i.available, i.previousAvailable]))).toEqual([[gid(2), 2, null]]);
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 9, lastPushError: null });
  });

  it("pushes a location as soon as it mirrors a channel location, and drops the warning", async () => {
    const { db } = database;
    const { shop, east, popUp, connection } = await shopWithLocatedChannel();
    const variant = await createVariant(db, shop.id, "LOC-NEW");
    await receive(db, shop.id, variant.id, east.id, 2);
    await receive(db, shop.id, variant.id, popUp.id, 5);
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    const pusher = fakePusher(250, "per_location");
    const context = { db, connectors: fakeRegistry(pusher) };
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 2 });
    // Mirroring a location changes what the channel can be told: every listing is marked, as the location settings do.
    await db.update(locations).set({ externalId: gid(3) }).where(eq(locations.id, popUp.id));
    await scheduleStockSync(db, shop.id);
    pusher.calls.length = 0;
    const summary = await syncShopStock(context, shop.id, { reference: reference() });

    expect(pusher.calls.flatMap((c) => c.items.map((i) => [i.locationExternalId, i.available, i.previousAvailable]))).toEqual([[gid(3), 5, null]]);
    expect(summary.connections[0]!.warning).toBeUndefined();
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 7, lastPushError: null });
    expect((await connectionById(db, connection.id)).lastError).toBeNull();
  });

  it("lets a failure replace the warning, raising one exception, and restores the warning on recovery", async () => {
    const { db } = database;
    const { shop, east, west, connection } = await shopWithLocatedChannel();
    const variant = await createVariant(db, shop.id, "LOC-FAIL");
    await receive(db, shop.id, variant.id, east.id, 4);
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    const pusher = fakePusher(250, "per_location");
    const context = { db, connectors: fakeRegistry(pusher) };
    // Nothing to push yet, but the warning is recorded all the same.
    await db.execute(sql`UPDATE channel_listings SET last_pushed_available = 4, last_pushed_at = now() WHERE id = ${listing.id}`);
    await db.insert(channelListingLocations).values([
      { listingId: listing.id, locationId: east.id, lastPushedAvailable: 4, lastPushedAt: new Date() },
      { listingId: listing.id, locationId: west.id, lastPushedAvailable: 0, lastPushedAt: new Date() },
    ]);
    await db.execute(sql`UPDATE inventory_levels SET updated_at = now() - interval '1 hour' WHERE variant_id = ${variant.id}`);
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(pusher.calls).toEqual([]);
    expect((await connectionById(db, connection.id)).lastError).toContain("1 location has no Shopify location id");

    pusher.respond = () => err("unavailable", "HTTP 503");
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "count" });
    const failed = await syncShopStock(context, shop.id, { reference: reference() });
    await syncShopStock(context, shop.id, { reference: reference() });
    expect(failed.connections[0]).toMatchObject({ outcome: "failed", exceptionRaised: true });
    expect((await connectionById(db, connection.id)).lastError).toBe("unavailable: HTTP 503");
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushError: "unavailable: HTTP 503" });
    expect((await syncExceptions(shop.id)).map((e) => e.status)).toEqual(["open"]);

    pusher.respond = applied;
    await syncShopStock(context, shop.id, { reference: reference() });
    expect((await connectionById(db, connection.id)).lastError).toContain("1 location has no Shopify location id");
    expect((await syncExceptions(shop.id)).map((e) => e.status)).toEqual(["resolved"]);
    expect(await listingById(db, listing.id)).toMatchObject({ lastPushedAvailable: 3, lastPushError: null });
  });
});
