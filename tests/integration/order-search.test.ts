import { beforeAll, describe, expect, it } from "vitest";
import { listInventory } from "../../db/queries/inventory-queries";
import { listOrders, orderListQuery } from "../../db/queries/order-queries";
import { orderTextMatch } from "../../db/queries/order-search-queries";
import { allocations, orders } from "../../db/schema";
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Search over every field a merchant looks orders up by, answered from the trigram indexes.
 * Orders go through the real ingest path so the searched columns are the ones ingest writes.
 */
let database: TestDatabase;
let shopId: string;
let otherShopId: string;

async function numbersFor(search: string, forShop = shopId): Promise<string[]> {
  const page = await listOrders(database.db, forShop, { search });
  return page.rows.map((row) => row.number);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  shopId = (await createShop(db)).id;
  otherShopId = (await createShop(db)).id;
  const location = await createLocation(db, shopId, { name: "Columbus DC" });
  for (const sku of ["TEE-BLK-M", "MUG-WHT", "CAP_RED"]) {
    const variant = await createVariant(db, shopId, sku);
    await receive(db, shopId, variant.id, location.id, 50);
  }
  const orders = [
    { number: "#1001", externalId: "gid://shopify/Order/5550001", name: "Ada Lovelace", email: "ada@example.com", phone: "+1 (555) 010-2030", sku: "TEE-BLK-M" },
    { number: "#1002", externalId: "gid://shopify/Order/5550002", name: "Grace Hopper", email: "grace@navy.example", phone: undefined, sku: "MUG-WHT" },
    { number: "#1003", externalId: "114-7788990-1122334", name: "Alan Turing", email: "alan@example.org", phone: "+44 20 7946 0000", sku: "CAP_RED", customerId: "cust-turing-9" },
    { number: "#7", externalId: "woo-7", name: "100% Cotton Fan", email: "fan@example.com", phone: undefined, sku: "TEE-BLK-M" },
  ];
  for (const [index, order] of orders.entries()) {
    await ingestOrder(db, {
      shopId,
      actor: "test",
      order: makeOrder({
        externalId: order.externalId,
        number: order.number,
        placedAt: new Date(Date.UTC(2026, 10, 1 + index)),
        sourceUpdatedAt: new Date(Date.UTC(2026, 10, 1 + index)),
        customer: { name: order.name, email: order.email, phone: order.phone, externalId: order.customerId },
        lines: [line(order.sku, 1), line("GIFT-WRAP", 1, "wrap")],
      }),
    });
  }
  // Another shop with the same SKU and name: never part of this shop's results.
  await ingestOrder(db, {
    shopId: otherShopId,
    actor: "test",
    order: makeOrder({ externalId: "other-1", number: "#9001", customer: { name: "Ada Lovelace" }, lines: [line("MUG-WHT", 1)] }),
  });
});

