import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { exceptions, orderEvents, orders } from "../../db/schema";
import { createShop } from "../../tests/helpers/ledger-fixtures";
import { action as exceptionsAction, loader as exceptionsLoader } from "../routes/app.exceptions";
import { loader as channelsLoader } from "../routes/app.channels";
import { callAction, callLoader, readJson, useDemoAdmin } from "./route-test-kit";
import { createConnection } from "../../tests/helpers/channel-fixtures";

const context = useDemoAdmin();
let orderId: string;
const exceptionIds: Record<string, string> = {};

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const [order] = await db
    .insert(orders)
    .values({
      shopId,
      channel: "amazon",
      externalId: "A-1",
      number: "113-0000001",
      status: "backordered",
      financialStatus: "paid",
      currency: "USD",
      subtotalMinor: 1000,
      totalMinor: 1000,
      placedAt: new Date("2026-11-20T10:00:00Z"),
      sourceUpdatedAt: new Date("2026-11-20T10:00:00Z"),
    })
    .returning();
  orderId = order!.id;
  const rows = await db
    .insert(exceptions)
    .values([
      { shopId, orderId, kind: "partial_stock", message: "2 of 5 units short", createdAt: new Date("2026-11-20T10:00:00Z") },
      { shopId, kind: "sync_failed", message: "eBay push failed", createdAt: new Date("2026-11-21T10:00:00Z") },
      { shopId, kind: "unknown_sku", message: "SKU X not in catalogue", status: "resolved", createdAt: new Date("2026-11-19T10:00:00Z") },
    ])
    .returning();
  for (const row of rows) exceptionIds[row.kind] = row.id;
  const other = await createShop(db);
  await db.insert(exceptions).values({ shopId: other.id, kind: "sync_failed", message: "Not yours" });
});

describe("exceptions queue", () => {
  it("lists open exceptions oldest first with their order, and counts them by cause", async () => {
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    expect(page.rows.map((row: { kind: string }) => row.kind)).toEqual(["partial_stock", "sync_failed"]);
    expect(page.rows[0]).toMatchObject({ orderId, orderNumber: "113-0000001", orderStatus: "backordered", retryCount: 0 });
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

  it("counts a retry and notes it on the order's timeline", async () => {
    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.partial_stock! });
    expect(await readJson(response)).toMatchObject({ ok: true });
    const [row] = await context.database.db.select().from(exceptions).where(eq(exceptions.id, exceptionIds.partial_stock!));
    expect(row!.retryCount).toBe(1);
    const events = await context.database.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));
    expect(events).toEqual([expect.objectContaining({ kind: "exception_retry", actor: "user:demo" })]);
  });

  it("resolves an exception so it leaves the open queue, recording who resolved it", async () => {
    await callAction(exceptionsAction, "/app/exceptions", { intent: "resolve", exceptionId: exceptionIds.sync_failed! });
    const [row] = await context.database.db.select().from(exceptions).where(eq(exceptions.id, exceptionIds.sync_failed!));
    expect(row).toMatchObject({ status: "resolved", resolvedBy: "user:demo" });
    expect(row!.resolvedAt).toBeInstanceOf(Date);
    const { page } = await readJson(await callLoader(exceptionsLoader, "/app/exceptions"));
    expect(page.rows.map((exception: { kind: string }) => exception.kind)).toEqual(["partial_stock"]);
  });

  it("refuses to act on an exception that is already resolved", async () => {
    const response = await callAction(exceptionsAction, "/app/exceptions", { intent: "retry", exceptionId: exceptionIds.unknown_sku! });
    expect(response.status).toBe(409);
    expect((await readJson(response)).message).toBe("Exception not open");
  });
});

describe("channels page", () => {
  it("lists every channel connection with the locations feeding it and its sync state", async () => {
    const { db } = context.database;
    await createConnection(db, context.demoShop.id, { channel: "amazon", name: "Amazon US", status: "error", locationIds: [] });
    const { connections } = await readJson(await callLoader(channelsLoader, "/app/channels"));
    expect(connections).toEqual([
      expect.objectContaining({
        channel: "amazon",
        name: "Amazon US",
        status: "error",
        locationNames: [],
        listings: 0,
        lastPushAt: null,
      }),
    ]);
  });
});
