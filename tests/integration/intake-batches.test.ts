import { and, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { action as ordersCancelled } from "../../app/routes/webhooks.orders.cancelled";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { receiveShopifyWebhook } from "../../app/webhooks/shopify-webhook-ingress.server";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { signShopifyWebhook } from "../../connectors/shopify/webhook-signature";
import { allocations, orderEvents, orders, webhookDeliveries } from "../../db/schema";
import { processInboxBatch } from "../../jobs/intake/intake-loop";
import { claimPendingDeliveries, rawBodyIsText } from "../../db/repositories/webhook-inbox-repository";
import { isRetriableConflict } from "../../db/connection-errors";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { orderWebhookPayload, postWebhook } from "../fixtures/shopify/webhooks/shopify-webhook-requests";
import { loadOrderSource } from "../../db/repositories/order-source-repository";
import { orderSourcePayload } from "../../jobs/intake/order-source";

/**
 * The intake in batches (issue 6 item 3): deliveries are claimed many at a time per shop, new
 * orders created set-based with the stock decided in placement order, and the guarantees of one
 * delivery at a time kept: each order once, nothing oversold, the ledger equal to its movements.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
});
afterAll(() => setDatabaseForTests(undefined));
afterEach(() => {
  delete process.env.SWITCHYARD_WEBHOOK_MAX_BYTES;
});

async function stockedShop(ipods: number) {
  const { db } = database;
  const shop = await createShop(db);
  const location = await createLocation(db, shop.id);
  const ipod = await createVariant(db, shop.id, "IPOD2008PINK");
  const mug = await createVariant(db, shop.id, "MUG-BLK-11OZ");
  await receive(db, shop.id, ipod.id, location.id, ipods);
  await receive(db, shop.id, mug.id, location.id, 10_000);
  return { shop, ipod, mug };
}

/** Claims and processes batches until the inbox is empty; returns how many each batch claimed. */
async function drain(batchSize: number): Promise<number[]> {
  const claims: number[] = [];
  for (;;) {
    const { claimed } = await processInboxBatch({ db: database.db }, { batchSize, maxAttempts: 3 });
    if (claimed === 0) return claims;
    claims.push(claimed);
  }
}

async function ordersOf(shopId: string) {
  return database.db.select().from(orders).where(eq(orders.shopId, shopId));
}

async function receivedEvents(orderId: string) {
  return database.db.select().from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "received")));
}

