import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { Logger, runOnce } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import { err, ok } from "../../core/shared/result";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { markStockDirty, queueConnectionSync } from "../../db/repositories/stock-sync-dirty-repository";
import { STOCK_SYNC_HOLD_MS } from "../../core/inventory/stock-sync-plan";
import { buildTaskList } from "../../jobs/task-list";
import { reconcileConnectionStock } from "../../jobs/tasks/inventory-reconcile.task";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { createConnection, createListing, fakePusher, fakeRegistry, fakeShowingChannel, listingById } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * The per-connection stock sync engine on real PostgreSQL: the dirty set, crash safety, per
 * connection isolation, backoff, pending results and reconciliation.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const reference = () => `test-${randomUUID()}`;

async function dirtyOf(connectionId: string) {
  const result = await database.db.execute<{ variant_id: string; generation: number }>(
    sql`SELECT variant_id, generation FROM stock_sync_dirty WHERE connection_id = ${connectionId} ORDER BY variant_id`,
  );
  return result.rows;
}

async function jobOf(connectionId: string) {
  const result = await database.db.execute<{ run_at: Date; payload: { attempt?: number }; queue: string | null }>(
    sql`SELECT j.run_at, j.payload, q.queue_name AS queue
          FROM graphile_worker._private_jobs j LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
         WHERE j.key = ${`stock-sync:${connectionId}`}`,
  );
  return result.rows[0];
}

async function shopWithListing(sku: string, onHand = 10) {
  const { db } = database;
  const shop = await createShop(db);
  const east = await createLocation(db, shop.id, { name: "East" });
  const connection = await createConnection(db, shop.id, { channel: "ebay", name: `eBay ${sku}`, locationIds: [east.id] });
  const variant = await createVariant(db, shop.id, sku);
  await receive(db, shop.id, variant.id, east.id, onHand);
  const listing = await createListing(db, shop.id, connection.id, variant.id, { externalId: `ebay:${sku}` });
  return { shop, east, connection, variant, listing };
}

describe("the dirty set", () => {
  it("loses no change when the worker dies mid-push: the rows stay dirty and the next run pushes them", async () => {
    const { db } = database;
    const { shop, connection, listing } = await shopWithListing("CRASH");
    const pusher = fakePusher(250);
    pusher.push = async () => {
      throw new Error("worker killed");
    };
    const connectors = fakeRegistry(pusher, ["ebay"]);

    await expect(syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() })).rejects.toThrow("worker killed");
    expect(await dirtyOf(connection.id)).toHaveLength(1);

    // "Restarted": the retried job pushes what the dead one did not.
    const restarted = fakePusher(250);
    await syncConnectionStock({ db, connectors: fakeRegistry(restarted, ["ebay"]) }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });
    expect(restarted.calls.flatMap((c) => c.items)).toMatchObject([{ key: listing.id, available: 10 }]);
    expect(await dirtyOf(connection.id)).toEqual([]);
  });

  it("keeps a change made while its variant was being pushed, and pushes it next", async () => {
    const { db } = database;
    const { shop, east, connection, variant, listing } = await shopWithListing("DURING");
    const pusher = fakePusher(250);
    const respond = pusher.respond;
    let changedDuringPush = false;
    pusher.push = async (batch, options) => {
      pusher.calls.push({ items: [...batch], reference: options.reference });
      if (!changedDuringPush) {
        changedDuringPush = true;
        // A sale commits while the channel call is in flight.
        await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -3, actor: "test", reason: "sale" });
      }
      return respond(batch);
    };
    const connectors = fakeRegistry(pusher, ["ebay"]);

    const first = await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });
    expect(first.applied).toBe(1);
    expect(await dirtyOf(connection.id)).toHaveLength(1);
    expect(first.followUpInMs).toBe(0);

    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.available))).toEqual([10, 7]);
    expect((await listingById(db, listing.id)).lastPushedAvailable).toBe(7);
    expect(await dirtyOf(connection.id)).toEqual([]);
  });

  it("pushes many dirty variants in the channel's largest batches", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithListing("BATCH-0");
    for (let i = 1; i < 60; i++) {
      const variant = await createVariant(db, shop.id, `BATCH-${i}`);
      await receive(db, shop.id, variant.id, east.id, i);
      await createListing(db, shop.id, connection.id, variant.id, { externalId: `ebay:BATCH-${i}` });
    }
    const pusher = fakePusher(25);
    const summary = await syncConnectionStock({ db, connectors: fakeRegistry(pusher, ["ebay"]) }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });
    expect(pusher.calls.map((c) => c.items.length)).toEqual([25, 25, 10]);
    expect(summary).toMatchObject({ applied: 60, batches: 3 });
    expect(await dirtyOf(connection.id)).toEqual([]);
  });
});

