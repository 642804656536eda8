import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { exceptions, inventoryLevels, orderEvents, orders } from "../../db/schema";
import { createConnection, createListing } from "../../tests/helpers/channel-fixtures";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { loader as channelsLoader } from "../routes/app.channels";
import { action as exceptionsAction, loader as exceptionsLoader } from "../routes/app.exceptions";
import { callAction, callLoader, readJson, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
let shortOrderId: string;
let variantId: string;
let warehouseId: string;
const exceptionIds: Record<string, string> = {};

/**
 * A real shortfall through the ingest path (5 ordered, 2 in stock) plus a failed stock push
 * and an already resolved exception.
 */
beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  warehouseId = (await createLocation(db, shopId, { name: "Columbus DC" })).id;
  variantId = (await createVariant(db, shopId, "MUG-WHT")).id;
  await receive(db, shopId, variantId, warehouseId, 2);
  const ingested = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ channel: "amazon", externalId: "A-1", number: "113-0000001", lines: [line("MUG-WHT", 5)] }),
  });
  shortOrderId = ingested.orderId;

  await db.insert(exceptions).values([
    { shopId, kind: "sync_failed", message: "eBay push failed", createdAt: new Date(Date.now() + 1_000) },
    { shopId, kind: "unknown_sku", message: "SKU X not in catalogue", status: "resolved" },
  ]);
  for (const row of await db.select().from(exceptions).where(eq(exceptions.shopId, shopId))) exceptionIds[row.kind] = row.id;
  const other = await createShop(db);
  await db.insert(exceptions).values({ shopId: other.id, kind: "sync_failed", message: "Not yours" });
});

describe("exceptions queue", () => {
  it("lists open exceptions oldest first with their order, and counts them by cause", async () => {
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    expect(page.rows.map((row: { kind: string }) => row.kind)).toEqual(["partial_stock", "sync_failed"]);
    expect(page.rows[0]).toMatchObject({
      orderId: shortOrderId,
      orderNumber: "113-0000001",
      orderStatus: "backordered",
      retryCount: 0,
      message: "Short: MUG-WHT 2/5",
    });
    expect(page.countsByKind).toEqual([
      { kind: "partial_stock", count: 1 },
      { kind: "sync_failed", count: 1 },
    ]);
    expect(page.total).toBe(2);
  });

  it("filters the queue by cause", async () => {
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions?kind=sync_failed"));
    expect(page.rows.map((row: { message: string }) => row.message)).toEqual(["eBay push failed"]);
  });

  it("retries a shortfall that stock cannot cover yet: counted, noted on the timeline, still open", async () => {
    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.partial_stock! });
    expect(await readJson(response)).toEqual({ ok: true, message: "Retry 1 of Partial stock: reserved 0 more; 3 still short." });
    const [row] = await context.database.db.select().from(exceptions).where(eq(exceptions.id, exceptionIds.partial_stock!));
    expect(row).toMatchObject({ retryCount: 1, status: "open" });
    const events = await context.database.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, shortOrderId), eq(orderEvents.kind, "exception_retry")));
    expect(events).toEqual([expect.objectContaining({ actor: "user:demo" })]);
  });

  it("retries a shortfall after stock arrived: reserves the missing units and closes the exception", async () => {
    await receive(context.database.db, context.demoShop.id, variantId, warehouseId, 10);

    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.partial_stock! });

    expect((await readJson(response)).message).toBe(
      "Retry 2 of Partial stock: reserved 3 more units; the order is fully reserved and the exception is resolved.",
    );
    const [order] = await context.database.db.select().from(orders).where(eq(orders.id, shortOrderId));
    expect(order!.status).toBe("reserved");
    const [level] = await context.database.db.select().from(inventoryLevels).where(eq(inventoryLevels.variantId, variantId));
    expect(level).toMatchObject({ onHand: 12, reserved: 5 });
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    expect(page.rows.map((row: { kind: string }) => row.kind)).toEqual(["sync_failed"]);
  });

  it("retries a failed stock push by queueing a stock sync in the same transaction", async () => {
    // The shortfall retry above queued a sync already; start from none to see this one's.
    // Stock sync jobs are one per channel connection (stock-sync:<connection id>): give the shop one with a listing.
    const ebay = await createConnection(context.database.db, context.demoShop.id, { channel: "ebay", name: "eBay retry", locationIds: [warehouseId] });
    await createListing(context.database.db, context.demoShop.id, ebay.id, variantId, { externalId: "ebay:MUG-WHT" });
    await context.database.db.execute(
      sql`select graphile_worker.remove_job('stock-sync:' || id) from channel_connections where shop_id = ${context.demoShop.id}`,
    );
    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.sync_failed! });
    expect((await readJson(response)).message).toBe("Retry 1 of Sync failed: a stock sync to every channel is queued.");
    const jobs = await context.database.db.execute<{ key: string }>(
      sql`select key from graphile_worker.jobs where task_identifier = 'inventory/sync' order by key`,
    );
    // Every connected connection with listings is told every figure again: one job each.
    const expected = await context.database.db.execute<{ key: string }>(
      sql`select distinct 'stock-sync:' || c.id as key from channel_connections c join channel_listings l on l.connection_id = c.id
           where c.shop_id = ${context.demoShop.id} and c.status = 'connected' order by 1`,
    );
    expect(expected.rows.map((row) => row.key)).toContain(`stock-sync:${ebay.id}`);
    expect(jobs.rows.map((row) => row.key)).toEqual(expected.rows.map((row) => row.key));
    // The pages tested next list the shop's connections: leave it as it was.
    await context.database.db.execute(sql`delete from channel_connections where id = ${ebay.id}`);
  });

  it("resolves an exception so it leaves the open queue, recording who resolved it", async () => {
    await callAction(exceptionsAction, "/app/exceptions", { intent: "resolve", exceptionId: exceptionIds.sync_failed! });
    const [row] = await context.database.db.select().from(exceptions).where(eq(exceptions.id, exceptionIds.sync_failed!));
    expect(row).toMatchObject({ status: "resolved", resolvedBy: "user:demo" });
    expect(row!.resolvedAt).toBeInstanceOf(Date);
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    expect(page.rows).toEqual([]);
  });

  it("refuses to act on an exception that is already resolved", async () => {
    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.unknown_sku! });
    expect(response.status).toBe(409);
    expect((await readJson(response)).message).toBe("Exception not open");
  });
});

describe("channels page", () => {
  it("lists every channel connection with the locations feeding it and when its last order arrived", async () => {
    const { db } = context.database;
    await createConnection(db, context.demoShop.id, { channel: "amazon", name: "Amazon US", status: "error", locationIds: [warehouseId] });
    const [order] = await db.select({ createdAt: orders.createdAt }).from(orders).where(eq(orders.id, shortOrderId));
    const { connections } = await readJson(await callLoader(channelsLoader, "/app/channels"));
    expect(connections).toEqual([
      expect.objectContaining({
        channel: "amazon",
        name: "Amazon US",
        status: "error",
        locationNames: ["Columbus DC"],
        listings: 0,
        ordersLast7Days: expect.any(Number),
        lastOrderAt: order!.createdAt.toISOString(),
        lastPushAt: null,
      }),
    ]);
  });
});