describe("redelivery and repeats", () => {
  it("stores 10 concurrent redeliveries of one event once and makes one order", async () => {
    const { shop } = await stockedShop(50);
    const body = JSON.stringify(orderWebhookPayload({ id: "610001" }));
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body, eventId: "same-event" }).then(async (r) => r.response.json())),
    );
    expect(answers.filter((a) => a.stored === true)).toHaveLength(1);
    expect(answers.filter((a) => a.reason === "duplicate")).toHaveLength(9);
    expect(await drain(100)).toEqual([1]);
    const made = await ordersOf(shop.id);
    expect(made).toHaveLength(1);
    expect(await receivedEvents(made[0]!.id)).toHaveLength(1);
  });

  it("makes one order of 10 distinct deliveries of it within one batch", async () => {
    const { shop, ipod } = await stockedShop(50);
    const body = JSON.stringify(orderWebhookPayload({ id: "610002" }));
    for (let n = 0; n < 10; n++) expect((await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body })).response.status).toBe(200);

    expect(await drain(100)).toEqual([10]);
    const made = await ordersOf(shop.id);
    expect(made).toHaveLength(1);
    expect(await receivedEvents(made[0]!.id)).toHaveLength(1);
    const statuses = await database.db.select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.shopId, shop.id));
    // One created it; the nine others found it at this version and changed nothing.
    expect(statuses.map((s) => s.status).sort()).toEqual([...Array(9).fill("ignored_stale"), "processed"]);
    const held = await database.db.execute<{ units: number }>(sql`SELECT coalesce(sum(quantity), 0)::int AS units FROM allocations WHERE variant_id = ${ipod.id}`);
    expect(held.rows[0]!.units).toBe(1);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });

  it("follows a newer version of an order that arrives as another delivery in the same batch, while the repeats of the old one change nothing", async () => {
    const { shop, ipod } = await stockedShop(50);
    const first = orderWebhookPayload({ id: "610004" });
    const lines = first.line_items as Record<string, unknown>[];
    const edited = { ...first, updated_at: "2026-11-20T14:09:00-05:00", line_items: [{ ...lines[0], quantity: 3, current_quantity: 3, fulfillable_quantity: 3 }, lines[1]] };
    for (const body of [first, first, edited, first]) await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body: JSON.stringify(body) });

    expect(await drain(100)).toEqual([4]);
    const made = await ordersOf(shop.id);
    expect(made).toHaveLength(1);
    const held = await database.db.execute<{ units: number }>(sql`SELECT coalesce(sum(quantity), 0)::int AS units FROM allocations WHERE variant_id = ${ipod.id} AND status = 'reserved'`);
    expect(held.rows[0]!.units).toBe(3);
    const statuses = await database.db
      .select({ status: webhookDeliveries.status })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.shopId, shop.id))
      .orderBy(webhookDeliveries.id);
    expect(statuses.map((s) => s.status)).toEqual(["processed", "ignored_stale", "processed", "ignored_stale"]);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });

  it("makes one order of 10 distinct deliveries of it spread over batches", async () => {
    const { shop } = await stockedShop(50);
    const body = JSON.stringify(orderWebhookPayload({ id: "610003" }));
    for (let n = 0; n < 10; n++) await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body });
    expect(await drain(3)).toEqual([3, 3, 3, 1]);
    const made = await ordersOf(shop.id);
    expect(made).toHaveLength(1);
    expect(await receivedEvents(made[0]!.id)).toHaveLength(1);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });
});

describe("orders racing for the last units in one batch", () => {
  it("gives the units to the earliest placed, whatever the arrival order, and oversells nothing", async () => {
    const { shop, ipod } = await stockedShop(3);
    const base = Date.parse("2026-11-20T12:00:00Z");
    // Six orders of one iPod each; the latest placed arrives first.
    for (let n = 5; n >= 0; n--) {
      const placed = new Date(base + n * 60_000).toISOString();
      const body = JSON.stringify(orderWebhookPayload({ id: String(620000 + n), created_at: placed, updated_at: placed }));
      await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body });
    }
    expect(await drain(100)).toEqual([6]);

    const held = await database.db
      .select({ externalId: orders.externalId, units: sql<number>`coalesce(sum(${allocations.quantity}), 0)::int` })
      .from(orders)
      .leftJoin(allocations, and(eq(allocations.orderId, orders.id), eq(allocations.variantId, ipod.id)))
      .where(eq(orders.shopId, shop.id))
      .groupBy(orders.externalId);
    const winners = held.filter((row) => row.units > 0).map((row) => row.externalId).sort();
    expect(winners).toEqual(["gid://shopify/Order/620000", "gid://shopify/Order/620001", "gid://shopify/Order/620002"]);
    expect(held.reduce((sum, row) => sum + row.units, 0)).toBe(3);
    const [level] = (await database.db.execute<{ on_hand: number; reserved: number }>(sql`SELECT on_hand, reserved FROM inventory_levels WHERE variant_id = ${ipod.id}`)).rows;
    expect(level).toEqual({ on_hand: 3, reserved: 3 });
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });

  it("runs other topics in arrival order between the orders: a cancellation after its order releases the stock", async () => {
    const { shop, ipod } = await stockedShop(5);
    const payload = orderWebhookPayload({ id: "630001" });
    await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body: JSON.stringify(payload) });
    const cancelledAt = "2026-11-20T20:00:00Z";
    await postWebhook(ordersCancelled, { topic: "orders/cancelled", shopDomain: shop.domain, body: JSON.stringify({ ...payload, cancelled_at: cancelledAt, updated_at: cancelledAt, cancel_reason: "customer" }) });
    await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body: JSON.stringify(orderWebhookPayload({ id: "630002" })) });
    expect(await drain(100)).toEqual([3]);

    const made = await ordersOf(shop.id);
    expect(made.map((o) => [o.externalId, o.status]).sort()).toEqual([
      ["gid://shopify/Order/630001", "cancelled"],
      ["gid://shopify/Order/630002", expect.not.stringMatching(/cancelled/)],
    ]);
    const [level] = (await database.db.execute<{ reserved: number }>(sql`SELECT reserved FROM inventory_levels WHERE variant_id = ${ipod.id}`)).rows;
    expect(level!.reserved).toBe(1);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });
});

