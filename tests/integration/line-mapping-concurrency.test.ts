import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addLineMapping, mapUnmatchedLine } from "../../db/repositories/line-mapping-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { orderLines } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, ledgerMismatches, levelOf, makeOrder, receive } from "../helpers/ledger-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

const REF = "gid://shopify/ProductVariant/31337";

describe("mapping an identity while orders carrying it keep arriving", () => {
  it("reserves every waiting line exactly once, whoever maps first, with no deadlock and the ledger intact", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id);
    const target = await createVariant(db, shop.id, "TARGET");
    const other = await createVariant(db, shop.id, "OTHER");
    await receive(db, shop.id, target.id, location.id, 500);
    await receive(db, shop.id, other.id, location.id, 500);

    const order = (n: number) =>
      makeOrder({
        externalId: `race-${n}`,
        lines: [
          { externalLineId: `${n}-a`, sku: "", channelVariantRef: REF, title: "Mystery", quantity: 2, unitPriceMinor: 100 },
          { externalLineId: `${n}-b`, sku: "OTHER", title: "Other", quantity: 1, unitPriceMinor: 100 },
        ],
      });
    const waiting = [];
    for (let n = 0; n < 10; n++) waiting.push(await ingestOrder(db, { shopId: shop.id, actor: "test", order: order(n) }));
    const lineOf = async (orderId: string) => (await db.select().from(orderLines).where(eq(orderLines.orderId, orderId))).find((l) => l.channelVariantRef === REF)!;

    // Two merchants map from two order pages, a third adds the identity on the inventory page,
    // while more orders with that identity arrive.
    const results = await Promise.allSettled([
      mapUnmatchedLine(db, { shopId: shop.id, orderId: waiting[0]!.orderId, lineId: (await lineOf(waiting[0]!.orderId)).id, variantId: target.id, actor: "a", alsoOtherOrders: true }),
      mapUnmatchedLine(db, { shopId: shop.id, orderId: waiting[7]!.orderId, lineId: (await lineOf(waiting[7]!.orderId)).id, variantId: target.id, actor: "b", alsoOtherOrders: true }),
      addLineMapping(db, { shopId: shop.id, variantId: target.id, key: { channel: "shopify", matchKey: `ref:${REF}` }, actor: "c" }),
      ...Array.from({ length: 6 }, (_, i) => ingestOrder(db, { shopId: shop.id, actor: "test", order: order(100 + i) })),
    ]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    for (const result of results.slice(0, 3)) {
      const value = (result as PromiseFulfilledResult<{ ok: boolean; reason?: string }>).value;
      // The loser of a race is told the line was matched meanwhile, not given a second reservation.
      if (!value.ok) expect(value.reason).toBe("line_already_matched");
    }

    // An order that raced the mapping's commit may still wait: the identity maps it now.
    const sweep = await addLineMapping(db, { shopId: shop.id, variantId: target.id, key: { channel: "shopify", matchKey: `ref:${REF}` }, actor: "c" });
    expect(sweep.ok).toBe(true);

    const held = await db.execute<{ quantity: number; variant_id: string | null; held: number }>(sql`
      SELECT l.quantity, l.variant_id, coalesce(sum(a.quantity) FILTER (WHERE a.status = 'reserved'), 0)::int AS held
        FROM order_lines l LEFT JOIN allocations a ON a.order_line_id = l.id
       WHERE l.shop_id = ${shop.id} AND l.channel_variant_ref = ${REF}
       GROUP BY l.id`);
    expect(held.rows).toHaveLength(16);
    expect(held.rows.every((row) => row.variant_id === target.id && row.held === row.quantity)).toBe(true);
    expect((await levelOf(db, target.id))[0]).toMatchObject({ reserved: 32 });
    expect((await levelOf(db, other.id))[0]).toMatchObject({ reserved: 16 });
    expect(await ledgerMismatches(db, shop.id)).toEqual([]);
  });
});
