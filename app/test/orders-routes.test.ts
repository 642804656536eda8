import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { allocations, inventoryLevels, orderEvents, orders } from "../../db/schema";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { action as ordersAction, loader as ordersLoader } from "../routes/app.orders._index";
import { action as orderAction, loader as orderLoader } from "../routes/app.orders.$id";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
let warehouseId: string;
let storeId: string;
const orderIds: Record<string, string> = {};

/** 30 orders over 30 days across channels, all through the real ingest path (reservations included). */
beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const warehouse = await createLocation(db, shopId, { name: "Columbus DC", priority: 1 });
  const store = await createLocation(db, shopId, { name: "Brooklyn Store", kind: "store", priority: 50 });
  warehouseId = warehouse.id;
  storeId = store.id;
  const tee = await createVariant(db, shopId, "TEE-BLK-M");
  const mug = await createVariant(db, shopId, "MUG-WHT");
  await receive(db, shopId, tee.id, warehouse.id, 100);
  await receive(db, shopId, mug.id, store.id, 3);

  const channels = ["shopify", "amazon", "ebay", "woocommerce"] as const;
  for (let index = 0; index < 30; index++) {
    const channel = channels[index % channels.length]!;
    const number = `#${1000 + index}`;
    const result = await ingestOrder(db, {
      shopId,
      actor: "test",
      order: makeOrder({
        channel,
        externalId: `ext-${index}`,
        number,
        placedAt: new Date(Date.UTC(2026, 10, 1 + index, 12)),
        sourceUpdatedAt: new Date(Date.UTC(2026, 10, 1 + index, 12)),
        customer: { name: index === 7 ? "Grace Hopper" : "Ada Lovelace", email: `buyer${index}@example.com` },
        lines: [line(index === 29 ? "MUG-WHT" : "TEE-BLK-M", index === 29 ? 5 : 1)],
      }),
    });
    orderIds[number] = result.orderId;
  }
  // Another shop's order must never show up in the demo shop's admin.
  const otherShop = await createShop(db);
  const otherResult = await ingestOrder(db, {
    shopId: otherShop.id,
    actor: "test",
    order: makeOrder({ externalId: "other-1", number: "#OTHER", lines: [line("NOPE", 1)] }),
  });
  orderIds["#OTHER"] = otherResult.orderId;
});

describe("orders index loader", () => {
  it("lists the newest 25 orders first and pages on without repeating or skipping any", async () => {
    const first = await readJson(await callLoader(ordersLoader, "/app/orders"));
    expect(first.page.rows).toHaveLength(25);
    expect(first.page.rows[0]).toMatchObject({ number: "#1029", channel: "amazon", units: 5, status: "backordered" });
    expect(first.page.hasNextPage).toBe(true);
    expect(first.page.hasPreviousPage).toBe(false);

    const second = await readJson(
      await callLoader(ordersLoader, `/app/orders?cursor=${first.page.endCursor}&direction=after`),
    );
    expect(second.page.rows.map((row: { number: string }) => row.number)).toEqual(["#1004", "#1003", "#1002", "#1001", "#1000"]);
    expect(second.page.hasNextPage).toBe(false);
    expect(second.page.hasPreviousPage).toBe(true);

    const back = await readJson(
      await callLoader(ordersLoader, `/app/orders?cursor=${second.page.startCursor}&direction=before`),
    );
    expect(back.page.rows.map((row: { number: string }) => row.number)).toEqual(
      first.page.rows.map((row: { number: string }) => row.number),
    );
  });

  it("filters by channel, status and placed date range together", async () => {
    const response = await callLoader(ordersLoader, "/app/orders?channel=amazon&status=reserved&from=2026-11-01&to=2026-11-10");
    const { page } = await readJson(response);
    // Amazon orders are every 4th from index 1: Nov 2, 6, 10.
    expect(page.rows.map((row: { number: string }) => row.number)).toEqual(["#1009", "#1005", "#1001"]);
  });

  it("finds orders by customer name, email, order number and SKU", async () => {
    const byName = await readJson(await callLoader(ordersLoader, "/app/orders?q=grace"));
    expect(byName.page.rows.map((row: { number: string }) => row.number)).toEqual(["#1007"]);
    const byEmail = await readJson(await callLoader(ordersLoader, "/app/orders?q=buyer12%40example.com"));
    expect(byEmail.page.rows.map((row: { number: string }) => row.number)).toEqual(["#1012"]);
    const bySku = await readJson(await callLoader(ordersLoader, "/app/orders?q=MUG-WHT"));
    expect(bySku.page.rows.map((row: { number: string }) => row.number)).toEqual(["#1029"]);
    const byNumber = await readJson(await callLoader(ordersLoader, "/app/orders?q=%231015"));
    expect(byNumber.page.rows.map((row: { number: string }) => row.number)).toEqual(["#1015"]);
  });

  it("filters by the location holding an order's reservation", async () => {
    const { page } = await readJson(await callLoader(ordersLoader, `/app/orders?location=${storeId}`));
    expect(page.rows.map((row: { number: string }) => row.number)).toEqual(["#1029"]);
  });

  it("never shows another shop's orders", async () => {
    const { page } = await readJson(await callLoader(ordersLoader, "/app/orders?q=OTHER"));
    expect(page.rows).toEqual([]);
  });

  it("answers 400 with the reason for a filter it cannot read", async () => {
    const response = await thrownResponse(callLoader(ordersLoader, "/app/orders?status=lost&from=yesterday"));
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.message).toMatch(/status/);
    expect(body.message).toMatch(/from/);
  });
});

