import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { loader as healthz } from "../../app/routes/healthz";
import { createDatabaseClient } from "../../db/client";
import { webhookDeliveries } from "../../db/schema";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** Issue 7: /healthz said 200 while deliveries sat for hours, and printed SQL when the database was down. */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  await database.db.execute(sql`INSERT INTO worker_heartbeats (worker_id, seen_at) VALUES ('live-worker', now())`);
});
afterAll(() => setDatabaseForTests(undefined));

async function probe() {
  const response = await healthz();
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("/healthz", () => {
  it("is healthy with a live worker and nothing waiting beyond the bound", async () => {
    const shop = await createShop(database.db);
    await database.db.insert(webhookDeliveries).values({ shopId: shop.id, channel: "shopify", deliveryId: "fresh", topic: "orders/create", payload: {} });
    expect(await probe()).toMatchObject({ status: 200, body: { db: "ok", worker: "ok", deliveries: "ok" } });
  });

  it("turns unhealthy when a delivery has waited longer than the bound, and says how many", async () => {
    const shop = await createShop(database.db);
    await database.db.insert(webhookDeliveries).values({
      shopId: shop.id,
      channel: "shopify",
      deliveryId: "stuck",
      topic: "orders/create",
      payload: {},
      receivedAt: new Date(Date.now() - 4 * 3600_000),
    });
    const { status, body } = await probe();
    expect(status).toBe(503);
    expect(body).toMatchObject({ db: "ok", worker: "ok", deliveries: "stuck", deliveriesWaitingBeyondBound: 1 });
    expect(body.oldestWaitingSeconds).toBeGreaterThanOrEqual(4 * 3600 - 5);
  });

  it("says the database is down without printing SQL or connection details", async () => {
    const unreachable = createDatabaseClient("postgres://nobody:secret@127.0.0.1:1/nothing", { max: 1 });
    setDatabaseForTests(unreachable.db);
    try {
      const { status, body } = await probe();
      expect(status).toBe(503);
      expect(body).toEqual({ db: "down", worker: "unknown", deliveries: "unknown", version: expect.any(String) });
    } finally {
      setDatabaseForTests(database.db);
      await unreachable.close();
    }
  });
});
