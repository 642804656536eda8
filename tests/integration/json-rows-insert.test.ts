import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { insertJsonRows } from "../../db/json-rows-insert";
import { orders } from "../../db/schema";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * insertJsonRows writes what Drizzle's own insert would: every column in its type, whatever the
 * text holds, jsonb as the value it was (SQL NULL for null), defaults for what the rows leave out.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const order = (shopId: string, overrides: Partial<typeof orders.$inferInsert> = {}): typeof orders.$inferInsert => ({
  id: randomUUID(),
  shopId,
  channel: "shopify",
  externalId: randomUUID(),
  number: "#1001",
  status: "received",
  financialStatus: "paid",
  currency: "EUR",
  subtotalMinor: 1000,
  totalMinor: 1000,
  placedAt: new Date("2026-11-30T12:34:56.789Z"),
  sourceUpdatedAt: new Date("2026-11-30T12:35:00Z"),
  ...overrides,
});

describe("insertJsonRows", () => {
  it("stores every value as Drizzle would: odd text, big integers, times, nested and null jsonb", async () => {
    const shop = await createShop(database.db);
    const awkward = `Zoë "Quote" O'Brien \\ back\nslash\t€ 🚚 ${"x".repeat(300)}`;
    const row = order(shop.id, {
      customerName: awkward,
      customerEmail: null,
      note: "",
      subtotalMinor: 9_007_199_254_740_991,
      shippingAddress: { name: awkward, address1: "1 Main St", city: "Köln", countryCode: "DE", zip: null } as never,
      billingAddress: null,
      tags: ["vip", "a\"b"],
      riskReasons: [],
      sourceDeliveryId: 42,
    });
    const [returned] = await insertJsonRows(database.db, orders, [row], { returning: ["id", "createdAt"] });
    expect(returned!.id).toBe(row.id);

    const [stored] = await database.db.select().from(orders).where(eq(orders.id, row.id!));
    expect(stored).toMatchObject({
      customerName: awkward,
      customerEmail: null,
      note: "",
      subtotalMinor: 9_007_199_254_740_991,
      shippingAddress: { name: awkward, address1: "1 Main St", city: "Köln", countryCode: "DE", zip: null },
      tags: ["vip", "a\"b"],
      riskReasons: [],
      sourceDeliveryId: 42,
      shippingMinor: 0,
    });
    expect(stored!.placedAt.toISOString()).toBe("2026-11-30T12:34:56.789Z");
    // A jsonb column given null holds SQL NULL, not the JSON value null.
    const [nulls] = (
      await database.db.execute<{ billing_is_null: boolean; source_is_null: boolean }>(
        sql`SELECT billing_address IS NULL AS billing_is_null, source_payload IS NULL AS source_is_null FROM orders WHERE id = ${row.id}`,
      )
    ).rows;
    expect(nulls).toEqual({ billing_is_null: true, source_is_null: true });
  });

  it("gives a later row's missing column NULL, or its default when it cannot be NULL", async () => {
    const shop = await createShop(database.db);
    const first = order(shop.id, { note: "first", shippingMinor: 250 });
    const { note: _note, shippingMinor: _shipping, ...second } = order(shop.id);
    await insertJsonRows(database.db, orders, [first, second]);

    const stored = await database.db.select({ id: orders.id, note: orders.note, shippingMinor: orders.shippingMinor }).from(orders).where(eq(orders.shopId, shop.id));
    expect(stored).toEqual(expect.arrayContaining([
      { id: first.id, note: "first", shippingMinor: 250 },
      { id: second.id, note: null, shippingMinor: 0 },
    ]));
  });

  it("skips rows whose key exists and returns only the rows it wrote", async () => {
    const shop = await createShop(database.db);
    const existing = order(shop.id, { externalId: "1001" });
    await insertJsonRows(database.db, orders, [existing]);
    const again = order(shop.id, { externalId: "1001" });
    const fresh = order(shop.id, { externalId: "1002" });

    const written = await insertJsonRows(database.db, orders, [again, fresh], { returning: ["id"], onConflictDoNothing: true });
    expect(written).toEqual([{ id: fresh.id }]);
  });

  it("refuses a row that leaves out a column that has no default and cannot be NULL", async () => {
    const shop = await createShop(database.db);
    const { currency: _currency, ...withoutCurrency } = order(shop.id);
    await expect(insertJsonRows(database.db, orders, [order(shop.id), withoutCurrency as typeof orders.$inferInsert])).rejects.toThrow(/leaves out currency/);
  });
});
