import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { allocations, orders, shipments } from "../../db/schema";
import { createLocation, createVariant, ledgerMismatches, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { action as orderAction, loader as orderLoader } from "../routes/app.orders.$id";
import { callAction, callLoader, readJson, useDemoAdmin } from "./route-test-kit";

/** The order page's shipping buttons: buy labels (one shipment per location), mark shipped, void. */

const context = useDemoAdmin();
let orderId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const east = await createLocation(db, shopId, { name: "East DC", priority: 1 });
  const west = await createLocation(db, shopId, { name: "West DC", priority: 2 });
  const tee = await createVariant(db, shopId, "TEE");
  const mug = await createVariant(db, shopId, "MUG");
  await receive(db, shopId, tee.id, east.id, 5);
  await receive(db, shopId, mug.id, west.id, 5);
  const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId: "gid://shopify/Order/77", number: "#S1", lines: [line("TEE", 1), line("MUG", 2)] }) });
  orderId = ingested.orderId;
});

const act = (form: Record<string, string>) => callAction(orderAction, `/app/orders/${orderId}`, form, { id: orderId });

describe("shipping from the order page", () => {
  it("plans one shipment per location and queues each label purchase", async () => {
    const response = await act({ intent: "buy_labels" });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ ok: true, message: "Buying 2 label(s)" });
    const rows = await context.database.db.select().from(shipments).where(eq(shipments.orderId, orderId));
    expect(rows.map((r) => r.status)).toEqual(["pending", "pending"]);
    const jobs = await context.database.db.execute(sql`SELECT key FROM graphile_worker._private_jobs WHERE key LIKE 'shipping/buy-label:%'`);
    expect(jobs.rows).toHaveLength(2);
    // Nothing left to plan: a second click is refused with the reason.
    const again = await act({ intent: "buy_labels" });
    expect(again.status).toBe(409);
    expect(await readJson(again)).toMatchObject({ ok: false, reason: "nothing_to_ship" });

    const detail = await readJson(await callLoader(orderLoader, `/app/orders/${orderId}`, { id: orderId }));
    expect(detail.shipments).toHaveLength(2);
    expect(detail.allocations.every((a: { shipmentId: string | null }) => a.shipmentId)).toBe(true);
  });

  it("refuses bad input and actions that do not fit the shipment", async () => {
    expect((await act({ intent: "void_label", shipmentId: "nope" })).status).toBe(400);
    const [first] = await context.database.db.select().from(shipments).where(eq(shipments.orderId, orderId));
    const voided = await act({ intent: "void_label", shipmentId: first!.id });
    expect(await readJson(voided)).toMatchObject({ ok: false, reason: "no_label_to_void" });
    // The manual form is closed once labels are being bought.
    const manual = await act({ intent: "fulfil", carrier: "UPS", trackingNumber: "1Z999", trackingUrl: "" });
    expect(await readJson(manual)).toMatchObject({ ok: false, reason: "shipments_planned" });
  });

  it("marks one shipment shipped through the ledger, then the other, and the order follows", async () => {
    const rows = await context.database.db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(shipments.id);
    expect(await readJson(await act({ intent: "mark_shipped", shipmentId: rows[0]!.id }))).toMatchObject({ ok: true, message: "Shipped" });
    const [partial] = await context.database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    expect(partial!.status).toBe("partially_shipped");
    expect(await readJson(await act({ intent: "mark_shipped", shipmentId: rows[0]!.id }))).toMatchObject({ ok: true, message: "Already shipped" });
    await act({ intent: "mark_shipped", shipmentId: rows[1]!.id });
    const [done] = await context.database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    expect(done!.status).toBe("shipped");
    const states = await context.database.db.select({ status: allocations.status }).from(allocations).where(eq(allocations.orderId, orderId));
    expect(states.every((a) => a.status === "shipped")).toBe(true);
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
  });
});
