import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { pruneInbox } from "../../db/repositories/inbox-retention-repository";
import { webhookDeliveries } from "../../db/schema";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase } from "../helpers/test-database";

/** Issue 7: unknown-shop and failed deliveries were never pruned, and kept customers' data forever. */
describe("inbox retention", () => {
  it("expires unknown-shop deliveries after 7 days, failed and processed after 30, and never an unprocessed one", async () => {
    const { db } = await createTestDatabase();
    const shop = await createShop(db);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    const rows = [
      { key: "unknown-8d", shopId: null, status: "failed", age: 8 },
      { key: "unknown-1d", shopId: null, status: "failed", age: 1 },
      { key: "failed-31d", shopId: shop.id, status: "failed", age: 31 },
      { key: "failed-10d", shopId: shop.id, status: "failed", age: 10 },
      { key: "processed-31d", shopId: shop.id, status: "processed", age: 31 },
      { key: "received-40d", shopId: shop.id, status: "received", age: 40 },
    ];
    await db.insert(webhookDeliveries).values(
      rows.map((row) => ({ shopId: row.shopId, channel: "shopify", deliveryId: row.key, topic: "orders/create", status: row.status, payload: {}, receivedAt: daysAgo(row.age) })),
    );
    expect(await pruneInbox(db)).toEqual({ processed: 1, failed: 1, unknownShop: 1 });
    const left = await db.execute<{ delivery_id: string }>(sql`SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id`);
    expect(left.rows.map((row) => row.delivery_id)).toEqual(["failed-10d", "received-40d", "unknown-1d"]);
  });
});
