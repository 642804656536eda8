import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { action as ordersEdited } from "../../app/routes/webhooks.orders.edited";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { allocations, channelConnections, channelListings, exceptions, inventoryLevels, inventoryMovements, orderEvents, orderLines, orders, variants, webhookDeliveries } from "../../db/schema";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

let database: TestDatabase;
let shopId: string;
const SHOP = "webhooks-edits.myshopify.com";
const variantIds: Record<string, string> = {};
const TEE_VARIANT = 39072856001;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const { db } = database;
  const shop = await createShop(db, SHOP);
  shopId = shop.id;
  const [connection] = await db.insert(channelConnections).values({ shopId, channel: "shopify", name: SHOP }).returning();
  const location = await createLocation(db, shopId, { name: "Columbus DC" });
  for (const [sku, units] of [["IPOD2008PINK", 20], ["MUG-BLK-11OZ", 20], ["TEE-BLK-M", 3]] as const) {
    const variant = await createVariant(db, shopId, sku);
    await receive(db, shopId, variant.id, location.id, units);
    variantIds[sku] = variant.id;
  }
  // Listed on Shopify, so every stock change marks them for the next push.
  await db.insert(channelListings).values(
    Object.entries(variantIds).map(([sku, variantId]) => ({ shopId, connectionId: connection!.id, variantId, externalId: `gid://shopify/InventoryItem/${sku}` })),
  );
  // The tee is known by its Shopify variant id only (a blank SKU on the order).
  await db.update(variants).set({ externalId: `gid://shopify/ProductVariant/${TEE_VARIANT}` }).where(eq(variants.id, variantIds["TEE-BLK-M"]!));
});
afterAll(() => setDatabaseForTests(undefined));

type Action = typeof ordersCreate;
/** Posts the payload signed; ids written as digit strings go out as bare JSON numbers, as Shopify sends them. */
async function deliver(action: Action, topic: string, payload: unknown, triggeredAt?: string) {
  const body = JSON.stringify(payload).replace(/"(id|order_id)":"(\d+)"/g, '"$1":$2');
  const { response, deliveryId } = await postWebhook(action, { topic, shopDomain: SHOP, body, ...(triggeredAt ? { triggeredAt } : {}) });
  expect(response.status).toBe(200);
  const [row] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
  const outcome = await processWebhookDelivery({ db: database.db }, row!.id);
  const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, row!.id));
  return { outcome, row: after! };
}

/** The fixture order (iPod ×1, mug ×2) with these line quantities and extra lines. */
function orderPayload(id: string, quantities: { ipod: number; mug: number }, updatedAt: string, extraLines: unknown[] = []) {
  const base = orderWebhookPayload({ id, updated_at: updatedAt });
  const [ipod, mug] = base.line_items as Record<string, unknown>[];
  return {
    ...base,
    line_items: [
      { ...ipod, current_quantity: quantities.ipod, fulfillable_quantity: quantities.ipod },
      { ...mug, current_quantity: quantities.mug, fulfillable_quantity: quantities.mug },
      ...extraLines,
    ],
  };
}

function teeLine(quantity: number) {
  return {
    id: 14820190999001,
    admin_graphql_api_id: "gid://shopify/LineItem/14820190999001",
    current_quantity: quantity,
    fulfillable_quantity: quantity,
    gift_card: false,
    price: "25.00",
    quantity,
    requires_shipping: true,
    sku: "",
    title: "Tee",
    variant_id: TEE_VARIANT,
    tax_lines: [],
    discount_allocations: [],
  };
}

async function reserved(sku: string): Promise<number> {
  const rows = await database.db.select().from(inventoryLevels).where(eq(inventoryLevels.variantId, variantIds[sku]!));
  return rows.reduce((sum, level) => sum + level.reserved, 0);
}

async function orderOf(id: string) {
  const [order] = await database.db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.externalId, `gid://shopify/Order/${id}`)));
  return order!;
}

async function heldPerLine(orderId: string) {
  const rows = await database.db.execute<{ title: string; quantity: number; held: number }>(sql`
    SELECT l.title, l.quantity, coalesce(sum(a.quantity) FILTER (WHERE a.status = 'reserved'), 0)::int AS held
      FROM order_lines l LEFT JOIN allocations a ON a.order_line_id = l.id
     WHERE l.order_id = ${orderId} GROUP BY l.id ORDER BY l.title`);
  return rows.rows.map((r) => [r.title, r.quantity, r.held]);
}

