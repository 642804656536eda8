import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { fillBackorders } from "../../db/repositories/backorder-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { exceptions, orders } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function statusOf(orderId: string) {
  const [row] = await database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
  return row!.status;
}

describe("filling backorders when stock becomes available", () => {
  it("reserves the missing units when stock is received and resolves the shortfall exception", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "BACK-1");
    await receive(db, shop.id, variant.id, location.id, 2);
    const order = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("BACK-1", 5)] }) });
    expect(order).toMatchObject({ status: "backordered", reserved: 2, shortfall: 3 });

    await receive(db, shop.id, variant.id, location.id, 10);
    const summary = await fillBackorders(db, shop.id);

    expect(summary).toMatchObject({ filled: 1, more: false });
    expect(await statusOf(order.orderId)).toBe("reserved");
    const open = await db.select().from(exceptions).where(and(eq(exceptions.orderId, order.orderId), eq(exceptions.status, "open")));
    expect(open).toEqual([]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("gives freed units to the oldest backordered order first", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "BACK-2");
    await receive(db, shop.id, variant.id, location.id, 1);
    const first = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ placedAt: new Date("2026-11-01T00:00:00Z"), lines: [line("BACK-2", 1)] }) });
    const older = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ placedAt: new Date("2026-10-01T00:00:00Z"), lines: [line("BACK-2", 1)] }) });
    const newer = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ placedAt: new Date("2026-11-15T00:00:00Z"), lines: [line("BACK-2", 1)] }) });
    expect([first.status, older.status, newer.status]).toEqual(["reserved", "backordered", "backordered"]);

    await receive(db, shop.id, variant.id, location.id, 1);
    await fillBackorders(db, shop.id);

    expect(await statusOf(older.orderId)).toBe("reserved");
    expect(await statusOf(newer.orderId)).toBe("backordered");
  });

  it("queues a backorder fill whenever units become available, not when they are reserved", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "BACK-3");
    const jobs = async () =>
      (await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`fill-backorders:${shop.id}`}`)).rows[0]!.count;
    await receive(db, shop.id, variant.id, location.id, 3);
    expect(await jobs()).toBe(1);
    await db.execute(sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${`fill-backorders:${shop.id}`}`);
    await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("BACK-3", 1)] }) });
    expect(await jobs()).toBe(0);
  });

  it("leaves orders that stock cannot help untouched", async () => {
    const { db } = database;
    const shop = await createShop(db);
    await createLocation(db, shop.id);
    const order = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("NO-SUCH-SKU", 1)] }) });
    const summary = await fillBackorders(db, shop.id);
    expect(summary.examined).toBe(0);
    expect(await statusOf(order.orderId)).toBe("backordered");
  });
});
