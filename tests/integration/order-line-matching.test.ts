import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { topUpReservation } from "../../db/repositories/reservation-top-up-repository";
import { exceptions, orderLines, variants } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, levelOf, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const GID = (n: number) => `gid://shopify/ProductVariant/${n}`;

async function stockedVariant(shopId: string, sku: string, units: number, externalId?: string) {
  const { db } = database;
  const location = await createLocation(db, shopId);
  const variant = await createVariant(db, shopId, sku);
  if (externalId) await db.update(variants).set({ externalId }).where(eq(variants.id, variant.id));
  await receive(db, shopId, variant.id, location.id, units);
  return variant;
}

describe("every order is captured, its lines matched by channel identity first", () => {
  it("matches a blank-SKU line by its variant GID, keeps gift cards and custom items unreserved, and flags an unknown line", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const tee = await stockedVariant(shop.id, "TEE", 5, GID(11));
    const result = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({
        lines: [
          { externalLineId: "1", sku: "", channelVariantRef: GID(11), title: "Tee", quantity: 2, unitPriceMinor: 1000 },
          { externalLineId: "2", title: "Gift card", quantity: 1, unitPriceMinor: 5000, carriesStock: false },
          { externalLineId: "3", title: "Engraving", quantity: 1, unitPriceMinor: 500, carriesStock: false },
          { externalLineId: "4", sku: "", channelVariantRef: GID(99), title: "Mystery", quantity: 1, unitPriceMinor: 700 },
        ],
      }),
    });

    expect(result).toMatchObject({ status: "backordered", reserved: 2 });
    const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, result.orderId)).orderBy(orderLines.externalLineId);
    expect(lines.map((l) => [l.externalLineId, l.variantId, l.sku, l.carriesStock])).toEqual([
      ["1", tee.id, null, true],
      ["2", null, null, false],
      ["3", null, null, false],
      ["4", null, null, true],
    ]);
    const raised = await db.select().from(exceptions).where(eq(exceptions.orderId, result.orderId));
    expect(raised.map((e) => e.kind)).toEqual(["unknown_sku"]);
    expect(raised[0]!.message).toContain(GID(99));
    expect((await levelOf(db, tee.id))[0]).toMatchObject({ reserved: 2 });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });

  it("prefers the channel identity over a SKU that points elsewhere, and falls back to the SKU", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const byRef = await stockedVariant(shop.id, "NEW-SKU", 3, GID(21));
    const bySku = await stockedVariant(shop.id, "OLD-SKU", 3);
    const result = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({
        lines: [
          { externalLineId: "1", sku: "OLD-SKU", channelVariantRef: GID(21), title: "Renamed", quantity: 1, unitPriceMinor: 1 },
          { externalLineId: "2", sku: "OLD-SKU", channelVariantRef: GID(22), title: "Unknown ref", quantity: 1, unitPriceMinor: 1 },
        ],
      }),
    });
    expect(result.status).toBe("reserved");
    const lines = await db.select().from(orderLines).where(eq(orderLines.orderId, result.orderId)).orderBy(orderLines.externalLineId);
    expect(lines.map((l) => l.variantId)).toEqual([byRef.id, bySku.id]);
  });

  it("an order whose only lines hold no stock is reserved (nothing to wait for) and held for its missing address", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const order = makeOrder({ lines: [{ externalLineId: "1", title: "Gift card", quantity: 1, unitPriceMinor: 2500, carriesStock: false }] });
    const result = await ingestOrder(db, { shopId: shop.id, actor: "test", order: { ...order, shippingAddress: undefined } });
    expect(result).toMatchObject({ status: "on_hold", reserved: 0, shortfall: 0 });
    const raised = await db.select().from(exceptions).where(eq(exceptions.orderId, result.orderId));
    expect(raised.map((e) => e.kind)).toEqual(["address_invalid"]);
  });

  it("reserves only the unfulfilled part of a partly fulfilled order", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const mug = await stockedVariant(shop.id, "MUG", 10);
    const result = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({ lines: [{ externalLineId: "1", sku: "MUG", title: "Mug", quantity: 5, fulfilledQuantity: 3, unitPriceMinor: 1 }] }),
    });
    expect(result).toMatchObject({ status: "reserved", reserved: 2, shortfall: 0 });
    const [{ reserved }] = (await db.execute<{ reserved: number }>(sql`SELECT reserved FROM inventory_levels WHERE variant_id = ${mug.id}`)).rows as [{ reserved: number }];
    expect(reserved).toBe(2);
  });
});

describe("topping a reservation up later", () => {
  it("asks only for the unfulfilled units, and never counts lines that hold no stock as short", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const mug = await stockedVariant(shop.id, "MUG", 1);
    const result = await ingestOrder(db, {
      shopId: shop.id,
      actor: "test",
      order: makeOrder({
        lines: [
          { externalLineId: "1", sku: "MUG", title: "Mug", quantity: 5, fulfilledQuantity: 3, unitPriceMinor: 1 },
          { externalLineId: "2", title: "Gift card", quantity: 1, unitPriceMinor: 5000, carriesStock: false },
        ],
      }),
    });
    expect(result).toMatchObject({ status: "backordered", reserved: 1, shortfall: 1 });
    const [level] = await levelOf(db, mug.id);
    await receive(db, shop.id, mug.id, level!.locationId, 10);
    const topUp = await db.transaction((tx) => topUpReservation(tx, { shopId: shop.id, orderId: result.orderId, status: "backordered", actor: "test" }));
    expect(topUp).toEqual({ status: "reserved", reserved: 1, shortfall: 0 });
    expect((await levelOf(db, mug.id))[0]).toMatchObject({ reserved: 2 });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });
});
