import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { advancePickup } from "../../db/repositories/pickup-repository";
import { routeOrder, routePendingOrders, routingHistory, sendBackToRouting } from "../../db/repositories/routing-repository";
import { allocations, exceptions, inventoryMovements, locations, orders, routingDecisions } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, levelOf, line, makeOrder, receive } from "../helpers/ledger-fixtures";

/**
 * Routing on real PostgreSQL: the reservation taken at intake follows the routing decision
 * through ledger movements, the decision is stored with its explanation, and the ledger stays
 * consistent when orders are routed at once.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
});

// The customer in makeOrder is in Cupertino (95014); Columbus is the merchant's first priority.
async function world(options: { sanJoseCapacity?: number } = {}) {
  const { db } = database;
  const shop = await createShop(db);
  const columbus = await createLocation(db, shop.id, { name: "Columbus", priority: 1 });
  const sanJose = await createLocation(db, shop.id, {
    name: "San Jose",
    priority: 2,
    city: "San Jose",
    region: "CA",
    postalCode: "95112",
    latitude: 37.35,
    longitude: -121.89,
    ...(options.sanJoseCapacity === undefined ? {} : { dailyCapacity: options.sanJoseCapacity }),
  });
  return { db, shop, columbus, sanJose };
}

async function heldAt(orderId: string) {
  const rows = await database.db
    .select({ locationId: allocations.locationId, quantity: allocations.quantity })
    .from(allocations)
    .where(and(eq(allocations.orderId, orderId), eq(allocations.status, "reserved")));
  const totals = new Map<string, number>();
  for (const row of rows) totals.set(row.locationId, (totals.get(row.locationId) ?? 0) + row.quantity);
  return Object.fromEntries(totals);
}

describe("routing reserved orders", () => {
  it("moves the reservation to the nearer location through release and reserve movements, and explains why", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const tee = await createVariant(db, shop.id, "TEE");
    await receive(db, shop.id, tee.id, columbus.id, 10);
    await receive(db, shop.id, tee.id, sanJose.id, 10);

    const ingested = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("TEE", 2)] }) });
    expect(ingested.status).toBe("reserved");
    expect(await heldAt(ingested.orderId)).toEqual({ [columbus.id]: 2 });
    // Intake scheduled one coalesced routing job for the shop.
    const jobs = await db.execute<{ key: string }>(sql`SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'orders/route' AND key = ${`route-orders:${shop.id}`}`);
    expect(jobs.rows).toHaveLength(1);

    const result = await routePendingOrders(db, shop.id);
    expect(result).toEqual({ routed: 1, unroutable: 0, held: 0, more: false });
    expect(await heldAt(ingested.orderId)).toEqual({ [sanJose.id]: 2 });
    const [order] = await db.select().from(orders).where(eq(orders.id, ingested.orderId));
    expect(order!.status).toBe("allocated");
    const byLevel = Object.fromEntries((await levelOf(db, tee.id)).map((l) => [l.locationId, l.reserved]));
    expect(byLevel).toEqual({ [columbus.id]: 0, [sanJose.id]: 2 });
    const movements = await db
      .select({ kind: inventoryMovements.kind, locationId: inventoryMovements.locationId, quantity: inventoryMovements.quantity, reason: inventoryMovements.reason })
      .from(inventoryMovements)
      .where(and(eq(inventoryMovements.variantId, tee.id), sql`${inventoryMovements.kind} IN ('release', 'reserve')`))
      .orderBy(inventoryMovements.id);
    expect(movements).toEqual([
      { kind: "reserve", locationId: columbus.id, quantity: 2, reason: null },
      { kind: "release", locationId: columbus.id, quantity: 2, reason: "routed to another location" },
      { kind: "reserve", locationId: sanJose.id, quantity: 2, reason: "routed here" },
    ]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);

    const [decision] = await routingHistory(db, shop.id, ingested.orderId);
    expect(decision).toMatchObject({ current: true, status: "routed", search: "single", trigger: "intake" });
    expect(decision!.summary).toMatch(/^Ships from San Jose; est\. \$/);
    expect(decision!.explanation.passedOver).toEqual([expect.objectContaining({ name: "Columbus", code: "higher_score" })]);
    // Routing again finds nothing to do: the order has its decision.
    expect(await routePendingOrders(db, shop.id)).toEqual({ routed: 0, unroutable: 0, held: 0, more: false });
  });

  it("routes again without a location that rejects the order", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const mug = await createVariant(db, shop.id, "MUG");
    await receive(db, shop.id, mug.id, columbus.id, 5);
    await receive(db, shop.id, mug.id, sanJose.id, 5);
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("MUG", 1)] }) });
    await routePendingOrders(db, shop.id);
    expect(await heldAt(orderId)).toEqual({ [sanJose.id]: 1 });

    expect(await sendBackToRouting(db, { shopId: shop.id, orderId, actor: "store", rejectedLocationId: sanJose.id, reason: "damaged stock" })).toEqual({ ok: true });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("reserved");
    await routePendingOrders(db, shop.id);
    expect(await heldAt(orderId)).toEqual({ [columbus.id]: 1 });
    const history = await routingHistory(db, shop.id, orderId);
    expect(history.map((h) => [h.trigger, h.current])).toEqual([
      ["intake", true],
      ["intake", false],
    ]);
    expect(history[0]!.explanation.passedOver).toEqual([expect.objectContaining({ name: "San Jose", code: "rejected_order" })]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("splits an order whose lines sit at different locations", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const a = await createVariant(db, shop.id, "ONLY-EAST");
    const b = await createVariant(db, shop.id, "ONLY-WEST");
    await receive(db, shop.id, a.id, columbus.id, 3);
    await receive(db, shop.id, b.id, sanJose.id, 3);
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("ONLY-EAST", 1), line("ONLY-WEST", 2)] }) });
    await routePendingOrders(db, shop.id);
    const [decision] = await routingHistory(db, shop.id, orderId);
    expect(decision!.shipments.map((s) => [s.locationName, s.units]).sort()).toEqual([
      ["Columbus", 1],
      ["San Jose", 2],
    ]);
    expect(decision!.summary).toMatch(/^Split into 2 shipments/);
  });

  it("respects a location's daily capacity counted from today's decisions", async () => {
    const { db, shop, columbus, sanJose } = await world({ sanJoseCapacity: 1 });
    const cap = await createVariant(db, shop.id, "CAP");
    await receive(db, shop.id, cap.id, columbus.id, 5);
    await receive(db, shop.id, cap.id, sanJose.id, 5);
    const first = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("CAP", 1)] }) });
    const second = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("CAP", 1)] }) });
    await routePendingOrders(db, shop.id);
    // Both were placed at the same moment, so either may be routed first; one gets San Jose.
    const placements = [await heldAt(first.orderId), await heldAt(second.orderId)];
    expect(placements).toContainEqual({ [sanJose.id]: 1 });
    expect(placements).toContainEqual({ [columbus.id]: 1 });
    const later = placements[0]![columbus.id] ? first.orderId : second.orderId;
    const [decision] = await routingHistory(db, shop.id, later);
    expect(decision!.explanation.passedOver).toEqual([expect.objectContaining({ name: "San Jose", code: "capacity_full" })]);
  });

  it("holds an order our risk rules flag instead of routing it", async () => {
    const { db, shop, columbus } = await world();
    const ring = await createVariant(db, shop.id, "RING");
    await receive(db, shop.id, ring.id, columbus.id, 5);
    const order = makeOrder({
      lines: [line("RING", 1)],
      billingAddress: { name: "Ada Lovelace", line1: "10 Downing St", city: "London", postalCode: "SW1A 2AA", countryCode: "GB" },
    });
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order });
    expect(await routePendingOrders(db, shop.id)).toEqual({ routed: 0, unroutable: 0, held: 1, more: false });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("on_hold");
    const raised = await db.select().from(exceptions).where(eq(exceptions.orderId, orderId));
    expect(raised.map((e) => [e.kind, e.message])).toEqual([["high_risk", "On hold: billing country GB differs from shipping country US"]]);
    expect(await db.select().from(routingDecisions).where(eq(routingDecisions.orderId, orderId))).toEqual([]);
  });

  it("never oversells the target location when many orders are routed at once", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const last = await createVariant(db, shop.id, "FEW-WEST");
    await receive(db, shop.id, last.id, columbus.id, 20);
    await receive(db, shop.id, last.id, sanJose.id, 3);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      // Reserved at Columbus first (priority), since San Jose's units are taken by the routing below.
      // Different customers, so the velocity rules have nothing to say.
      const order = makeOrder({
        lines: [line("FEW-WEST", 1)],
        customer: { name: `Customer ${i}`, email: `customer${i}@example.com` },
        shippingAddress: { name: `Customer ${i}`, line1: `${i} Infinite Loop`, city: "Cupertino", region: "CA", postalCode: "95014", countryCode: "US" },
      });
      const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order });
      ids.push(orderId);
    }
    await Promise.all(
      ids.map((orderId) => db.transaction((tx) => routeOrder(tx, { shopId: shop.id, orderId, trigger: "intake", actor: "test" }))),
    );
    const levels = Object.fromEntries((await levelOf(db, last.id)).map((l) => [l.locationId, l]));
    expect(levels[sanJose.id]!.reserved).toBe(3);
    expect(levels[columbus.id]!.reserved).toBe(7);
    const statuses = await db.select({ status: orders.status }).from(orders).where(eq(orders.shopId, shop.id));
    expect(statuses.every((s) => s.status === "allocated")).toBe(true);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("sends a pickup order to the chosen store, back to routing when the store rejects it, and out of the ledger when collected", async () => {
    const { db, shop, columbus, sanJose } = await world();
    await db.update(locations).set({ canPickup: true, canShip: false }).where(eq(locations.id, sanJose.id));
    const paloAlto = await createLocation(db, shop.id, {
      name: "Palo Alto store",
      priority: 3,
      canPickup: true,
      canShip: false,
      postalCode: "94301",
      latitude: 37.44,
      longitude: -122.16,
    });
    const lamp = await createVariant(db, shop.id, "LAMP");
    for (const where of [columbus, sanJose, paloAlto]) await receive(db, shop.id, lamp.id, where.id, 2);
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("LAMP", 1)] }) });
    const pickupAtSanJose = () => ({ method: "pickup" as const, pickupLocationId: sanJose.id });

    await routePendingOrders(db, shop.id, { resolveFulfilment: pickupAtSanJose });
    expect(await heldAt(orderId)).toEqual({ [sanJose.id]: 1 });
    expect((await routingHistory(db, shop.id, orderId))[0]!.summary).toBe("Pickup at San Jose.");
    expect(await advancePickup(db, { shopId: shop.id, orderId, step: "ready_for_pickup", actor: "store" })).toEqual({ ok: true });

    // The store cannot hand it over after all: routing finds the nearest other store.
    expect(await sendBackToRouting(db, { shopId: shop.id, orderId, actor: "store", rejectedLocationId: sanJose.id, reason: "lamp broken" })).toEqual({ ok: true });
    await routePendingOrders(db, shop.id, { resolveFulfilment: pickupAtSanJose });
    expect(await heldAt(orderId)).toEqual({ [paloAlto.id]: 1 });
    expect((await routingHistory(db, shop.id, orderId))[0]!.summary).toBe("Pickup at Palo Alto store (the chosen store could not take it).");

    expect(await advancePickup(db, { shopId: shop.id, orderId, step: "pick_up", actor: "store" })).toMatchObject({ ok: false, reason: "order_not_ready_for_pickup" });
    await advancePickup(db, { shopId: shop.id, orderId, step: "ready_for_pickup", actor: "store" });
    expect(await advancePickup(db, { shopId: shop.id, orderId, step: "pick_up", actor: "store" })).toEqual({ ok: true });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("picked_up");
    const paloAltoLevel = (await levelOf(db, lamp.id)).find((l) => l.locationId === paloAlto.id)!;
    expect(paloAltoLevel).toMatchObject({ onHand: 1, reserved: 0 });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("routes an order again when a hold placed after routing is released", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const hat = await createVariant(db, shop.id, "HAT");
    await receive(db, shop.id, hat.id, columbus.id, 3);
    await receive(db, shop.id, hat.id, sanJose.id, 3);
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("HAT", 1)] }) });
    await routePendingOrders(db, shop.id);
    expect(await applyMerchantOrderAction(db, { shopId: shop.id, orderId, action: "hold", actor: "merchant" })).toMatchObject({ ok: true, to: "on_hold" });
    const released = await applyMerchantOrderAction(db, { shopId: shop.id, orderId, action: "release_hold", actor: "merchant" });
    expect(released).toMatchObject({ ok: true });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("reserved");
    expect(await routePendingOrders(db, shop.id)).toMatchObject({ routed: 1 });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("allocated");
    expect(await heldAt(orderId)).toEqual({ [sanJose.id]: 1 });
    expect((await routingHistory(db, shop.id, orderId)).map((d) => d.current)).toEqual([true, false]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });
});
