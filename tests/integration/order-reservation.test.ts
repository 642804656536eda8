import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { allocations, exceptions, inventoryMovements, orderEvents, orders } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, levelOf, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { CHANNELS } from "../../core/orders/unified-order";
import { reserveOrderLines } from "../../db/repositories/reservation-repository";
import { createConnection, createListing } from "../helpers/channel-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  // Enough connections for the races below to really run at once.
  database = await createTestDatabase({ max: 40 });
});

describe("reserving stock when orders arrive", () => {
  it("reserves exactly the 25 units there are when 100 orders from 4 channels race for them", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const east = await createLocation(db, shop.id, { name: "East", priority: 1 });
    const west = await createLocation(db, shop.id, { name: "West", priority: 2 });
    const variant = await createVariant(db, shop.id, "LAST-UNITS");
    await receive(db, shop.id, variant.id, east.id, 15);
    await receive(db, shop.id, variant.id, west.id, 10);

    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        ingestOrder(db, {
          shopId: shop.id,
          actor: "test",
          order: makeOrder({ channel: CHANNELS[i % 4]!, externalId: `race-${i}`, lines: [line("LAST-UNITS", 1)] }),
        }),
      ),
    );

    const reserved = results.reduce((sum, result) => sum + result.reserved, 0);
    expect(reserved).toBe(25);
    expect(results.filter((r) => r.status === "reserved")).toHaveLength(25);
    expect(results.filter((r) => r.status === "backordered")).toHaveLength(75);
    const levels = await levelOf(db, variant.id);
    expect(levels.reduce((sum, level) => sum + level.reserved, 0)).toBe(25);
    expect(levels.every((level) => level.reserved <= level.onHand)).toBe(true);
    const [{ allocated }] = (
      await db.execute<{ allocated: number }>(sql`SELECT coalesce(sum(quantity),0)::int AS allocated FROM allocations WHERE variant_id = ${variant.id} AND status = 'reserved'`)
    ).rows as [{ allocated: number }];
    expect(allocated).toBe(25);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
    // Every shortfall is visible to the merchant as an exception, not hidden.
    const shortfalls = await db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "partial_stock")));
    expect(shortfalls).toHaveLength(75);
  });

  it("creates one order and one reservation when the same order is ingested 10 times at once", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "DUP-SKU");
    await receive(db, shop.id, variant.id, location.id, 50);
    const order = makeOrder({ externalId: "same-order", lines: [line("DUP-SKU", 3)] });

    const results = await Promise.all(Array.from({ length: 10 }, () => ingestOrder(db, { shopId: shop.id, actor: "test", order })));

    expect(results.filter((r) => r.outcome === "created")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "unchanged")).toHaveLength(9);
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(await db.select().from(orders).where(eq(orders.shopId, shop.id))).toHaveLength(1);
    const held = await db.select().from(allocations).where(eq(allocations.variantId, variant.id));
    expect(held.reduce((sum, a) => sum + a.quantity, 0)).toBe(3);
    expect((await levelOf(db, variant.id))[0]!.reserved).toBe(3);
  });

  it("splits a line across locations rather than reserving only from the first", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const first = await createLocation(db, shop.id, { name: "First", priority: 1 });
    const second = await createLocation(db, shop.id, { name: "Second", priority: 2 });
    const variant = await createVariant(db, shop.id, "SPLIT");
    await receive(db, shop.id, variant.id, first.id, 2);
    await receive(db, shop.id, variant.id, second.id, 3);

    const result = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("SPLIT", 5)] }) });

    expect(result).toMatchObject({ status: "reserved", reserved: 5, shortfall: 0 });
    const held = await db.select().from(allocations).where(eq(allocations.orderId, result.orderId));
    expect(held.map((a) => [a.locationId, a.quantity]).sort()).toEqual([[first.id, 2], [second.id, 3]].sort());
  });

  it("never reserves safety stock or stock at a location that cannot ship", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const warehouse = await createLocation(db, shop.id, { name: "Warehouse" });
    const showroom = await createLocation(db, shop.id, { name: "Showroom", canShip: false });
    const variant = await createVariant(db, shop.id, "SAFE");
    await receive(db, shop.id, variant.id, warehouse.id, 5);
    await receive(db, shop.id, variant.id, showroom.id, 20);
    await db.execute(sql`UPDATE inventory_levels SET safety_stock = 2 WHERE location_id = ${warehouse.id}`);

    const result = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("SAFE", 4)] }) });

    expect(result).toMatchObject({ status: "backordered", reserved: 3, shortfall: 1 });
  });

  it("keeps an order with an unknown SKU and raises it for the merchant", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const result = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("NOT-IN-CATALOGUE", 1)] }) });

    expect(result.status).toBe("backordered");
    const raised = await db.select().from(exceptions).where(eq(exceptions.orderId, result.orderId));
    expect(raised.map((e) => e.kind)).toEqual(["unknown_sku"]);
  });

  it("holds a high-risk order after reserving its stock", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "RISKY");
    await receive(db, shop.id, variant.id, location.id, 5);
    const result = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({ lines: [line("RISKY", 1)], risk: { level: "high", reasons: ["card velocity"] } }),
    });
    expect(result).toMatchObject({ status: "on_hold", reserved: 1 });
    const raised = await db.select().from(exceptions).where(eq(exceptions.orderId, result.orderId));
    expect(raised.map((e) => e.kind)).toEqual(["high_risk"]);
  });

  it("writes the timeline and queues one coalesced stock sync with the reservation", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "TIMELINE");
    await receive(db, shop.id, variant.id, location.id, 5);
    // Stock sync jobs are per channel connection listing the variant (stock-sync:<connection>).
    const connection = await createConnection(db, shop.id, { locationIds: [location.id] });
    await createListing(db, shop.id, connection.id, variant.id);
    const syncJobs = async () =>
      (
        await db.execute<{ count: number }>(
          sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE task_identifier = 'inventory/sync' AND key = ${`stock-sync:${connection.id}`}`,
        )
      ).rows[0]!.count;
    // The listing queued its own sync; start from none so the job counted below is the reservations'.
    await db.execute(sql`SELECT graphile_worker.remove_job(${`stock-sync:${connection.id}`})`);
    expect(await syncJobs()).toBe(0);
    const first = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("TIMELINE", 1)] }) });
    await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("TIMELINE", 1)] }) });

    const events = await db.select().from(orderEvents).where(eq(orderEvents.orderId, first.orderId));
    expect(events.map((e) => e.kind)).toEqual(["received", "reservation", "status"]);
    // Two orders, two reservations: one coalesced job for the connection.
    expect(await syncJobs()).toBe(1);
  });

  it("releases the reservation when the channel cancels, and ignores an older version", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "CANCEL");
    await receive(db, shop.id, variant.id, location.id, 5);
    const placed = makeOrder({ externalId: "to-cancel", lines: [line("CANCEL", 2)] });
    const created = await ingestOrder(db, { shopId: shop.id, actor: "test", order: placed });

    const cancelled = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: { ...placed, cancelled: true, sourceUpdatedAt: new Date("2026-11-21T10:00:00Z") },
    });
    const stale = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: { ...placed, financialStatus: "pending", sourceUpdatedAt: new Date("2026-11-20T12:00:00Z") },
    });

    expect(cancelled).toMatchObject({ orderId: created.orderId, outcome: "updated", status: "cancelled" });
    expect(stale.outcome).toBe("unchanged");
    expect((await levelOf(db, variant.id))[0]).toMatchObject({ onHand: 5, reserved: 0 });
    const [order] = await db.select().from(orders).where(eq(orders.id, created.orderId));
    expect(order).toMatchObject({ status: "cancelled", financialStatus: "paid" });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });
});

describe("transactions", () => {
  it("leaves no movement, allocation or job behind when the transaction fails after reserving", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "ROLLBACK");
    await receive(db, shop.id, variant.id, location.id, 5);
    // The receipt queued a sync that committed; only what the failed transaction queued is in question.
    await db.execute(sql`SELECT graphile_worker.remove_job(${`inventory-sync:${shop.id}`})`);
    const movementsBefore = await db.select().from(inventoryMovements).where(eq(inventoryMovements.variantId, variant.id));

    await expect(
      db.transaction(async (tx) => {
        const [order] = await tx
          .insert(orders)
          .values({
            shopId: shop.id,
            channel: "shopify",
            externalId: randomUUID(),
            number: "#RB",
            status: "received",
            financialStatus: "paid",
            currency: "USD",
            subtotalMinor: 0,
            totalMinor: 0,
            placedAt: new Date(),
            sourceUpdatedAt: new Date(),
          })
          .returning();
        const { orderLines } = await import("../../db/schema");
        const [orderLine] = await tx
          .insert(orderLines)
          .values({ shopId: shop.id, orderId: order!.id, externalLineId: "1", sku: "ROLLBACK", title: "x", quantity: 2, unitPriceMinor: 0, variantId: variant.id })
          .returning();
        const plan = await reserveOrderLines(tx, { shopId: shop.id, orderId: order!.id, actor: "test", lines: [{ lineId: orderLine!.id, variantId: variant.id, quantity: 2 }] });
        expect(plan.status).toBe("complete");
        const { scheduleStockSync } = await import("../../db/repositories/stock-ledger-repository");
        await scheduleStockSync(tx, shop.id);
        throw new Error("crash after reserving");
      }),
    ).rejects.toThrow("crash after reserving");

    expect(await db.select().from(inventoryMovements).where(eq(inventoryMovements.variantId, variant.id))).toEqual(movementsBefore);
    expect(await db.select().from(allocations).where(eq(allocations.variantId, variant.id))).toEqual([]);
    expect((await levelOf(db, variant.id))[0]!.reserved).toBe(0);
    const jobs = await db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`inventory-sync:${shop.id}`}`);
    expect(jobs.rows[0]!.count).toBe(0);
  });
});
