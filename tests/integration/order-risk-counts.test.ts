import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { routePendingOrders } from "../../db/repositories/routing-repository";
import { exceptions, orders } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";

/**
 * The velocity rules' counts read on PostgreSQL (risk-repository.ts through the indexes of
 * migration 0017): orders from one email in any letter case, and orders to one street, are
 * counted; other customers and other streets are not.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

async function stockedShop() {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const variant = await createVariant(db, shop.id, "TEE");
  await receive(db, shop.id, variant.id, location.id, 1_000);
  return shop;
}

const street = (line1: string) => ({ name: "Buyer", line1, city: "Cupertino", region: "CA", postalCode: "95014", countryCode: "US" });

async function ingest(shopId: string, n: number, email: string, line1: string) {
  // A minute apart, so each order counts itself and those before it.
  const placedAt = new Date(Date.UTC(2026, 10, 20, 10, n));
  const order = makeOrder({ externalId: `risk-${n}`, number: `#R${n}`, placedAt, sourceUpdatedAt: placedAt, lines: [line("TEE", 1)], customer: { name: "Buyer", email }, shippingAddress: street(line1) });
  return ingestOrder(database.db, { shopId, actor: "test", order });
}

async function heldRules(shopId: string): Promise<string[]> {
  const rows = await database.db.select({ kind: exceptions.kind, message: exceptions.message }).from(exceptions).where(eq(exceptions.shopId, shopId));
  return rows.filter((row) => row.kind === "high_risk").map((row) => row.message);
}

describe("velocity counts", () => {
  it("holds the sixth order from one email written in different cases, and leaves other buyers alone", async () => {
    const shop = await stockedShop();
    for (let n = 0; n < 6; n++) await ingest(shop.id, n, n % 2 === 0 ? "Repeat@Example.com" : "repeat@example.COM", `${n} Different Street`);
    for (let n = 6; n < 12; n++) await ingest(shop.id, n, `buyer-${n}@example.com`, `${n} Other Street`);
    await routePendingOrders(database.db, shop.id, { limit: 50 });
    const held = await database.db.select({ externalId: orders.externalId }).from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.status, "on_hold")));
    expect(held.map((row) => row.externalId)).toEqual(["risk-5"]);
    expect((await heldRules(shop.id)).join(" ")).toMatch(/6 orders from this email/);
  });

  it("holds the ninth order to one street whatever the buyers' emails, matching the street in any case", async () => {
    const shop = await stockedShop();
    for (let n = 0; n < 9; n++) await ingest(shop.id, 100 + n, `street-${n}@example.com`, n % 2 === 0 ? "1 Infinite Loop" : "1 INFINITE LOOP");
    await routePendingOrders(database.db, shop.id, { limit: 50 });
    const held = await database.db.select({ externalId: orders.externalId }).from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.status, "on_hold")));
    expect(held.map((row) => row.externalId)).toEqual(["risk-108"]);
    expect((await heldRules(shop.id)).join(" ")).toMatch(/9 orders to this address/);
  });
});