describe("coalescing", () => {
  it("holds a partial batch younger than the hold for batch-mates, sends a full batch at once, and the rest once the hold passed", async () => {
    const { db } = database;
    const { shop, east, connection } = await shopWithListing("HOLD-A");
    const second = await createVariant(db, shop.id, "HOLD-B");
    await receive(db, shop.id, second.id, east.id, 4);
    await createListing(db, shop.id, connection.id, second.id, { externalId: "ebay:HOLD-B" });
    const input = { shopId: shop.id, connectionId: connection.id };

    // Two changes, batches of 25: a partial batch, both changes just marked: nothing is sent yet.
    const wide = fakePusher(25);
    const held = await syncConnectionStock({ db, connectors: fakeRegistry(wide, ["ebay"]) }, input, { reference: reference(), holdMs: 60_000 });
    expect(wide.calls).toEqual([]);
    expect(held.held).toBe(2);
    expect(await dirtyOf(connection.id)).toHaveLength(2);
    // The follow-up comes when the oldest change has waited the hold, not later.
    expect(held.followUpInMs).toBeGreaterThan(50_000);
    expect(held.followUpInMs).toBeLessThanOrEqual(60_000);

    // Batches of 1: every batch is full, so both go at once whatever the hold.
    const narrow = fakePusher(1);
    const full = await syncConnectionStock({ db, connectors: fakeRegistry(narrow, ["ebay"]) }, input, { reference: reference(), holdMs: 60_000 });
    expect(narrow.calls).toHaveLength(2);
    expect(full.held).toBe(0);
    expect(await dirtyOf(connection.id)).toEqual([]);
  });

  it("a new change pulls in a far follow-up to within the hold, but never a run waiting out the channel's Retry-After", async () => {
    const { db } = database;
    const { shop, connection, variant } = await shopWithListing("PULL");
    const runAt = async () => new Date((await jobOf(connection.id))!.run_at).getTime();

    // A conflict's follow-up, 30 s away: the next sale must not wait for it.
    await queueConnectionSync(db, { shopId: shop.id, connectionId: connection.id, delayMs: 30_000 });
    expect(await runAt()).toBeGreaterThan(Date.now() + 25_000);
    await markStockDirty(db, { shopId: shop.id, variantIds: [variant.id] });
    expect(await runAt()).toBeLessThanOrEqual(Date.now() + STOCK_SYNC_HOLD_MS + 1_000);

    // A burst joins the job already due within the hold instead of pushing it back.
    const due = await runAt();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await markStockDirty(db, { shopId: shop.id, variantIds: [variant.id] });
    expect(await runAt()).toBe(due);

    // After a 429 the channel said when: marks leave that run where it is.
    await queueConnectionSync(db, { shopId: shop.id, connectionId: connection.id, delayMs: 60_000, attempt: 1, backoff: true });
    await markStockDirty(db, { shopId: shop.id, variantIds: [variant.id] });
    expect(await runAt()).toBeGreaterThan(Date.now() + 55_000);
    expect((await jobOf(connection.id))!.payload.attempt).toBe(1);
  });
});

describe("failures and backoff", () => {
  it("backs off exponentially over consecutive unavailable runs, keeping every change dirty", async () => {
    const { db } = database;
    const { shop, connection } = await shopWithListing("BACKOFF");
    const pusher = fakePusher(250);
    pusher.respond = () => err("unavailable", "HTTP 503");
    const connectors = fakeRegistry(pusher, ["ebay"]);

    const delays: (number | null | undefined)[] = [];
    for (const attempt of [0, 1, 2]) {
      const summary = await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id, attempt }, { reference: reference() });
      delays.push(summary.followUpInMs);
    }

    expect(delays).toEqual([2_000, 4_000, 8_000]);
    expect((await jobOf(connection.id))?.payload.attempt).toBe(3);
    expect(await dirtyOf(connection.id)).toHaveLength(1);
  });

  it("a throttled channel does not delay the others: each connection has its own job and queue", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const east = await createLocation(db, shop.id, { name: "East" });
    const throttled = await createConnection(db, shop.id, { channel: "amazon", name: "Amazon", locationIds: [east.id] });
    const healthy = await createConnection(db, shop.id, { channel: "ebay", name: "eBay", locationIds: [east.id] });
    const variant = await createVariant(db, shop.id, "ISOLATED");
    await receive(db, shop.id, variant.id, east.id, 5);
    await createListing(db, shop.id, throttled.id, variant.id, { externalId: "amazon:ISOLATED" });
    const healthyListing = await createListing(db, shop.id, healthy.id, variant.id, { externalId: "ebay:ISOLATED" });
    expect((await jobOf(throttled.id))?.queue).toBe(`stock-sync:${throttled.id}`);
    expect((await jobOf(healthy.id))?.queue).toBe(`stock-sync:${healthy.id}`);

    const amazon = fakePusher(250);
    amazon.respond = () => ({ ...err("rate_limited", "QuotaExceeded"), retryAfterMs: 60_000 });
    const ebay = fakePusher(250);
    const amazonModule = fakeRegistry(amazon, ["amazon"]);
    const ebayModule = fakeRegistry(ebay, ["ebay"]);
    const connectors = { ...amazonModule, modules: [...amazonModule.modules, ...ebayModule.modules] };

    // Both jobs are due a hold after the mark; the runs send what they find (no hold of their own here).
    await new Promise((resolve) => setTimeout(resolve, STOCK_SYNC_HOLD_MS + 50));
    await runOnce({ connectionString: database.url, taskList: buildTaskList({ db, connectors, stockSyncHoldMs: 0 }), logger: new Logger(() => () => {}) });

    expect(ebay.calls.flatMap((c) => c.items).filter((i) => i.key === healthyListing.id)).toMatchObject([{ available: 5 }]);
    expect(await dirtyOf(healthy.id)).toEqual([]);
    expect(await jobOf(healthy.id)).toBeUndefined();
    // Amazon keeps its change and comes back when it said, on its own queue.
    expect(await dirtyOf(throttled.id)).toHaveLength(1);
    expect(new Date((await jobOf(throttled.id))!.run_at).getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});

