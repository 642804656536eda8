import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooClient } from "../woocommerce-client.js";
import { confirmWooFulfillment } from "../woocommerce-fulfillment.js";
import { mapWooCommerceOrder } from "../woocommerce-order-mapper.js";
import { initialWooPollCursor, pollWooOrders } from "../woocommerce-order-poll.js";
import { pushWooStock } from "../woocommerce-stock-push.js";
import { verifyWooCommerceWebhookSignature } from "../woocommerce-webhook-signature.js";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "./woocommerce-sandbox.server.js";

/** The official client against the sandbox over real HTTP: OAuth 1.0a, paging, batches, webhooks. */

const KEY = "ck_sandbox";
const SECRET = "cs_sandbox";
const HOOK_SECRET = "whsec_sandbox";
let sandbox: WooCommerceSandbox;
let receiver: Server;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let clock = Date.parse("2026-12-01T10:00:00Z");

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/woocommerce/c1`;
  sandbox = await startWooCommerceSandbox({
    port: 0,
    consumerKey: KEY,
    consumerSecret: SECRET,
    batchLimit: 3,
    now: () => clock,
    random: () => 0.3,
    log: () => {},
    webhooks: [{ topic: "order.created", deliveryUrl: hookUrl, secret: HOOK_SECRET }],
    seed: {
      products: [
        { name: "Mug", sku: "MUG", price: "12.50", stock: 10 },
        { name: "Tee", price: "20.00", variations: ["S", "M", "L", "XL", "XXL"].map((size) => ({ sku: `TEE-${size}`, option: size, price: "20.00", stock: 5 })) },
      ],
    },
  });
});
afterAll(async () => {
  await sandbox.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const client = () => createWooClient({ baseUrl: sandbox.url, credentials: { consumerKey: KEY, consumerSecret: SECRET } });

describe("WooCommerce sandbox with the official client", () => {
  it("refuses a wrong consumer secret with Woo's 401", async () => {
    const bad = createWooClient({ baseUrl: sandbox.url, credentials: { consumerKey: KEY, consumerSecret: "wrong" } });
    const answer = await bad.get("orders");
    expect(answer).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("delivers a simulated order as a signed order.created webhook that maps to a unified order", async () => {
    const { deliveries, order } = await sandbox.simulateOrder();
    expect(deliveries).toEqual([expect.objectContaining({ ok: true, topic: "order.created" })]);
    const delivery = received.at(-1)!;
    expect(delivery.headers["x-wc-webhook-topic"]).toBe("order.created");
    expect(verifyWooCommerceWebhookSignature(delivery.body, delivery.headers["x-wc-webhook-signature"] as string, HOOK_SECRET)).toBe(true);
    const mapped = mapWooCommerceOrder(JSON.parse(delivery.body));
    expect(mapped.ok && mapped.value).toMatchObject({ channel: "woocommerce", externalId: String(order.id), financialStatus: "paid" });
  });

  it("pages orders modified after a time with X-WP-TotalPages and moves the cursor past them", async () => {
    for (let i = 0; i < 4; i++) {
      clock += 1_000;
      await sandbox.simulateOrder({ send: false });
    }
    const seen: unknown[] = [];
    let cursor = initialWooPollCursor(new Date("2026-12-01T09:00:00Z"));
    for (let guard = 0; guard < 10; guard++) {
      const page = await pollWooOrders(client(), cursor, { perPage: 2 });
      if (!page.ok) throw new Error(page.detail);
      seen.push(...page.value.orders);
      cursor = page.value.nextCursor;
      if (!page.value.hasMore) break;
    }
    expect(seen).toHaveLength(5);
    clock += 5_000;
    const again = await pollWooOrders(client(), cursor);
    // The one-second overlap re-reads only the newest order; the inbox deduplicates it.
    expect(again.ok && again.value.orders.length).toBeLessThanOrEqual(1);
  });

  it("pushes stock through products/batch and variations/batch, halving on 413", async () => {
    const tee = [...sandbox.state.products.values()].find((p) => p.name === "Tee")!;
    const mug = [...sandbox.state.products.values()].find((p) => p.name === "Mug")!;
    const items = [mug.id, ...tee.variationIds].map((id, i) => ({ key: `k${i}`, externalId: String(id), sku: null, available: 40 + i, previousAvailable: null }));
    const result = await pushWooStock(client(), [...items, { key: "ghost", externalId: "999999", sku: null, available: 1, previousAvailable: null }]);
    if (!result.ok) throw new Error(result.detail);
    expect(result.value.map((r) => r.status)).toEqual(["applied", "applied", "applied", "applied", "applied", "applied", "rejected"]);
    expect(items.map((i) => sandbox.stockOf(Number(i.externalId)))).toEqual([40, 41, 42, 43, 44, 45]);
    // Five variations with a store limit of 3: one 413, then 3 + 2.
    expect(sandbox.requests.filter((r) => r.path.endsWith("/variations/batch")).map((r) => r.status)).toEqual([413, 200, 200]);
  });

  it("writes the tracking back as a customer note and completes the order, once", async () => {
    const { order } = await sandbox.simulateOrder({ send: false });
    const request = {
      orderExternalId: String(order.id),
      tracking: { carrier: "UPS", trackingNumber: "1Z999", shippedAt: new Date(clock) },
      notifyCustomer: true,
      idempotencyKey: "f1",
    };
    const first = await confirmWooFulfillment(client(), request);
    const second = await confirmWooFulfillment(client(), request);
    expect(first.ok && second.ok).toBe(true);
    expect(second.ok && second.value).toMatchObject({ alreadyConfirmed: true });
    expect(sandbox.state.orders.get(order.id)!.status).toBe("completed");
    expect(sandbox.state.orders.get(order.id)!.notes).toHaveLength(1);
  });
});

describe("WooCommerce sandbox rate limit", () => {
  it("answers 429 with Retry-After once a key's bucket is empty", async () => {
    const limited = await startWooCommerceSandbox({ port: 0, consumerKey: KEY, consumerSecret: SECRET, rateLimit: { perSecond: 1, burst: 2 }, now: () => clock, log: () => {} });
    try {
      const c = createWooClient({ baseUrl: limited.url, credentials: { consumerKey: KEY, consumerSecret: SECRET } });
      expect((await c.get("orders")).ok).toBe(true);
      expect((await c.get("orders")).ok).toBe(true);
      expect(await c.get("orders")).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 1000 });
    } finally {
      await limited.stop();
    }
  });
});
