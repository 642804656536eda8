import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ROUTING_SETTINGS } from "../../core/routing/routing-settings";
import { applyBulkExceptionAction } from "../../db/repositories/exception-bulk-repository";
import { recordExceptionRetry } from "../../db/repositories/exception-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { dryRunRouting } from "../../db/repositories/routing-dry-run-repository";
import { loadRoutingSettings, routePendingOrders, saveRoutingSettings } from "../../db/repositories/routing-repository";
import { allocations, exceptions, orders } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function world() {
  const { db } = database;
  const shop = await createShop(db);
  const columbus = await createLocation(db, shop.id, { name: "Columbus", priority: 1 });
  const sanJose = await createLocation(db, shop.id, { name: "San Jose", priority: 2, postalCode: "95112", latitude: 37.35, longitude: -121.89 });
  return { db, shop, columbus, sanJose };
}

describe("routing rules per shop and the dry run", () => {
  it("shows what a priority-first rule set would change and cost, and saves it", async () => {
    const { db, shop, columbus, sanJose } = await world();
    const tee = await createVariant(db, shop.id, "TEE");
    await receive(db, shop.id, tee.id, columbus.id, 10);
    await receive(db, shop.id, tee.id, sanJose.id, 10);
    for (let i = 0; i < 3; i++) {
      await ingestOrder(db, {
        shopId: shop.id,
        actor: "test",
        order: makeOrder({ lines: [line("TEE", 1)], customer: { email: `c${i}@example.com` } }),
      });
    }
    expect(await routePendingOrders(db, shop.id)).toMatchObject({ routed: 3 });

    const priorityFirst = {
      ...DEFAULT_ROUTING_SETTINGS,
      rules: DEFAULT_ROUTING_SETTINGS.rules.map((r) => ({ ...r, weight: r.rule === "location_priority" ? 10_000 : r.weight })),
    };
    const sameRules = await dryRunRouting(db, shop.id, DEFAULT_ROUTING_SETTINGS, 10);
    expect(sameRules.changed).toBe(0);
    expect(sameRules.rows).toHaveLength(3);
    const proposal = await dryRunRouting(db, shop.id, priorityFirst, 10);
    expect(proposal.changed).toBe(3);
    expect(proposal.rows.every((r) => r.currentLocations.join() === "San Jose" && r.proposedLocations.join() === "Columbus")).toBe(true);
    // Columbus is farther from Cupertino, so its labels cost more.
    expect(proposal.proposedCostMinor).toBeGreaterThan(proposal.currentCostMinor);
    // Nothing moved: a dry run only reads.
    const held = await db.select().from(allocations).where(and(eq(allocations.shopId, shop.id), eq(allocations.status, "reserved")));
    expect(held.every((a) => a.locationId === sanJose.id)).toBe(true);

    await saveRoutingSettings(db, shop.id, priorityFirst, "merchant");
    expect((await loadRoutingSettings(db, shop.id)).rules.find((r) => r.rule === "location_priority")!.weight).toBe(10_000);
    await expect(saveRoutingSettings(db, shop.id, { ...priorityFirst, rules: priorityFirst.rules.slice(1) }, "merchant")).rejects.toThrow();
  });
});

describe("the exceptions queue in bulk", () => {
  it("cancels the orders of several exceptions at once and reports the ones it could not act on", async () => {
    const { db, shop } = await world();
    await createVariant(db, shop.id, "CUP"); // none in stock: both orders wait as backorders
    for (const email of ["a@example.com", "b@example.com"]) {
      const result = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("CUP", 1)], customer: { email } }) });
      expect(result.status).toBe("backordered");
    }
    const shortfalls = await db.select().from(exceptions).where(and(eq(exceptions.shopId, shop.id), eq(exceptions.kind, "partial_stock")));
    expect(shortfalls).toHaveLength(2);

    const cancelled = await applyBulkExceptionAction(db, { shopId: shop.id, exceptionIds: shortfalls.map((e) => e.id), action: "cancel_order", actor: "merchant" });
    expect(cancelled.every((o) => o.ok)).toBe(true);
    const statuses = await db.select({ status: orders.status }).from(orders).where(eq(orders.shopId, shop.id));
    expect(statuses.map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    const again = await applyBulkExceptionAction(db, { shopId: shop.id, exceptionIds: [shortfalls[0]!.id, "00000000-0000-4000-8000-000000000000"], action: "resolve", actor: "merchant" });
    expect(again).toEqual([
      { exceptionId: shortfalls[0]!.id, ok: false, reason: "exception_not_open" },
      { exceptionId: "00000000-0000-4000-8000-000000000000", ok: false, reason: "exception_not_found" },
    ]);
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("re-routes on retry of an unroutable exception", async () => {
    const { db, shop, columbus } = await world();
    const pen = await createVariant(db, shop.id, "PEN");
    await receive(db, shop.id, pen.id, columbus.id, 5);
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ lines: [line("PEN", 1)] }) });
    // Columbus fills up before routing runs: nothing can take the order.
    await db.execute(sql`UPDATE locations SET daily_capacity = 0 WHERE id = ${columbus.id}`);
    expect(await routePendingOrders(db, shop.id)).toMatchObject({ unroutable: 1 });
    const [unroutable] = await db.select().from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.kind, "unroutable")));
    expect(unroutable!.message).toMatch(/^Cannot route: stock is only at locations that cannot take it: Columbus is at its daily capacity/);

    await db.execute(sql`UPDATE locations SET daily_capacity = NULL WHERE id = ${columbus.id}`);
    const retry = await recordExceptionRetry(db, { shopId: shop.id, exceptionId: unroutable!.id, actor: "merchant" });
    expect(retry).toMatchObject({ ok: true, value: { work: { kind: "routing" }, resolved: true } });
    expect(await routePendingOrders(db, shop.id)).toMatchObject({ routed: 1 });
    expect((await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status).toBe("allocated");
  });
});
