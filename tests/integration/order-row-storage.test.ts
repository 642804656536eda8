import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { orders } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

/** About the size of a Shopify orders/create body: well above the 2 KB at which PostgreSQL moves a value out of line. */
function largePayload(externalId: string) {
  return {
    id: externalId,
    shipping_lines: [{ title: "Standard", code: "STANDARD", delivery_category: "shipping" }],
    line_items: Array.from({ length: 12 }, (_, i) => ({ id: i, title: `Item ${i}`, sku: `SKU-${i}`, properties: [], tax_lines: [{ title: "State tax", rate: 0.06, price: "1.20" }], note: "x".repeat(200) })),
  };
}

describe("how a new order's row is stored (docs/adr/0018)", () => {
  it("keeps the channel payload whole, out of line and uncompressed, and reads it back as sent", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const variant = await createVariant(db, shop.id, "STORE-1");
    await receive(db, shop.id, variant.id, location.id, 5);
    const payload = largePayload("store-1");
    const { orderId } = await ingestOrder(db, { shopId: shop.id, actor: "test", order: makeOrder({ externalId: "store-1", lines: [line("STORE-1", 1)] }), sourcePayload: payload });

    const [stored] = await db
      .select({
        payload: orders.sourcePayload,
        compression: sql<string | null>`pg_column_compression(${orders.sourcePayload})`,
        bytes: sql<number>`pg_column_size(${orders.sourcePayload})`,
      })
      .from(orders)
      .where(eq(orders.id, orderId));
    expect(stored!.payload).toEqual(payload);
    // Not compressed: pglz cost PostgreSQL ~70 µs per order at intake and again at every read.
    expect(stored!.compression).toBeNull();
    expect(stored!.bytes).toBeGreaterThan(2_000);
  });
});
