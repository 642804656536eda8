import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { loader as ordersLoader } from "../../app/routes/api.v1.orders";
import { loader as orderLoader } from "../../app/routes/api.v1.orders.$id";
import { loader as inventoryLoader } from "../../app/routes/api.v1.inventory";
import { loader as locationsLoader } from "../../app/routes/api.v1.locations";
import { createApiToken } from "../../db/repositories/api-token-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { apiTokens } from "../../db/schema";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { CHANNELS } from "../../core/orders/unified-order";

let database: TestDatabase;
let tokenA: string;
let tokenB: string;
let orderOfB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  const { db } = database;
  const shopA = await createShop(db, "shop-a.myshopify.com");
  const shopB = await createShop(db, "shop-b.myshopify.com");
  tokenA = await createApiToken(db, shopA.id, "ERP");
  tokenB = await createApiToken(db, shopB.id, "ERP");
  const location = await createLocation(db, shopA.id, { name: "Main" });
  const variant = await createVariant(db, shopA.id, "API-SKU");
  await receive(db, shopA.id, variant.id, location.id, 500);
  for (let i = 0; i < 57; i++) {
    await ingestOrder(db, {
      shopId: shopA.id,
      actor: "test",
      order: makeOrder({ channel: CHANNELS[i % 4]!, externalId: `a-${i}`, number: `#A${i}`, lines: [line("API-SKU", 1)] }),
    });
  }
  // Make many orders share one updated_at, the case where a naive timestamp cursor skips rows.
  await db.execute(sql`UPDATE orders SET updated_at = '2026-11-20T10:00:00Z' WHERE shop_id = ${shopA.id} AND number LIKE '#A1%'`);
  const other = await ingestOrder(db, { shopId: shopB.id, actor: "test", order: makeOrder({ lines: [line("ANY", 1)] }) });
  orderOfB = other.orderId;
});
afterAll(() => setDatabaseForTests(undefined));

function get(path: string, token?: string) {
  return new Request(`http://localhost${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}
async function body(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, json: (await r.json()) as any };
}
/** Loaders throw Responses for auth and validation failures; treat both paths alike. */
async function call(loader: (args: any) => Promise<Response>, path: string, token?: string, params: Record<string, string> = {}) {
  try {
    return await body(loader({ request: get(path, token), params, context: {} }));
  } catch (thrown) {
    if (thrown instanceof Response) return body(thrown);
    throw thrown;
  }
}

describe("integration API authentication", () => {
  it("refuses a request without a token with 401", async () => {
    const { status, json } = await call(ordersLoader, "/api/v1/orders");
    expect(status).toBe(401);
    expect(json.error.code).toBe("unauthorized");
  });

  it("refuses a wrong token with 401", async () => {
    expect((await call(ordersLoader, "/api/v1/orders", "sy_not-a-real-token")).status).toBe(401);
  });

  it("refuses a revoked token", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const token = await createApiToken(db, shop.id, "old");
    await db.update(apiTokens).set({ revokedAt: new Date() }).where(sql`shop_id = ${shop.id}`);
    expect((await call(locationsLoader, "/api/v1/locations", token)).status).toBe(401);
  });

  it("answers 404 for another shop's order, as for a missing one", async () => {
    const { status, json } = await call(orderLoader, `/api/v1/orders/${orderOfB}`, tokenA, { id: orderOfB });
    expect(status).toBe(404);
    expect(json.error.code).toBe("not_found");
    expect((await call(orderLoader, `/api/v1/orders/${orderOfB}`, tokenB, { id: orderOfB })).status).toBe(200);
  });

  it("stores only a hash of the token", async () => {
    const rows = await database.db.select().from(apiTokens);
    expect(rows.every((row) => row.tokenHash !== tokenA && row.tokenHash.length === 64)).toBe(true);
  });
});

describe("GET /api/v1/orders", () => {
  it("pages through every order exactly once, even where updated_at ties", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, json } = await call(ordersLoader, `/api/v1/orders?limit=10${cursor ? `&cursor=${cursor}` : ""}`, tokenA);
      expect(status).toBe(200);
      seen.push(...json.data.map((o: { id: string }) => o.id));
      cursor = json.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(57);
    expect(new Set(seen).size).toBe(57);
  });

  it("returns the same page for the same cursor", async () => {
    const first = await call(ordersLoader, "/api/v1/orders?limit=5", tokenA);
    const again = await call(ordersLoader, `/api/v1/orders?limit=5&cursor=${first.json.next_cursor}`, tokenA);
    const repeat = await call(ordersLoader, `/api/v1/orders?limit=5&cursor=${first.json.next_cursor}`, tokenA);
    expect(again.json.data.map((o: { id: string }) => o.id)).toEqual(repeat.json.data.map((o: { id: string }) => o.id));
  });

  it("filters by channel and status, and never shows another shop's orders", async () => {
    const { json } = await call(ordersLoader, "/api/v1/orders?channel=ebay&limit=250", tokenA);
    expect(json.data.length).toBe(14);
    expect(json.data.every((o: { channel: string }) => o.channel === "ebay")).toBe(true);
    const reserved = await call(ordersLoader, "/api/v1/orders?status=reserved&limit=250", tokenA);
    expect(reserved.json.data).toHaveLength(57);
    const ofB = await call(ordersLoader, "/api/v1/orders?limit=250", tokenB);
    expect(ofB.json.data.map((o: { id: string }) => o.id)).toEqual([orderOfB]);
  });

  it("filters by updated_since", async () => {
    const { json } = await call(ordersLoader, "/api/v1/orders?updated_since=2026-11-21T00:00:00Z&limit=250", tokenA);
    expect(json.data).toHaveLength(57 - 11);
  });

  it("explains bad query parameters with 400", async () => {
    const { status, json } = await call(ordersLoader, "/api/v1/orders?channel=myspace&limit=0", tokenA);
    expect(status).toBe(400);
    expect(json.error.details.map((d: { parameter: string }) => d.parameter).sort()).toEqual(["channel", "limit"]);
    expect((await call(ordersLoader, "/api/v1/orders?cursor=garbage", tokenA)).json.error.code).toBe("invalid_cursor");
  });
});

describe("GET /api/v1/orders/:id, inventory and locations", () => {
  it("returns an order with its lines and reservations", async () => {
    const list = await call(ordersLoader, "/api/v1/orders?limit=1", tokenA);
    const id = list.json.data[0].id;
    const { status, json } = await call(orderLoader, `/api/v1/orders/${id}`, tokenA, { id });
    expect(status).toBe(200);
    expect(json.data.lines).toHaveLength(1);
    expect(json.data.allocations[0]).toMatchObject({ quantity: 1, status: "reserved", locationName: "Main" });
    expect(json.data.totalMinor).toBe(1999);
  });

  it("reports stock per location for the asked SKUs", async () => {
    const { json } = await call(inventoryLoader, "/api/v1/inventory?sku=API-SKU", tokenA);
    expect(json.data).toHaveLength(1);
    expect(json.data[0].totals).toEqual({ onHand: 500, reserved: 57, available: 443 });
    expect((await call(inventoryLoader, "/api/v1/inventory", tokenA)).status).toBe(400);
  });

  it("lists the shop's locations", async () => {
    const { json } = await call(locationsLoader, "/api/v1/locations", tokenA);
    expect(json.data.map((l: { name: string }) => l.name)).toEqual(["Main"]);
  });
});