describe("concurrent batches", () => {
  /** `loops` batches at a time until nothing is pending; a batch that lost a deadlock is claimed again, as the intake loop does. */
  async function drainConcurrently(loops: number, batchSize: number): Promise<void> {
    const pending = async () =>
      (await database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'received'`)).rows[0]!.n;
    while ((await pending()) > 0) {
      await Promise.all(
        Array.from({ length: loops }, async () => {
          for (;;) {
            try {
              if ((await processInboxBatch({ db: database.db }, { batchSize, maxAttempts: 3 })).claimed === 0) return;
            } catch (error) {
              if (!isRetriableConflict(error)) throw error;
            }
          }
        }),
      );
    }
  }

  it("makes each order once when batches running at once carry deliveries of the same new orders, cancellations among them", async () => {
    const { shop, ipod } = await stockedShop(8);
    const base = Date.parse("2026-11-21T09:00:00Z");
    // Twelve one-iPod orders for eight iPods, each delivered three times, and two of them cancelled:
    // claims of new orders only (levels locked after their orders are written) and claims with a
    // cancellation (levels locked up front) race for the same orders' keys.
    const payloads = Array.from({ length: 12 }, (_, n) => {
      const placed = new Date(base + n * 60_000).toISOString();
      return orderWebhookPayload({ id: String(640000 + n), created_at: placed, updated_at: placed });
    });
    for (let round = 0; round < 3; round++) {
      for (const payload of payloads) await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body: JSON.stringify(payload) });
      if (round === 1) {
        for (const payload of [payloads[2]!, payloads[7]!]) {
          const body = JSON.stringify({ ...payload, cancelled_at: "2026-11-21T12:00:00Z", updated_at: "2026-11-21T12:00:00Z", cancel_reason: "customer" });
          await postWebhook(ordersCancelled, { topic: "orders/cancelled", shopDomain: shop.domain, body });
        }
      }
    }
    await drainConcurrently(4, 5);

    const made = await ordersOf(shop.id);
    expect(made.map((o) => o.externalId).sort()).toEqual(payloads.map((p) => p.admin_graphql_api_id).sort());
    for (const order of made) expect(await receivedEvents(order.id)).toHaveLength(1);
    expect(made.filter((o) => o.status === "cancelled").map((o) => o.externalId).sort()).toEqual(["gid://shopify/Order/640002", "gid://shopify/Order/640007"]);
    const statuses = await database.db.select({ status: webhookDeliveries.status }).from(webhookDeliveries).where(eq(webhookDeliveries.shopId, shop.id));
    expect(statuses.filter((s) => s.status !== "processed" && s.status !== "ignored_stale")).toEqual([]);
    const [level] = (await database.db.execute<{ on_hand: number; reserved: number }>(sql`SELECT on_hand, reserved FROM inventory_levels WHERE variant_id = ${ipod.id}`)).rows;
    expect(level!.on_hand).toBe(8);
    expect(level!.reserved).toBeLessThanOrEqual(8);
    const held = await database.db.execute<{ units: number }>(sql`SELECT coalesce(sum(quantity), 0)::int AS units FROM allocations WHERE variant_id = ${ipod.id} AND status = 'reserved'`);
    expect(held.rows[0]!.units).toBe(level!.reserved);
    expect(await ledgerMismatches(database.db, shop.id)).toEqual([]);
  });
});

describe("bodies PostgreSQL could not store as text or jsonb", () => {
  it("keeps NUL, lone surrogates and 6,000-deep nesting as received and still makes the order", async () => {
    const { shop } = await stockedShop(50);
    const deep = "[".repeat(6000) + "1" + "]".repeat(6000);
    const body = JSON.stringify({ ...orderWebhookPayload({ id: "640001" }), note: "gift \u0000 wrap \ud800", note_attributes: "\u0001DEEP" }).replace('"\\u0001DEEP"', () => deep);
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body });
    expect(response.status).toBe(200);
    const [stored] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    expect(Buffer.compare(stored!.rawBody!, Buffer.from(body, "utf8"))).toBe(0);

    await drain(100);
    const [after] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    expect(after).toMatchObject({ status: "processed", error: null });
    const [order] = await ordersOf(shop.id);
    expect(order!.note).toBe("gift \uFFFD wrap \uFFFD");
    // The order names the body as received instead of a copy that jsonb could not hold (docs/adr/0022).
    expect(order!.sourceDeliveryId).toBe(stored!.id);
    expect(orderSourcePayload(await loadOrderSource(database.db, order!))).toMatchObject({ note: "gift \u0000 wrap \ud800" });
  });
});

describe("bodies claimed as text or as bytes", () => {
  it("flags as text exactly the bodies PostgreSQL reads as text", async () => {
    const samples: [string, Buffer][] = [
      ["ascii", Buffer.from('{"a":1}')],
      ["accents and emoji", Buffer.from('{"note":"Café ☕ 🎁"}')],
      ["escaped NUL and surrogate", Buffer.from(JSON.stringify({ note: "\u0000 \ud800" }))],
      ["raw NUL", Buffer.from([0x7b, 0x00, 0x7d])],
      ["invalid byte", Buffer.from([0x7b, 0xff, 0x7d])],
      ["encoded surrogate", Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
      ["overlong slash", Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
      ["above U+10FFFF", Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22])],
      ["truncated sequence", Buffer.from([0x22, 0xe2, 0x82, 0x22])],
      ["empty", Buffer.alloc(0)],
    ];
    for (const [name, bytes] of samples) {
      let readable = true;
      try {
        await database.db.execute(sql`SELECT convert_from(${bytes}::bytea, 'UTF8')`);
      } catch {
        readable = false;
      }
      expect([name, rawBodyIsText(bytes)]).toEqual([name, readable]);
    }
  });

  it("keeps a body that is not UTF-8 as received, claims it as bytes, and still makes the order", async () => {
    const { shop } = await stockedShop(50);
    const [before, after] = JSON.stringify({ ...orderWebhookPayload({ id: "650001" }), note: "gift BYTES wrap" }).split("BYTES");
    const body = Buffer.concat([Buffer.from(before!), Buffer.from([0xff, 0xed, 0xa0, 0x80]), Buffer.from(after!)]);
    const { response, deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body });
    expect(response.status).toBe(200);
    const [stored] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    expect(stored!.rawBodyIsText).toBe(false);
    expect(Buffer.compare(stored!.rawBody!, body)).toBe(0);

    await drain(100);
    const [done] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    expect(done).toMatchObject({ status: "processed", error: null });
    const [order] = await ordersOf(shop.id);
    expect(order!.note).toBe(`gift ${body.subarray(before!.length, before!.length + 4).toString("utf8")} wrap`);
    expect(order!.note).toContain("\uFFFD");
  });

  it("claims a UTF-8 body as text, byte for byte", async () => {
    const { shop } = await stockedShop(50);
    const body = JSON.stringify({ ...orderWebhookPayload({ id: "650002" }), note: "Café ☕ 🎁" });
    const { deliveryId } = await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body });
    const [stored] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
    expect(stored!.rawBodyIsText).toBe(true);
    const claimed = await database.db.transaction((tx) => claimPendingDeliveries(tx, 100));
    const row = claimed.find((r) => r.deliveryId === deliveryId)!;
    expect(row).toMatchObject({ bodyText: body, rawBody: null });
    await drain(100);
    const [order] = await ordersOf(shop.id);
    expect(order!.note).toBe("Café ☕ 🎁");
  });
});

describe("the claim's byte bound", () => {
  it("claims the oldest deliveries whose stored bodies fit, at least one, and leaves the rest pending for the next batch", async () => {
    const { shop } = await stockedShop(50);
    // A field Shopify does not send makes each body about 40 KB; the mapper ignores it.
    const bodies = [660001, 660002, 660003].map((id) => JSON.stringify({ ...orderWebhookPayload({ id: String(id) }), padding: "x".repeat(40_000) }));
    const ids: string[] = [];
    for (const body of bodies) ids.push((await postWebhook(ordersCreate, { topic: "orders/create", shopDomain: shop.domain, body })).deliveryId);

    const claimedIds = (limit: number, maxBytes: number) =>
      database.db.transaction(async (tx) => (await claimPendingDeliveries(tx, limit, maxBytes)).map((row) => row.deliveryId));
    expect(await claimedIds(100, 100_000)).toEqual(ids.slice(0, 2));
    expect(await claimedIds(100, 1_000)).toEqual(ids.slice(0, 1));
    expect(await claimedIds(2, 10_000_000)).toEqual(ids.slice(0, 2));

    let batches = 0;
    while ((await processInboxBatch({ db: database.db }, { batchSize: 100, batchBytes: 100_000, maxAttempts: 3 })).claimed > 0) batches++;
    expect(batches).toBe(2);
    expect((await ordersOf(shop.id)).map((o) => o.externalId).sort()).toEqual(["gid://shopify/Order/660001", "gid://shopify/Order/660002", "gid://shopify/Order/660003"]);
  });
});

describe("the body cap", () => {
  function streamingRequest(bytes: { pulled: number }, headers: Record<string, string> = {}) {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        bytes.pulled += chunk.byteLength;
        controller.enqueue(chunk);
        if (bytes.pulled > 300 * 1024 * 1024) controller.close();
      },
    });
    return new Request("http://localhost/webhooks/orders/create", {
      method: "POST",
      headers: { "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "any.myshopify.com", "X-Shopify-Event-Id": "big", ...headers },
      body,
      duplex: "half",
    } as RequestInit);
  }

  it("answers 413 as soon as a streamed body passes the cap, before reading it all and before the signature", async () => {
    process.env.SWITCHYARD_WEBHOOK_MAX_BYTES = String(1024 * 1024);
    const bytes = { pulled: 0 };
    const response = await receiveShopifyWebhook(streamingRequest(bytes, { "X-Shopify-Hmac-Sha256": "bm90IHNpZ25lZA==" }), "orders/create");
    expect(response.status).toBe(413);
    // The stream is left after the chunk that crossed the cap (plus what the runtime buffered ahead).
    expect(bytes.pulled).toBeLessThan(4 * 1024 * 1024);
  });

  it("answers 413 from a declared Content-Length above the cap without reading a byte", async () => {
    process.env.SWITCHYARD_WEBHOOK_MAX_BYTES = String(1024 * 1024);
    const bytes = { pulled: 0 };
    const response = await receiveShopifyWebhook(streamingRequest(bytes, { "Content-Length": String(300 * 1024 * 1024) }), "orders/create");
    expect(response.status).toBe(413);
    expect(bytes.pulled).toBeLessThanOrEqual(64 * 1024);
  });

  it("takes a signed body just under the cap", async () => {
    const { shop } = await stockedShop(5);
    const body = JSON.stringify({ ...orderWebhookPayload({ id: "650001" }), note: "x".repeat(200_000) });
    process.env.SWITCHYARD_WEBHOOK_MAX_BYTES = String(Buffer.byteLength(body));
    const request = new Request("http://localhost/webhooks/orders/create", {
      method: "POST",
      headers: {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": shop.domain,
        "X-Shopify-Event-Id": "just-under",
        "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, webhookSecret()),
      },
      body,
    });
    expect((await receiveShopifyWebhook(request, "orders/create")).status).toBe(200);
  });
});
