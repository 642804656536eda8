import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { connectionSyncStats, recentPushLatencies } from "../../db/queries/stock-sync-health-queries";
import { switchConnection } from "../../db/repositories/channel-connection-switch-repository";
import { adjustInventory } from "../../db/repositories/inventory-repository";
import { syncConnectionStock } from "../../jobs/tasks/inventory-sync.task";
import { connectionById, createConnection, createListing, fakePusher, fakeRegistry } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** The Channels page's figures and its connect / disconnect switch, on real PostgreSQL. */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function listed() {
  const { db } = database;
  const shop = await createShop(db);
  const east = await createLocation(db, shop.id, { name: "East" });
  const connection = await createConnection(db, shop.id, { channel: "ebay", name: "eBay", locationIds: [east.id] });
  const variant = await createVariant(db, shop.id, `HEALTH-${randomUUID().slice(0, 6)}`);
  await receive(db, shop.id, variant.id, east.id, 8);
  await createListing(db, shop.id, connection.id, variant.id, { externalId: "ebay:1" });
  return { shop, east, connection, variant };
}

describe("channel health", () => {
  it("shows the queue until the sync pushes it, then a latency point per run", async () => {
    const { db } = database;
    const { shop, connection } = await listed();
    expect((await connectionSyncStats(db, shop.id))[connection.id]).toMatchObject({ queueDepth: 1, pendingResults: 0, failedRuns24h: 0 });

    await syncConnectionStock({ db, connectors: fakeRegistry(fakePusher(), ["ebay"]) }, { shopId: shop.id, connectionId: connection.id }, { reference: "r" });

    expect((await connectionSyncStats(db, shop.id))[connection.id]).toMatchObject({ queueDepth: 0, oldestQueuedAt: null });
    const points = await recentPushLatencies(db, shop.id);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ connectionId: connection.id, channel: "ebay" });
    expect(points[0]!.maxMs).toBeGreaterThanOrEqual(points[0]!.p50Ms);
  });

  it("disconnecting stops pushes (changes wait in the queue); connecting again re-tells every listing", async () => {
    const { db } = database;
    const { shop, east, connection, variant } = await listed();
    const pusher = fakePusher();
    const connectors = fakeRegistry(pusher, ["ebay"]);
    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: "r1" });

    expect(await switchConnection(db, { shopId: shop.id, connectionId: connection.id, to: "disconnect" })).toEqual({ ok: true, status: "disconnected" });
    await adjustInventory(db, { shopId: shop.id, variantId: variant.id, locationId: east.id, delta: -1, actor: "test", reason: "sale" });
    const idle = await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: "r2" });
    expect(idle.outcome).toBe("not_connected");
    expect((await connectionById(db, connection.id)).status).toBe("disconnected");

    await switchConnection(db, { shopId: shop.id, connectionId: connection.id, to: "connect" });
    const jobs = await db.execute(sql`SELECT 1 FROM graphile_worker.jobs WHERE key = ${`stock-sync:${connection.id}`}`);
    expect(jobs.rows).toHaveLength(1);
    await syncConnectionStock({ db, connectors }, { shopId: shop.id, connectionId: connection.id }, { reference: "r3" });
    expect(pusher.calls.flatMap((c) => c.items.map((i) => i.available))).toEqual([8, 7]);
  });

  it("refuses to switch another shop's connection", async () => {
    const { db } = database;
    const { connection } = await listed();
    const other = await createShop(db);
    expect(await switchConnection(db, { shopId: other.id, connectionId: connection.id, to: "disconnect" })).toEqual({ ok: false, reason: "connection_not_found" });
  });
});
