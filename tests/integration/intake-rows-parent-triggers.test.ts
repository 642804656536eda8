import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { allocations, inventoryMovements, locations, orderEvents, orderLines, orders, variants } from "../../db/schema";
import { createLocation, createShop, createVariant, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * The rows intake writes by the hundred (lines, allocations, timeline, ledger) carry no foreign
 * key of their own (docs/adr/0026): their parents' delete triggers do what the keys did. An order
 * takes its lines, their allocations and its timeline with it; a variant or location that
 * allocations hold units of cannot be deleted; one that can takes its ledger with it.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function reservedOrder() {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const variant = await createVariant(db, shop.id, "MUG-BLK-11OZ");
  await receive(db, shop.id, variant.id, location.id, 5);
  const result = await ingestOrder(db, { shopId: shop.id, order: makeOrder({ lines: [{ externalLineId: "1", sku: "MUG-BLK-11OZ", title: "Mug", quantity: 2, unitPriceMinor: 1200 }] }), actor: "test" });
  expect(result.status).toBe("reserved");
  return { shop, location, variant, orderId: result.orderId };
}

const count = async (table: typeof orderLines | typeof allocations | typeof orderEvents | typeof inventoryMovements, where: ReturnType<typeof eq>) =>
  (await database.db.select({ n: sql<number>`count(*)::int` }).from(table).where(where))[0]!.n;

describe("rows intake writes, kept by their parents", () => {
  it("deletes an order's lines, their allocations and its timeline with the order", async () => {
    const { orderId } = await reservedOrder();
    expect(await count(orderLines, eq(orderLines.orderId, orderId))).toBe(1);
    expect(await count(allocations, eq(allocations.orderId, orderId))).toBe(1);
    expect(await count(orderEvents, eq(orderEvents.orderId, orderId))).toBeGreaterThan(0);

    await database.db.delete(orders).where(eq(orders.id, orderId));

    expect(await count(orderLines, eq(orderLines.orderId, orderId))).toBe(0);
    expect(await count(allocations, eq(allocations.orderId, orderId))).toBe(0);
    expect(await count(orderEvents, eq(orderEvents.orderId, orderId))).toBe(0);
  });

  it("refuses to delete a variant or a location that allocations hold units of, as a foreign key would", async () => {
    const { variant, location } = await reservedOrder();

    await expect(database.db.delete(variants).where(eq(variants.id, variant.id))).rejects.toMatchObject({ cause: { code: "23503", detail: expect.stringContaining(`"allocations"`) } });
    await expect(database.db.delete(locations).where(eq(locations.id, location.id))).rejects.toMatchObject({ cause: { code: "23503", detail: expect.stringContaining(`"allocations"`) } });
    expect(await count(inventoryMovements, eq(inventoryMovements.variantId, variant.id))).toBe(2);
  });

  it("deletes a variant's and a location's ledger with them once nothing holds their units", async () => {
    const { shop, variant, location, orderId } = await reservedOrder();
    await database.db.delete(orders).where(eq(orders.id, orderId));

    await database.db.delete(variants).where(eq(variants.id, variant.id));
    expect(await count(inventoryMovements, eq(inventoryMovements.variantId, variant.id))).toBe(0);

    const other = await createVariant(database.db, shop.id, "MUG-WHT-11OZ");
    await receive(database.db, shop.id, other.id, location.id, 3);
    await database.db.delete(locations).where(eq(locations.id, location.id));
    expect(await count(inventoryMovements, eq(inventoryMovements.locationId, location.id))).toBe(0);
  });
});