describe("Shopify order edits are followed through the ledger", () => {
  it("orders/updated that removes and adds units releases and reserves them, and matches a new blank-SKU line by variant id", async () => {
    await deliver(ordersCreate, "orders/create", orderPayload("8001", { ipod: 1, mug: 2 }, "2026-11-20T14:05:13-05:00"));
    const created = await orderOf("8001");
    expect(created.status).toBe("reserved");
    expect([await reserved("IPOD2008PINK"), await reserved("MUG-BLK-11OZ")]).toEqual([1, 2]);
    await database.db.execute(sql`DELETE FROM stock_sync_dirty`);

    const { row } = await deliver(ordersUpdated, "orders/updated", orderPayload("8001", { ipod: 0, mug: 3 }, "2026-11-20T15:00:00-05:00", [teeLine(2)]));
    expect(row).toMatchObject({ status: "processed", error: null });
    const order = await orderOf("8001");
    expect(order.status).toBe("reserved");
    expect(await heldPerLine(order.id)).toEqual([
      ["IPod Nano - 8GB", 0, 0],
      ["Switchyard Mug", 3, 3],
      ["Tee", 2, 2],
    ]);
    expect([await reserved("IPOD2008PINK"), await reserved("MUG-BLK-11OZ"), await reserved("TEE-BLK-M")]).toEqual([0, 3, 2]);
    const moves = await database.db
      .select({ kind: inventoryMovements.kind, quantity: inventoryMovements.quantity, variantId: inventoryMovements.variantId })
      .from(inventoryMovements)
      .where(and(eq(inventoryMovements.shopId, shopId), sql`${inventoryMovements.kind} IN ('reserve', 'release')`))
      .orderBy(inventoryMovements.id);
    expect(moves.slice(2).map((m) => [m.kind, m.quantity, m.variantId])).toEqual([
      ["release", 1, variantIds["IPOD2008PINK"]],
      ["reserve", 1, variantIds["MUG-BLK-11OZ"]],
      ["reserve", 2, variantIds["TEE-BLK-M"]],
    ]);
    const [edited] = await database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.kind, "lines_edited")));
    expect(edited!.message).toBe("Lines edited on Shopify: +1 Switchyard Mug (2 → 3), −1 IPod Nano - 8GB (1 → 0), +2 Tee (new line); released 1 unit, reserved 3");
    // The released units and the new reservation reach the channels through the dirty set.
    const dirty = await database.db.execute<{ variant_id: string }>(sql`SELECT DISTINCT variant_id FROM stock_sync_dirty`);
    expect(dirty.rows.map((r) => r.variant_id)).toEqual(expect.arrayContaining(Object.values(variantIds)));
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);

    // The same state delivered again changes nothing; an older one is ignored.
    const again = await deliver(ordersUpdated, "orders/updated", orderPayload("8001", { ipod: 0, mug: 3 }, "2026-11-20T15:00:00-05:00", [teeLine(2)]));
    expect(again.row.status).toBe("ignored_stale");
    const older = await deliver(ordersUpdated, "orders/updated", orderPayload("8001", { ipod: 1, mug: 1 }, "2026-11-20T14:30:00-05:00"));
    expect(older.row.status).toBe("ignored_stale");
    expect(await heldPerLine(order.id)).toEqual([
      ["IPod Nano - 8GB", 0, 0],
      ["Switchyard Mug", 3, 3],
      ["Tee", 2, 2],
    ]);
  });

  it("an edit asking for more than is in stock sends the order back to backordered with the shortfall raised", async () => {
    await deliver(ordersCreate, "orders/create", orderPayload("8002", { ipod: 1, mug: 1 }, "2026-11-20T14:05:13-05:00"));
    // One tee is left (two went to 8001); the edit wants three.
    await deliver(ordersUpdated, "orders/updated", orderPayload("8002", { ipod: 1, mug: 1 }, "2026-11-20T15:00:00-05:00", [teeLine(3)]));
    const order = await orderOf("8002");
    expect(order.status).toBe("backordered");
    expect(await reserved("TEE-BLK-M")).toBe(3);
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, order.id), eq(exceptions.status, "open")));
    expect(raised.map((e) => e.kind)).toEqual(["partial_stock"]);
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });

  it("orders/edited applies its deltas to known lines at once; the orders/updated of the same edit then changes nothing", async () => {
    await deliver(ordersCreate, "orders/create", orderPayload("8003", { ipod: 2, mug: 2 }, "2026-11-20T14:05:13-05:00"), "2026-11-20T19:05:14Z");
    const order = await orderOf("8003");
    const ipodBefore = await reserved("IPOD2008PINK");
    const mugBefore = await reserved("MUG-BLK-11OZ");
    const edit = {
      order_edit: {
        id: 987654321,
        app_id: null,
        created_at: "2026-11-20T15:59:00-05:00",
        committed_at: "2026-11-20T16:00:00-05:00",
        notify_customer: false,
        order_id: 8003,
        staff_note: "",
        user_id: 74502111316,
        line_items: {
          // Beyond 2^53: written as strings here so JavaScript does not round them before sending.
          additions: [{ id: "141249953214522974", delta: 1 }, { id: "14820190999777", delta: 1 }],
          removals: [{ id: "866550311766439020", delta: 2 }],
        },
        discounts: { line_item: { additions: [], removals: [] } },
        shipping_lines: { additions: [], removals: [] },
      },
    };
    const edited = await deliver(ordersEdited, "orders/edited", edit, "2026-11-20T21:00:01Z");
    expect(edited.row).toMatchObject({ status: "processed", resourceId: "gid://shopify/OrderEdit/987654321" });
    expect(await reserved("IPOD2008PINK")).toBe(ipodBefore - 2);
    expect(await reserved("MUG-BLK-11OZ")).toBe(mugBefore + 1);
    const pending = await database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.kind, "lines_added_pending")));
    expect(pending[0]!.message).toContain("added 1 line not held yet");

    // Shopify's orders/updated for the same edit, triggered a moment earlier: not stale, applies only the new line.
    const followUp = await deliver(
      ordersUpdated,
      "orders/updated",
      orderPayload("8003", { ipod: 0, mug: 3 }, "2026-11-20T16:00:00-05:00", [{ ...teeLine(0), id: 14820190999777, admin_graphql_api_id: "gid://shopify/LineItem/14820190999777", current_quantity: 1, quantity: 1, fulfillable_quantity: 1, variant_id: 39072856999 }]),
      "2026-11-20T21:00:00Z",
    );
    expect(followUp.row.status).toBe("processed");
    expect(await reserved("IPOD2008PINK")).toBe(ipodBefore - 2);
    expect(await reserved("MUG-BLK-11OZ")).toBe(mugBefore + 1);
    // The new line's variant is unknown: kept on the order and flagged, not dropped.
    const lines = await database.db.select().from(orderLines).where(eq(orderLines.orderId, order.id));
    expect(lines).toHaveLength(3);
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, order.id), eq(exceptions.status, "open")));
    expect(raised.map((e) => e.kind)).toEqual(["unknown_sku"]);
    expect((await orderOf("8003")).status).toBe("backordered");

    // The edit delivered again later (a new event id) is already in the order held: ignored.
    const late = await deliver(ordersEdited, "orders/edited", edit, "2026-11-20T21:00:01Z");
    expect(late.row.status).toBe("ignored_stale");
    expect(await reserved("MUG-BLK-11OZ")).toBe(mugBefore + 1);
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });

  it("on a shipped order, fewer units (a refund) are only noted; added units become an exception; no stock moves", async () => {
    await deliver(ordersCreate, "orders/create", orderPayload("8004", { ipod: 1, mug: 1 }, "2026-11-20T14:05:13-05:00"));
    const order = await orderOf("8004");
    const shipped = await shipReservedOrder(database.db, {
      shopId,
      orderId: order.id,
      actor: "test",
      shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: "1Z999" }),
      confirmOnChannel: false,
    });
    expect(shipped.ok).toBe(true);
    const movementsBefore = await database.db.select({ n: sql<number>`count(*)::int` }).from(inventoryMovements);
    const refunded = await deliver(ordersUpdated, "orders/updated", orderPayload("8004", { ipod: 0, mug: 1 }, "2026-11-21T10:00:00-05:00"));
    expect(refunded.row.status).toBe("processed");
    const [noted] = await database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, order.id), eq(orderEvents.kind, "lines_reduced")));
    expect(noted!.message).toContain("a refund or return there");
    const grown = await deliver(ordersUpdated, "orders/updated", orderPayload("8004", { ipod: 0, mug: 2 }, "2026-11-21T11:00:00-05:00"));
    expect(grown.row.status).toBe("processed");
    // Later versions still carrying the addition do not pile up exceptions.
    await deliver(ordersUpdated, "orders/updated", orderPayload("8004", { ipod: 0, mug: 2 }, "2026-11-21T12:00:00-05:00"));

    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, order.id), eq(exceptions.status, "open")));
    expect(raised.map((e) => e.kind)).toEqual(["order_edit_refused"]);
    expect(raised[0]!.message).toContain("+1 Switchyard Mug (1 → 2)");
    expect(raised[0]!.message).toContain("the order has shipped");
    expect(await database.db.select({ n: sql<number>`count(*)::int` }).from(inventoryMovements)).toEqual(movementsBefore);
    const held = await database.db.select().from(allocations).where(eq(allocations.orderId, order.id));
    expect(held.every((a) => a.status === "shipped")).toBe(true);
    expect((await orderOf("8004")).status).toBe("shipped");
  });
});
