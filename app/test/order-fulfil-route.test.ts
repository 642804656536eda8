import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { inventoryLevels, inventoryMovements, orderEvents, orders, shipments } from "../../db/schema";
import { createLocation, createVariant, ledgerMismatches, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { action as orderAction } from "../routes/app.orders.$id";
import { callAction, readJson, useDemoAdmin } from "./route-test-kit";

/** "Mark as fulfilled" on the order page: validation, shipping through the ledger, the channel job. */

const context = useDemoAdmin();
let eastId: string;
let westId: string;
let splitOrderId: string;
let shortOrderId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  eastId = (await createLocation(db, shopId, { name: "East DC", priority: 1 })).id;
  westId = (await createLocation(db, shopId, { name: "West DC", priority: 2 })).id;
  const tee = await createVariant(db, shopId, "TEE");
  const mug = await createVariant(db, shopId, "MUG");
  await receive(db, shopId, tee.id, eastId, 10);
  await receive(db, shopId, mug.id, westId, 1);
  const split = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: "gid://shopify/Order/1", number: "#F1", lines: [line("TEE", 2), line("MUG", 1)] }),
  });
  expect(split.status).toBe("reserved");
  splitOrderId = split.orderId;
  const short = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: "gid://shopify/Order/2", number: "#F2", lines: [line("MUG", 3)] }),
  });
  expect(short.status).toBe("backordered");
  shortOrderId = short.orderId;
});

const fulfil = (orderId: string, form: Record<string, string>) =>
  callAction(orderAction, `/app/orders/${orderId}`, { intent: "fulfil", ...form }, { id: orderId });

async function shipmentsOf(orderId: string) {
  return context.database.db.select().from(shipments).where(eq(shipments.orderId, orderId));
}

describe("mark as fulfilled", () => {
  it("answers 400 with a message per field and changes nothing", async () => {
    const empty = await fulfil(splitOrderId, { carrier: "", trackingNumber: "  ", trackingUrl: "" });
    expect(empty.status).toBe(400);
    expect(await readJson(empty)).toEqual({
      ok: false,
      reason: "invalid_fulfilment",
      fieldErrors: { carrier: "Choose a carrier", trackingNumber: "Enter the tracking number" },
    });

    const bad = await fulfil(splitOrderId, { carrier: "Pigeon", trackingNumber: "1Z#99", trackingUrl: "ups.com/track" });
    expect(bad.status).toBe(400);
    expect((await readJson(bad)).fieldErrors).toEqual({
      carrier: "Choose a carrier",
      trackingNumber: "Use only letters, digits and dashes",
      trackingUrl: "Enter a full URL, starting with https://",
    });
    expect(await shipmentsOf(splitOrderId)).toEqual([]);
  });

  it("refuses an order that is not fully reserved, with the state machine's reason", async () => {
    const response = await fulfil(shortOrderId, { carrier: "UPS", trackingNumber: "1Z1" });
    expect(response.status).toBe(409);
    expect(await readJson(response)).toEqual({ ok: false, reason: "order_not_fully_reserved" });
    expect(await shipmentsOf(shortOrderId)).toEqual([]);
  });

  it("ships one parcel per location with the same tracking, through the ledger, and queues each confirmation", async () => {
    const { db } = context.database;
    const response = await fulfil(splitOrderId, { carrier: "UPS", trackingNumber: "1Z 999 AA1 0123456784", trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784" });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toMatchObject({ ok: true, reason: null });
    expect(body.shipmentIds).toHaveLength(2);

    const parcels = await shipmentsOf(splitOrderId);
    expect(parcels.map((s) => s.locationId).sort()).toEqual([eastId, westId].sort());
    for (const parcel of parcels) {
      expect(parcel).toMatchObject({ status: "shipped", carrier: "UPS", service: "Manual", trackingNumber: "1Z999AA10123456784", trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784" });
    }
    const [order] = await db.select({ status: orders.status }).from(orders).where(eq(orders.id, splitOrderId));
    expect(order!.status).toBe("shipped");

    const ships = await db.select().from(inventoryMovements).where(and(eq(inventoryMovements.shopId, context.demoShop.id), eq(inventoryMovements.kind, "ship")));
    expect(ships.map((m) => [m.onHandDelta, m.reservedDelta]).sort()).toEqual([[-1, -1], [-2, -2]]);
    const levels = await db.select().from(inventoryLevels).where(eq(inventoryLevels.shopId, context.demoShop.id));
    expect(levels.map((l) => [l.onHand, l.reserved]).sort()).toEqual([[0, 0], [8, 0]]);
    expect(await ledgerMismatches(db, context.demoShop.id)).toEqual([]);

    const jobs = await db.execute<{ key: string; payload: { shipmentId: string }; max_attempts: number }>(sql`
      SELECT j.key, j.payload, j.max_attempts
        FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = 'channels/confirm-fulfillment' AND j.payload->>'shopId' = ${context.demoShop.id}`);
    expect(jobs.rows.map((j) => j.payload.shipmentId).sort()).toEqual(parcels.map((s) => s.id).sort());
    expect(jobs.rows.every((j) => j.key === `channels/confirm-fulfillment:${j.payload.shipmentId}` && j.max_attempts === 8)).toBe(true);

    const events = await db.select().from(orderEvents).where(and(eq(orderEvents.orderId, splitOrderId), eq(orderEvents.kind, "shipped")));
    expect(events.map((e) => e.actor)).toEqual(["user:demo", "user:demo"]);

    const again = await fulfil(splitOrderId, { carrier: "UPS", trackingNumber: "1Z2" });
    expect(again.status).toBe(409);
  });
});
