import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase } from "../helpers/test-database";

/**
 * Intake finds an order by its channel key several times per batch (held orders, repeats, the
 * version of a redelivery). A database only minutes old, or one just restored or upgraded, has
 * no statistics yet; the look-up must still read the unique key, not every order of the shop.
 */
let db: Database;
let shopId: string;
beforeAll(async () => {
  db = (await createTestDatabase()).db;
  shopId = (await createShop(db)).id;
  await db.execute(sql`
    INSERT INTO orders (shop_id, channel, external_id, number, status, financial_status, currency, subtotal_minor, total_minor, placed_at, source_updated_at)
    SELECT ${shopId}::uuid, 'shopify', 'gid://shopify/Order/' || n, '#' || n, 'reserved', 'paid', 'USD', 1000, 1000, now(), now()
      FROM generate_series(1, 3000) AS n`);
});

async function indexesRead(statement: ReturnType<typeof sql>): Promise<string[]> {
  const [row] = (await db.execute<{ "QUERY PLAN": unknown }>(sql`EXPLAIN (FORMAT JSON) ${statement}`)).rows;
  const names: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (typeof node["Index Name"] === "string") names.push(node["Index Name"]);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((row!["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return names;
}

describe("an order looked up by its channel key before the table has statistics", () => {
  it("has none yet, as a new database has not", async () => {
    const analysed = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'orders' AND schemaname = 'public'`);
    expect(analysed.rows[0]!.n).toBe(0);
  });

  it("reads the unique key for one order", async () => {
    expect(
      await indexesRead(sql`SELECT id FROM orders WHERE shop_id = ${shopId}::uuid AND channel = 'shopify' AND external_id = 'gid://shopify/Order/42' FOR UPDATE`),
    ).toEqual(["orders_shop_channel_external"]);
  });

  it("reads the unique key for a batch's orders", async () => {
    expect(
      await indexesRead(
        sql`SELECT o.id FROM orders o WHERE o.shop_id = ${shopId}::uuid AND o.channel = ANY(${sql.param(["shopify"])}::text[]) AND o.external_id = ANY(${sql.param(["gid://shopify/Order/1", "gid://shopify/Order/2"])}::text[])`,
      ),
    ).toEqual(["orders_shop_channel_external"]);
  });
});