async function warehouseReserved(): Promise<number> {
  const [level] = await context.database.db
    .select({ reserved: inventoryLevels.reserved })
    .from(inventoryLevels)
    .where(eq(inventoryLevels.locationId, warehouseId));
  return level!.reserved;
}

describe("orders bulk actions", () => {
  it("puts reserved orders on hold and records who did it on the timeline", async () => {
    const targets = [orderIds["#1020"]!, orderIds["#1021"]!];
    const result = await readJson(await callAction(ordersAction, "/app/orders", { intent: "hold", orderId: targets }));

    expect(result.outcomes).toEqual([
      expect.objectContaining({ ok: true, from: "reserved", to: "on_hold" }),
      expect.objectContaining({ ok: true, from: "reserved", to: "on_hold" }),
    ]);
    const [held] = await context.database.db.select().from(orders).where(eq(orders.id, targets[0]!));
    expect(held!.status).toBe("on_hold");
    const events = await context.database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, targets[0]!), eq(orderEvents.kind, "hold")));
    expect(events).toEqual([expect.objectContaining({ actor: "user:demo", message: "Put on hold" })]);
  });

  it("releases a hold into the reservation decision, keeping what the order holds, and refuses orders not on hold", async () => {
    const reservedBefore = await warehouseReserved();
    const result = await readJson(
      await callAction(ordersAction, "/app/orders", { intent: "release_hold", orderId: [orderIds["#1020"]!, orderIds["#1022"]!] }),
    );
    // #1020 kept its reservation while on hold: released, it is fully reserved again, with no new units taken.
    expect(result.outcomes).toEqual([
      expect.objectContaining({ number: "#1020", ok: true, from: "on_hold", to: "reserved" }),
      expect.objectContaining({ number: "#1022", ok: false, reason: "order_not_on_hold" }),
    ]);
    expect(await warehouseReserved()).toBe(reservedBefore);
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
    const [untouched] = await context.database.db.select().from(orders).where(eq(orders.id, orderIds["#1022"]!));
    expect(untouched!.status).toBe("reserved");
  });

  it("cancels an order by releasing its reservation through the ledger", async () => {
    const orderId = orderIds["#1023"]!;
    const [before] = await context.database.db
      .select({ reserved: inventoryLevels.reserved })
      .from(inventoryLevels)
      .where(eq(inventoryLevels.locationId, warehouseId));

    const result = await readJson(await callAction(ordersAction, "/app/orders", { intent: "cancel", orderId: [orderId] }));

    expect(result.outcomes).toEqual([expect.objectContaining({ ok: true, to: "cancelled" })]);
    const [after] = await context.database.db
      .select({ reserved: inventoryLevels.reserved })
      .from(inventoryLevels)
      .where(eq(inventoryLevels.locationId, warehouseId));
    expect(after!.reserved).toBe(before!.reserved - 1);
    const held = await context.database.db.select().from(allocations).where(eq(allocations.orderId, orderId));
    expect(held.map((allocation) => allocation.status)).toEqual(["released"]);
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
  });

  it("refuses a bulk action without any selected order", async () => {
    const response = await callAction(ordersAction, "/app/orders", { intent: "hold" });
    expect(response.status).toBe(400);
    expect((await readJson(response)).error).toMatch(/select at least one order/);
  });

  it("refuses to act on another shop's order", async () => {
    const result = await readJson(await callAction(ordersAction, "/app/orders", { intent: "hold", orderId: [orderIds["#OTHER"]!] }));
    expect(result.outcomes).toEqual([expect.objectContaining({ ok: false, reason: "order_not_found" })]);
  });
});

describe("order page", () => {
  it("shows each line's reserved and short units and where they are reserved", async () => {
    const detail = await readJson(await callLoader(orderLoader, `/app/orders/${orderIds["#1029"]}`, { id: orderIds["#1029"]! }));
    expect(detail.order).toMatchObject({ number: "#1029", status: "backordered" });
    expect(detail.lines).toEqual([expect.objectContaining({ sku: "MUG-WHT", quantity: 5, reserved: 3, shipped: 0, short: 2 })]);
    expect(detail.allocations).toEqual([
      expect.objectContaining({ locationName: "Brooklyn Store", sku: "MUG-WHT", quantity: 3, status: "reserved" }),
    ]);
    expect(detail.events.map((event: { kind: string }) => event.kind)).toContain("received");
  });

  it("answers 404 for an order of another shop", async () => {
    const response = await thrownResponse(callLoader(orderLoader, "/app/orders/x", { id: orderIds["#OTHER"]! }));
    expect(response.status).toBe(404);
  });

  it("answers 400 for an id that is not an order id", async () => {
    const response = await thrownResponse(callLoader(orderLoader, "/app/orders/abc", { id: "abc" }));
    expect(response.status).toBe(400);
  });

  it("holds a single order from its page and explains a refused action", async () => {
    const orderId = orderIds["#1024"]!;
    const held = await callAction(orderAction, `/app/orders/${orderId}`, { intent: "hold" }, { id: orderId });
    expect(await readJson(held)).toEqual({ ok: true, reason: null });
    const again = await callAction(orderAction, `/app/orders/${orderId}`, { intent: "hold" }, { id: orderId });
    expect(again.status).toBe(409);
    expect(await readJson(again)).toEqual({ ok: false, reason: "order_already_on_hold" });
  });
});