describe("pending results", () => {
  it("records a pending push, keeps it out of the dirty set, and settles it later", async () => {
    const { db } = database;
    const { shop, connection, listing } = await shopWithListing("FEED");
    const pusher = fakePusher(10_000);
    pusher.respond = (items) => ok(items.map((item) => ({ key: item.key, status: "pending" as const, pendingId: "feed-1" })));
    let settled = false;
    pusher.settle = async (pendingId) => {
      expect(pendingId).toBe("feed-1");
      return settled ? ok({ done: true, results: [{ key: listing.id, status: "applied" }] }) : ok({ done: false });
    };
    const connectors = fakeRegistry(pusher, ["ebay"]);
    const run = () => syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });

    const first = await run();
    expect(first).toMatchObject({ pending: 1, applied: 0 });
    expect(await dirtyOf(connection.id)).toEqual([]);
    expect((await listingById(db, listing.id)).lastPushedAvailable).toBeNull();
    expect(first.followUpInMs).not.toBeNull();

    await run();
    expect((await listingById(db, listing.id)).lastPushedAvailable).toBeNull();

    settled = true;
    const last = await run();
    expect(last.settled).toBe(1);
    expect((await listingById(db, listing.id)).lastPushedAvailable).toBe(10);
    expect((await database.db.execute(sql`SELECT 1 FROM stock_sync_pending WHERE connection_id = ${connection.id}`)).rows).toEqual([]);
  });
});

describe("a pending submission and a newer figure", () => {
  it("holds the newer figure of a listing until its pending submission settled, so the older one never lands last", async () => {
    const { db } = database;
    const { shop, east, connection, variant, listing } = await shopWithListing("FEED-ORDER");
    const pusher = fakePusher(10_000);
    let feedDone = false;
    pusher.respond = (items) => ok(items.map((item) => (item.available === 10 ? { key: item.key, status: "pending" as const, pendingId: "feed-9" } : { key: item.key, status: "applied" as const })));
    pusher.settle = async () => (feedDone ? ok({ done: true, results: [{ key: listing.id, status: "applied" }] }) : ok({ done: false }));
    const connectors = fakeRegistry(pusher, ["ebay"]);
    const run = () => syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });

    await run();
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.available))).toEqual([10]);
    // A sale while the feed with 10 is being processed: 7 must not go out before 10 has landed.
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -3, actor: "test", reason: "sale" });
    const waiting = await run();
    expect(pusher.calls).toHaveLength(1);
    expect(await dirtyOf(connection.id)).toHaveLength(1);
    expect(waiting.followUpInMs).not.toBeNull();

    feedDone = true;
    await run();
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.available))).toEqual([10, 7]);
    expect((await listingById(db, listing.id)).lastPushedAvailable).toBe(7);
    expect(await dirtyOf(connection.id)).toEqual([]);
  });
});

describe("reconciliation", () => {
  it("corrects what the channel shows differently, and never takes the echo of our own push for drift", async () => {
    const { db } = database;
    const { shop, east, connection, variant, listing } = await shopWithListing("DRIFT");
    const { pusher, shown } = fakeShowingChannel(250);
    const connectors = fakeRegistry(pusher, ["ebay"]);
    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });

    // The channel shows exactly what we pushed: an echo, not drift.
    expect(await reconcileConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id })).toMatchObject({ read: 1, drift: 0 });

    // A variant with a push still to come is not compared (the channel may show the old figure).
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "sale" });
    expect(await reconcileConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id })).toMatchObject({ read: 0, drift: 0 });
    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });

    // Someone changed it on the channel: drift, corrected by the next sync.
    shown.set(listing.id, 42);
    expect(await reconcileConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id })).toMatchObject({ read: 1, drift: 1, outcome: "drift_corrected" });
    expect(await dirtyOf(connection.id)).toHaveLength(1);
    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: reference() });
    expect(shown.get(listing.id)).toBe(9);
    expect(pusher.calls.at(-1)!.items[0]).toMatchObject({ available: 9, previousAvailable: null });
  });
});