describe("order search", () => {
  it("finds orders by name, email, number and external id, case-insensitively", async () => {
    expect(await numbersFor("lovelace")).toEqual(["#1001"]);
    expect(await numbersFor("NAVY.EXAMPLE")).toEqual(["#1002"]);
    expect(await numbersFor("#1003")).toEqual(["#1003"]);
    expect(await numbersFor("7788990")).toEqual(["#1003"]);
    expect(await numbersFor("Order/555000")).toEqual(["#1002", "#1001"]);
    expect(await numbersFor("cust-turing")).toEqual(["#1003"]);
  });

  it("finds a phone number typed with or without its punctuation", async () => {
    expect(await numbersFor("555 010 2030")).toEqual(["#1001"]);
    expect(await numbersFor("5550102030")).toEqual(["#1001"]);
    expect(await numbersFor("(555) 010-2030")).toEqual(["#1001"]);
  });

  it("finds orders through a SKU on any of their lines, newest first and each order once", async () => {
    expect(await numbersFor("blk-m")).toEqual(["#7", "#1001"]);
    expect(await numbersFor("GIFT-WRAP")).toEqual(["#7", "#1003", "#1002", "#1001"]);
  });

  it("treats LIKE wildcards in the term as plain characters", async () => {
    expect(await numbersFor("100%")).toEqual(["#7"]);
    expect(await numbersFor("cap_red")).toEqual(["#1003"]);
    expect(await numbersFor("cap%red")).toEqual([]);
  });

  it("matches a term too short for trigrams against order numbers exactly", async () => {
    expect(await numbersFor("7")).toEqual(["#7"]);
    expect(await numbersFor("#7")).toEqual(["#7"]);
    expect(await numbersFor("10")).toEqual([]);
  });

  it("returns nothing for an absent term and never another shop's orders", async () => {
    expect(await numbersFor("zqxjv")).toEqual([]);
    expect(await numbersFor("MUG-WHT")).toEqual(["#1002"]);
    expect(await numbersFor("Lovelace", otherShopId)).toEqual(["#9001"]);
  });

  it("combines a search with the other filters and pages through the matches", async () => {
    const filtered = await listOrders(database.db, shopId, { search: "GIFT-WRAP", placedFrom: "2026-11-02", placedTo: "2026-11-03" });
    expect(filtered.rows.map((row) => row.number)).toEqual(["#1003", "#1002"]);
    const first = await listOrders(database.db, shopId, { search: "GIFT-WRAP" }, { pageSize: 3 });
    const second = await listOrders(database.db, shopId, { search: "GIFT-WRAP" }, { pageSize: 3, cursor: first.endCursor! });
    expect([...first.rows, ...second.rows].map((row) => row.number)).toEqual(["#7", "#1003", "#1002", "#1001"]);
    expect(second.hasNextPage).toBe(false);
  });

  it("answers from the newest orders and from the indexes alike, so either path gives the same page", async () => {
    for (const search of ["GIFT-WRAP", "example", "lovelace", "555 010 2030", "zqxjv"]) {
      for (const pageSize of [1, 2, 3, 25]) {
        const recent = await orderListQuery(database.db, shopId, { search }, { pageSize }, "recent");
        const indexed = await orderListQuery(database.db, shopId, { search }, { pageSize }, "index");
        expect(recent.map((row) => row.number), `${search} / ${pageSize}`).toEqual(indexed.map((row) => row.number));
      }
    }
  });

  it("filters by location from the newest orders and from the location's indexes alike", async () => {
    const { db } = database;
    const [somewhere] = await db.select({ id: allocations.locationId }).from(allocations).where(eq(allocations.shopId, shopId)).limit(1);
    for (const filters of [{ locationId: somewhere!.id }, { locationId: somewhere!.id, search: "GIFT" }, { locationId: randomUUID() }]) {
      for (const pageSize of [1, 2, 25]) {
        const recent = await orderListQuery(db, shopId, filters, { pageSize }, "recent");
        const indexed = await orderListQuery(db, shopId, filters, { pageSize }, "index");
        expect(recent.map((row) => row.number), JSON.stringify({ ...filters, pageSize })).toEqual(indexed.map((row) => row.number));
      }
    }
    const all = await listOrders(db, shopId, { locationId: somewhere!.id });
    expect(all.rows.length).toBeGreaterThan(0);
  });

  it("is answered from the trigram indexes, lines first, with no scan of the shop's orders", async () => {
    // Sequential scans priced out: a shape the indexes cannot serve still shows a Seq Scan.
    // Tiny tables let the planner prefer a btree on shop_id for orders, so the orders side is
    // checked on its own predicate, which must match the index expression exactly.
    const explain = async (text: string, params: unknown[]) => {
      const client = await database.pool.connect();
      try {
        await client.query("begin");
        await client.query("set local enable_seqscan = off");
        const result = await client.query<{ "QUERY PLAN": string }>(`explain ${text}`, params);
        await client.query("rollback");
        return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
      } finally {
        client.release();
      }
    };
    const page = orderListQuery(database.db, shopId, { search: "Lovelace" }).toSQL();
    const pagePlan = await explain(page.sql, page.params);
    expect(pagePlan).toContain("order_lines_sku_trgm_idx");
    expect(pagePlan).not.toMatch(/Seq Scan on (orders|order_lines)/);

    const ordersSide = new PgDialect().sqlToQuery(sql`select o.id from ${orders} o where ${orderTextMatch("%lovelace%", "%555%")}`);
    expect(await explain(ordersSide.sql, ordersSide.params)).toContain("orders_search_trgm_idx");
  });
});

describe("inventory search", () => {
  it("finds variants by SKU, title or product title through the trigram indexes", async () => {
    const bySku = await listInventory(database.db, shopId, { search: "mug-w" });
    expect(bySku.rows.map((row) => row.sku)).toEqual(["MUG-WHT"]);
    const absent = await listInventory(database.db, shopId, { search: "zqxjv" });
    expect(absent.rows).toEqual([]);
    const underscore = await listInventory(database.db, shopId, { search: "P_R" });
    expect(underscore.rows.map((row) => row.sku)).toEqual(["CAP_RED"]);
  });

  it("pages through matches in SKU order whether the page fills from the next SKUs or from the indexes", async () => {
    const skus: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listInventory(database.db, shopId, { search: "product", cursor, pageSize: 1 });
      skus.push(...page.rows.map((row) => row.sku));
      if (!page.hasNextPage) break;
      cursor = page.endCursor!;
    }
    expect(skus).toEqual(["CAP_RED", "MUG-WHT", "TEE-BLK-M"]);
    const back = await listInventory(database.db, shopId, { search: "product", cursor: "TEE-BLK-M", direction: "before", pageSize: 2 });
    expect(back.rows.map((row) => row.sku)).toEqual(["CAP_RED", "MUG-WHT"]);
  });
});
