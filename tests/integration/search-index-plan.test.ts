import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { seedAdminShop, seededSku } from "../../bench/admin-seed";
import { listInventory } from "../../db/queries/inventory-queries";
import { listOrders, orderListQuery } from "../../db/queries/order-queries";
import { planOrderSearch, planVariantSearch } from "../../db/queries/search-index-plan";
import { searchPatterns } from "../../db/queries/search-terms";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Search at a size where PostgreSQL keeps statistics: the indexes are asked for the rare part
 * of a term and the rows are checked for the whole of it, rare terms skip the newest-orders
 * look, and none of it changes a row of any page.
 */
let database: TestDatabase;
let shopId: string;
let rare: { number: string; customer_email: string; customer_phone: string; external_id: string };

beforeAll(async () => {
  database = await createTestDatabase();
  shopId = (await createShop(database.db)).id;
  const client = await database.pool.connect();
  try {
    // Set-based like the bench: orders sharing "customer", "@example.com", "gid://shopify/Order/500..."; ends with VACUUM ANALYZE.
    await seedAdminShop(client, { shopId, orders: 3000, skus: 400, locations: 2 });
  } finally {
    client.release();
  }
  rare = (
    await database.db.execute<typeof rare>(sql`select number, customer_email, customer_phone, external_id from orders where shop_id = ${shopId}
      and channel = 'shopify' order by placed_at limit 1 offset 500`)
  ).rows[0]!;
}, 120_000);

const numbers = (rows: { number: string }[]) => rows.map((row) => row.number);

describe("search planned from the statistics", () => {
  it("asks the orders index for a rare part of a rare email, id or phone, and calls the term rare", async () => {
    for (const term of [rare.customer_email, rare.external_id, rare.customer_phone]) {
      const plan = (await planOrderSearch(database.db, searchPatterns(term)!))!;
      expect(term, JSON.stringify(plan)).toContain(plan.textWindow);
      expect(plan.textWindow.length).toBeLessThan(term.length);
      expect(plan.share).toBeLessThan(0.005);
    }
    const common = (await planOrderSearch(database.db, searchPatterns("Lovelace")!))!;
    expect(common.share).toBeGreaterThan(0.005);
  });

  it("finds exactly the orders the whole term finds, on every path, for rare, common, absent and SKU terms", async () => {
    const phoneDigits = rare.customer_phone.replace(/\D/g, "");
    const spacedPhone = `${phoneDigits.slice(0, 4)} ${phoneDigits.slice(4, 7)} ${phoneDigits.slice(7)}`;
    for (const search of [rare.customer_email, rare.number, rare.external_id, rare.customer_phone, spacedPhone, seededSku(123).slice(0, -1), "Lovelace", "example.com", "zqxjv", "r_1%"]) {
      const plan = await planOrderSearch(database.db, searchPatterns(search)!);
      for (const pageSize of [5, 25]) {
        const unplanned = await orderListQuery(database.db, shopId, { search }, { pageSize }, "index");
        const planned = await orderListQuery(database.db, shopId, { search }, { pageSize }, "index", plan);
        const recent = await orderListQuery(database.db, shopId, { search }, { pageSize }, "recent");
        expect(numbers(planned), `${search} / ${pageSize}`).toEqual(numbers(unplanned));
        if (recent.length > pageSize) expect(numbers(recent), `${search} / ${pageSize} (recent)`).toEqual(numbers(unplanned));
        const page = await listOrders(database.db, shopId, { search }, { pageSize });
        expect(numbers(page.rows), `${search} / ${pageSize} (page)`).toEqual(numbers(unplanned).slice(0, pageSize));
      }
    }
    expect((await listOrders(database.db, shopId, { search: rare.customer_email })).rows.map((row) => row.customerEmail)).toEqual([rare.customer_email]);
  });

  it("pages through a planned search and a windowed search without skipping or repeating an order", async () => {
    for (const search of [seededSku(12).slice(0, -1), "Lovelace"]) {
      const all = numbers(await orderListQuery(database.db, shopId, { search }, { pageSize: 10_000 }, "index"));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await listOrders(database.db, shopId, { search }, { pageSize: 7, cursor });
        seen.push(...numbers(page.rows));
        if (!page.hasNextPage) break;
        cursor = page.endCursor!;
      }
      expect(seen, search).toEqual(all);
    }
  });

  it("asks the index for the narrowed pattern and checks the whole term on what it returns", async () => {
    const search = rare.customer_email;
    const plan = (await planOrderSearch(database.db, searchPatterns(search)!))!;
    const query = orderListQuery(database.db, shopId, { search }, {}, "index", plan).toSQL();
    const client = await database.pool.connect();
    try {
      await client.query("begin");
      await client.query("set local enable_seqscan = off");
      const result = await client.query<{ "QUERY PLAN": string }>(`explain ${query.sql}`, query.params);
      await client.query("rollback");
      const text = result.rows.map((row) => row["QUERY PLAN"]).join("\n");
      const indexCondition = text.split("\n").find((line) => line.includes("Index Cond") && line.includes("~~*") && line.includes("customer_email"));
      expect(indexCondition, text).toBeDefined();
      expect(indexCondition).toContain(`%${plan.textWindow}%`);
      expect(indexCondition).not.toContain(search);
      expect(text).toContain(`'%${search}%'`);
      expect(text).toContain("orders_search_trgm_idx");
    } finally {
      client.release();
    }
  });

  it("plans inventory searches the same way, with the same pages", async () => {
    const plan = (await planVariantSearch(database.db, searchPatterns(seededSku(321))!))!;
    expect(seededSku(321)).toContain(plan.variantWindow);
    expect(plan.share).toBeLessThan(0.01);
    for (const search of [seededSku(321), seededSku(32).slice(0, -1), "Product 1", "Large", "zqxjv"]) {
      const skus: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await listInventory(database.db, shopId, { search, cursor, pageSize: 9 });
        skus.push(...page.rows.map((row) => row.sku));
        if (!page.hasNextPage) break;
        cursor = page.endCursor!;
      }
      const expected = (
        await database.db.execute<{ sku: string }>(sql`select v.sku from variants v join products p on p.id = v.product_id
          where v.shop_id = ${shopId} and (variant_search_text(v.sku, v.title, v.barcode) ilike ${`%${search}%`} or p.title ilike ${`%${search}%`})
          order by v.sku`)
      ).rows.map((row) => row.sku);
      expect(skus, search).toEqual(expected);
    }
  });
});
