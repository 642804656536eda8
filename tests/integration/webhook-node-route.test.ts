import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setDatabaseForTests } from "../../app/db.server";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { signShopifyWebhook } from "../../connectors/shopify/webhook-signature";
import { createDeliveryGroupStore } from "../../db/repositories/webhook-inbox-group-store";
import { webhookDeliveries } from "../../db/schema";
import { serveShopifyWebhook, shopifyTopicOfPath } from "../../server/webhook-node-route";
import { createShop } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { orderWebhookPayload } from "../fixtures/shopify/webhooks/shopify-webhook-requests";

/**
 * The Shopify ingress served straight from Node (server/webhook-node-route.ts) and the group
 * store behind it: deliveries arriving together share one INSERT, and every guarantee of one
 * delivery at a time holds (stored once, acknowledged only once stored, unknown shops kept).
 */
let database: TestDatabase;
let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  server = http.createServer((req, res) => {
    const topic = shopifyTopicOfPath(req.url ?? "");
    if (!topic) return void res.writeHead(404).end();
    void serveShopifyWebhook(req, res, topic);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  setDatabaseForTests(undefined);
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  delete process.env.SWITCHYARD_WEBHOOK_MAX_BYTES;
});

function signedPost(shopDomain: string, eventId: string, body: string, extra: Record<string, string> = {}) {
  return fetch(`${baseUrl}/webhooks/orders/create`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "orders/create",
      "X-Shopify-Shop-Domain": shopDomain,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Hmac-Sha256": signShopifyWebhook(body, webhookSecret()),
      ...extra,
    },
    body,
  });
}

const rowsOf = (shopId: string) => database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.shopId, shopId));

describe("the Shopify webhook route served from Node", () => {
  it("acknowledges 40 concurrent deliveries, ten of them one event, and stores each event once with its exact bytes", async () => {
    const shop = await createShop(database.db);
    const bodies = Array.from({ length: 30 }, (_, i) => JSON.stringify(orderWebhookPayload({ id: String(810_000 + i) })));
    const posts = [
      ...bodies.map((body, i) => signedPost(shop.domain, `node-${i}`, body)),
      ...Array.from({ length: 10 }, () => signedPost(shop.domain, "node-0", bodies[0]!)),
    ];
    const responses = await Promise.all(posts);
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    // Sized, not chunked: each answer goes out in one write.
    expect(responses[0]!.headers.get("content-length")).toMatch(/^\d+$/);
    expect(responses[0]!.headers.get("transfer-encoding")).toBeNull();
    const answers = (await Promise.all(responses.map((r) => r.json()))) as { stored: boolean }[];
    expect(answers.filter((a) => a.stored)).toHaveLength(30);

    const rows = await rowsOf(shop.id);
    expect(rows).toHaveLength(30);
    const zero = rows.find((row) => row.deliveryId === "orders/create:node-0")!;
    expect(zero.rawBody!.toString("utf8")).toBe(bodies[0]);
    expect(rows.every((row) => row.status === "received")).toBe(true);
  });

  it("refuses a bad signature with 401 and stores nothing", async () => {
    const shop = await createShop(database.db);
    const response = await signedPost(shop.domain, "forged", "{}", { "X-Shopify-Hmac-Sha256": "bm90IHNpZ25lZA==" });
    expect(response.status).toBe(401);
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(await response.text()));
    expect(await rowsOf(shop.id)).toHaveLength(0);
  });

  it("answers 413 to a chunked body that passes the cap, before the signature", async () => {
    process.env.SWITCHYARD_WEBHOOK_MAX_BYTES = String(64 * 1024);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${baseUrl}/webhooks/orders/create`, { method: "POST", headers: { "X-Shopify-Topic": "orders/create" } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      // Chunked (no Content-Length): the cap is found while reading.
      for (let i = 0; i < 8; i++) request.write(Buffer.alloc(16 * 1024, 0x61));
      request.end();
    });
    expect(status).toBe(413);
  });
});

describe("the group store", () => {
  const delivery = (shopDomain: string, id: string) => ({
    shopDomain,
    channel: "shopify",
    deliveryId: `orders/create:${id}`,
    topic: "orders/create",
    triggeredAt: new Date("2026-11-20T12:00:00Z"),
    rawBody: Buffer.from(`{"id":"${id}"}`),
  });

  it("stores a group in one statement: the first of a repeated event is kept, an unknown shop's delivery is kept as failed", async () => {
    const shop = await createShop(database.db);
    // One statement in flight: everything queued behind the first store forms one group.
    const store = createDeliveryGroupStore(database.db, { maxInFlight: 1, maxGroup: 64 });
    const results = await Promise.all([
      store.store(delivery(shop.domain, "g-0")),
      store.store(delivery(shop.domain, "g-1")),
      store.store(delivery(shop.domain, "g-1")),
      store.store(delivery("nobody.myshopify.com", "g-stranger")),
      store.store(delivery(shop.domain, "g-2")),
    ]);
    expect(results.map((r) => (r.stored ? "stored" : r.reason))).toEqual(["stored", "stored", "duplicate", "unknown_shop", "stored"]);
    expect((await rowsOf(shop.id)).map((row) => row.deliveryId).sort()).toEqual(["orders/create:g-0", "orders/create:g-1", "orders/create:g-2"]);
    const [stranger] = await database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, "orders/create:g-stranger"));
    expect(stranger).toMatchObject({ shopId: null, status: "failed" });
    // A later redelivery of a stored event is a duplicate, grouped or not.
    expect(await store.store(delivery(shop.domain, "g-2"))).toEqual({ stored: false, reason: "duplicate" });
  });

  it("gives each row of a group its own bytes, whatever their length or encoding, within the group's byte budget", async () => {
    const shop = await createShop(database.db);
    // One statement in flight and 40 bytes per statement: the five stores take three statements.
    const store = createDeliveryGroupStore(database.db, { maxInFlight: 1, maxGroup: 64, maxGroupBytes: 40 });
    const bodies = [Buffer.from('{"id":"b-0"}'), Buffer.alloc(0), Buffer.from([0x7b, 0x00, 0xff, 0xed, 0xa0, 0x80, 0x7d]), Buffer.from('{"note":"Café 🎁"}'), Buffer.alloc(100, 0x20)];
    const results = await Promise.all(bodies.map((rawBody, i) => store.store({ ...delivery(shop.domain, `b-${i}`), rawBody })));
    expect(results.every((r) => r.stored)).toBe(true);
    const rows = await rowsOf(shop.id);
    for (const [i, body] of bodies.entries()) {
      const row = rows.find((r) => r.deliveryId === `orders/create:b-${i}`)!;
      expect([i, Buffer.compare(row.rawBody!, body), row.rawBodyIsText]).toEqual([i, 0, i !== 2]);
    }
  });

  it("stores the rest of a group one by one when one delivery cannot be stored, and fails only that one", async () => {
    const shop = await createShop(database.db);
    const store = createDeliveryGroupStore(database.db, { maxInFlight: 1, maxGroup: 64 });
    const results = await Promise.allSettled([
      store.store(delivery(shop.domain, "s-0")),
      store.store(delivery(shop.domain, "s-1")),
      // PostgreSQL text cannot hold NUL: this row fails its statement.
      store.store(delivery(shop.domain, "s-\u0000-bad")),
      store.store(delivery(shop.domain, "s-2")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((await rowsOf(shop.id)).map((row) => row.deliveryId).sort()).toEqual(["orders/create:s-0", "orders/create:s-1", "orders/create:s-2"]);
  });
});
