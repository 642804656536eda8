import { afterEach, describe, expect, it } from "vitest";
import { createAmazonConnector, type AmazonConnector } from "../amazon-connector.js";
import type { AmazonCredentials } from "../amazon-connection-config.js";
import { SpApiBuckets } from "../sp-api-client.js";
import { startAmazonSandbox, type AmazonSandbox, type AmazonSandboxOptions } from "./amazon-sandbox.server.js";

/**
 * The official client, through the endpoint redirect, against the sandbox: the same calls the
 * demo makes. A fake clock drives token expiry, the search window and the rate limits.
 */

const SELLER = "A2SBXSELLER01";
const LWA = { clientId: "amzn1.application-oa2-client.sbx", clientSecret: "sbx-secret", refreshToken: "Atzr|sbx-refresh" };
const LISTINGS = [
  { sku: "SKU-RED", title: "Red mug", price: "12.50", quantity: 10 },
  { sku: "SKU-BLUE", title: "Blue mug", price: "14.00", quantity: 4 },
  { sku: "SKU-JPY", title: "Green mug", price: "9.99", quantity: 0 },
];

let sandbox: AmazonSandbox | undefined;
afterEach(async () => {
  await sandbox?.stop().catch(() => {});
  sandbox = undefined;
});

async function setup(overrides: Partial<AmazonSandboxOptions> = {}, credentials: Partial<AmazonCredentials> = {}) {
  let clock = Date.parse("2026-11-30T12:00:00Z");
  const now = () => clock;
  sandbox = await startAmazonSandbox({ port: 0, sellerId: SELLER, ...LWA, listings: LISTINGS, now, log: () => {}, ...overrides });
  const persisted: AmazonCredentials[] = [];
  const build = (creds: Partial<AmazonCredentials> = credentials) => {
    const connector = createAmazonConnector({
      settings: { region: "na", marketplaceId: "ATVPDKIKX0DER", sellerId: SELLER, baseUrl: sandbox!.url, feedThreshold: 2 },
      credentials: { ...LWA, ...creds },
      onCredentialsRefreshed: async (c) => void persisted.push(c),
      now,
      sleep: async (ms) => void (clock += ms),
      buckets: new SpApiBuckets(now),
    });
    if (!connector.ok) throw new Error(connector.detail);
    return connector.value;
  };
  return { sandbox, connector: build(), build, persisted, advance: (ms: number) => void (clock += ms), now };
}

async function pollAll(connector: AmazonConnector, cursor: string | null) {
  const orders: unknown[] = [];
  let next = cursor;
  for (let page = 0; page < 20; page++) {
    const result = await connector.fetchOrders(next, { limit: 2 });
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    orders.push(...result.value.orders);
    next = result.value.nextCursor;
    if (!result.value.hasMore) break;
  }
  return { orders: orders as { externalId: string; lines: { sku?: string }[]; financialStatus: string; shippingAddress?: unknown }[], cursor: next };
}

/** Pushes a batch large enough for a feed: each item's status, and the feed id and message numbers it answered. */
async function submitFeed(connector: AmazonConnector, updates: readonly { sku: string; quantity: number }[]) {
  const pushed = await connector.pushStock(updates);
  if (!pushed.ok) throw new Error(pushed.detail);
  return {
    statuses: pushed.value.map((r) => r.status),
    feedId: (pushed.value[0] as { feedId: string }).feedId,
    messageIds: pushed.value.map((r) => (r as { messageId: number }).messageId),
  };
}

describe("Amazon sandbox", () => {
  it("validates bodies against the specs when they are present", async () => {
    const { sandbox } = await setup();
    if (!sandbox.validatesBodies) console.warn("[amazon-sandbox.test] ../shared/specs/amazon absent: bodies not validated");
    expect(typeof sandbox.validatesBodies).toBe("boolean");
  });

  it("gets an LWA token, polls a settled window page by page and maps every order", async () => {
    const { sandbox, connector, persisted, advance, now } = await setup();
    const start = new Date(now() - 60_000).toISOString();
    for (let i = 0; i < 5; i++) sandbox.generateOrder({ items: [{ sku: "SKU-RED", quantity: 1 }] });
    // Amazon takes the units off the listing when the order is placed.
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(5);

    // Orders are only searchable two minutes after they change.
    const early = await connector.fetchOrders(JSON.stringify({ after: start }));
    expect(early.ok && early.value.orders).toEqual([]);
    advance(3 * 60_000);
    const { orders, cursor } = await pollAll(connector, JSON.stringify({ after: start }));
    expect(orders).toHaveLength(5);
    expect(new Set(orders.map((o) => o.externalId)).size).toBe(5);
    expect(orders[0]!.lines[0]!.sku).toBe("SKU-RED");
    expect(orders[0]!.financialStatus).toBe("authorized");
    expect(orders[0]!.shippingAddress).toBeDefined();
    // One refresh for the whole run, handed over to be persisted.
    expect(persisted).toHaveLength(1);
    expect(persisted[0]!.accessToken).toMatch(/^Atza\|/);

    // The next pass starts where the window ended and sees only what changed since.
    advance(3 * 60_000);
    const again = await connector.fetchOrders(cursor);
    expect(again.ok && again.value.orders).toEqual([]);
  });

  it("shows a pending order without buyer or address, then the authorised version as a newer update", async () => {
    const { sandbox, connector, advance, now } = await setup();
    const start = new Date(now() - 1000).toISOString();
    const placed = sandbox.generateOrder({ items: [{ sku: "SKU-BLUE", quantity: 2 }], status: "PENDING", pendingMs: 5 * 60_000 })!;
    advance(3 * 60_000);
    const first = await pollAll(connector, JSON.stringify({ after: start }));
    expect(first.orders).toHaveLength(1);
    expect(first.orders[0]).toMatchObject({ externalId: placed.orderId, financialStatus: "pending" });
    expect(first.orders[0]!.shippingAddress).toBeUndefined();

    advance(5 * 60_000);
    const second = await pollAll(connector, first.cursor);
    expect(second.orders).toHaveLength(1);
    expect(second.orders[0]).toMatchObject({ externalId: placed.orderId, financialStatus: "authorized" });
    expect(second.orders[0]!.shippingAddress).toBeDefined();
  });

  it("answers 429 with x-amzn-RateLimit-Limit past the burst, and the client stays inside it", async () => {
    const { sandbox, build, now } = await setup();
    // A client that ignores its own bucket (a fresh one per call) hits the server's.
    let throttled = 0;
    for (let i = 0; i < 22; i++) {
      const connector = build();
      const page = await connector.fetchOrders(JSON.stringify({ after: new Date(now() - 10 * 60_000).toISOString() }));
      if (!page.ok && page.reason === "rate_limited") throttled++;
    }
    expect(sandbox.calls.get("orders_2026-01-01.json:searchOrders")).toMatchObject({ throttled: 2 });
    expect(throttled).toBe(2);

    // The real client keeps its bucket (one token short of Amazon's, for jitter): past it, it
    // answers rate_limited without calling.
    const { sandbox: fresh, connector } = await setup();
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await connector.fetchOrders(JSON.stringify({ after: new Date(now() - 10 * 60_000).toISOString() })));
    expect(results.filter((r) => !r.ok && r.reason === "rate_limited")).toHaveLength(2);
    expect(fresh.calls.get("orders_2026-01-01.json:searchOrders")).toMatchObject({ total: 19, throttled: 0 });
  });

  it("refreshes an expired token once and retries the call", async () => {
    const { sandbox, connector, persisted, advance } = await setup({ accessTokenTtlMs: 10 * 60_000 });
    expect((await connector.pushStock([{ sku: "SKU-RED", quantity: 7 }])).ok).toBe(true);
    // The server's token expires before the client's assumed one-hour lifetime.
    advance(11 * 60_000);
    const pushed = await connector.pushStock([{ sku: "SKU-RED", quantity: 6 }]);
    expect(pushed).toEqual({ ok: true, value: [{ sku: "SKU-RED", status: "applied" }] });
    expect(persisted).toHaveLength(2);
    expect(persisted[1]!.accessToken).not.toBe(persisted[0]!.accessToken);
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(6);
  });

  it("answers unavailable when the endpoint cannot be reached", async () => {
    const { sandbox, connector } = await setup();
    expect((await connector.pushStock([{ sku: "SKU-RED", quantity: 1 }])).ok).toBe(true);
    await sandbox.stop();
    expect(await connector.pushStock([{ sku: "SKU-RED", quantity: 2 }])).toEqual({ ok: true, value: [expect.objectContaining({ sku: "SKU-RED", status: "retry" })] });
    expect(await connector.fetchOrders(null)).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("answers unauthorized when LWA refuses the refresh token", async () => {
    const { build } = await setup();
    const connector = build({ refreshToken: "Atzr|revoked" });
    const result = await connector.pushStock([{ sku: "SKU-RED", quantity: 1 }]);
    expect(result).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("patches a few SKUs at once and rejects an unknown one without failing the batch", async () => {
    const { sandbox, connector } = await setup();
    const result = await connector.pushStock([
      { sku: "SKU-RED", quantity: 3 },
      { sku: "SKU-NOPE", quantity: 1 },
    ]);
    expect(result.ok && result.value.map((r) => r.status)).toEqual(["applied", "rejected"]);
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(3);
  });

  it("sends a large batch as a JSON_LISTINGS_FEED that stays pending until the report settles it", async () => {
    const { sandbox, connector, advance } = await setup({ feedProcessingDelayMs: 60_000 });
    const { statuses, feedId, messageIds } = await submitFeed(connector, [
      { sku: "SKU-RED", quantity: 8 },
      { sku: "SKU-BLUE", quantity: 2 },
      { sku: "SKU-GONE", quantity: 5 },
    ]);
    expect(statuses.every((status) => status === "pending")).toBe(true);
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(10);

    const early = await connector.settleStockFeed(feedId, messageIds);
    expect(early).toEqual({ ok: true, value: { done: false, processingStatus: "IN_QUEUE" } });
    advance(61_000);
    const settled = await connector.settleStockFeed(feedId, messageIds);
    if (!settled.ok || !settled.value.done) throw new Error("feed not settled");
    expect(settled.value.results.map((r) => r.status)).toEqual(["applied", "applied", "rejected"]);
    expect(settled.value.results[2]!.problem).toContain("SKU-GONE");
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(8);
    expect(sandbox.state.listings.get("SKU-BLUE")!.quantity).toBe(2);
  });

  it("patches a large batch instead of sending a second listings feed while one is being processed", async () => {
    const { sandbox, connector } = await setup({ feedProcessingDelayMs: 60_000 });
    const pushed = await connector.pushStock(
      [
        { sku: "SKU-RED", quantity: 7 },
        { sku: "SKU-BLUE", quantity: 1 },
        { sku: "SKU-JPY", quantity: 2 },
      ],
      { feedInFlight: true },
    );
    expect(pushed.ok && pushed.value.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(sandbox.calls.get("feeds_2021-06-30.json:createFeed")).toBeUndefined();
    expect(sandbox.state.listings.get("SKU-RED")!.quantity).toBe(7);
  });

  it("sends at most five listings feeds in five minutes, and patches beyond them; the sandbox refuses a sixth", async () => {
    const { sandbox, connector, build, advance } = await setup({ feedProcessingDelayMs: 60_000 });
    const batch = (quantity: number) => [
      { sku: "SKU-RED", quantity },
      { sku: "SKU-BLUE", quantity },
      { sku: "SKU-JPY", quantity },
    ];
    const statuses: string[] = [];
    for (let i = 0; i < 6; i++) {
      const pushed = await connector.pushStock(batch(i));
      if (!pushed.ok) throw new Error(pushed.detail);
      statuses.push(pushed.value[0]!.status);
      advance(10_000);
    }
    expect(statuses).toEqual(["pending", "pending", "pending", "pending", "pending", "applied"]);
    expect(sandbox.calls.get("feeds_2021-06-30.json:createFeed")).toEqual({ total: 5, throttled: 0 });

    // A client that did not count them (another process) is refused a sixth with 429 QuotaExceeded.
    expect(await build().pushStock(batch(6))).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(sandbox.calls.get("feeds_2021-06-30.json:createFeed")).toEqual({ total: 6, throttled: 1 });
    advance(5 * 60_000);
    const later = await connector.pushStock(batch(9));
    expect(later.ok && later.value[0]!.status).toBe("pending");
  });

  it("does not ask about a feed while its processing report could not be fetched", async () => {
    const { sandbox, connector, advance } = await setup({ feedProcessingDelayMs: 0 });
    const { feedId, messageIds } = await submitFeed(connector, [
      { sku: "SKU-RED", quantity: 8 },
      { sku: "SKU-BLUE", quantity: 2 },
      { sku: "SKU-JPY", quantity: 1 },
    ]);
    const reportBucket = connector.client.bucket("feeds_2021-06-30.json:getFeedDocument");
    while (reportBucket.available() >= 1) reportBucket.tryTake();

    expect(await connector.settleStockFeed(feedId, messageIds)).toEqual({ ok: true, value: { done: false, processingStatus: "NOT_ASKED" } });
    expect(sandbox.calls.get("feeds_2021-06-30.json:getFeed")).toBeUndefined();
    // Once a report can be fetched again, one getFeed and one getFeedDocument settle every item.
    advance(60_000);
    const settled = await connector.settleStockFeed(feedId, messageIds);
    expect(settled.ok && settled.value.done && settled.value.results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(sandbox.calls.get("feeds_2021-06-30.json:getFeed")).toEqual({ total: 1, throttled: 0 });
  });

  it("confirms a shipment with carrier and tracking once, and a retry is recognised", async () => {
    const { sandbox, connector } = await setup();
    const order = sandbox.generateOrder({ items: [{ sku: "SKU-RED", quantity: 2 }] })!;
    const request = {
      orderExternalId: order.orderId,
      tracking: { carrier: "UPS", trackingNumber: "1Z999AA10123456784", shippedAt: new Date("2026-11-30T13:00:00Z") },
      notifyCustomer: true,
      idempotencyKey: "ship-1",
    };
    const first = await connector.confirmFulfillment(request);
    expect(first).toEqual({ ok: true, value: { externalFulfillmentId: `${order.orderId}/1` } });
    expect(sandbox.state.orders.get(order.orderId)!.status).toBe("SHIPPED");
    expect(sandbox.state.orders.get(order.orderId)!.packages[0]).toMatchObject({ carrier: "UPS", trackingNumber: "1Z999AA10123456784" });
    const retry = await connector.confirmFulfillment(request);
    expect(retry).toEqual({ ok: true, value: { externalFulfillmentId: `${order.orderId}/1`, alreadyConfirmed: true } });
    expect(sandbox.state.orders.get(order.orderId)!.packages).toHaveLength(1);
  });

  it("cancels an unshipped order through an order acknowledgement feed", async () => {
    const { sandbox, connector } = await setup();
    const order = sandbox.generateOrder({ items: [{ sku: "SKU-BLUE", quantity: 1 }] })!;
    expect(sandbox.state.listings.get("SKU-BLUE")!.quantity).toBe(3);
    const result = await connector.cancelOrder({ orderExternalId: order.orderId, reason: "out_of_stock", idempotencyKey: "cancel-1" });
    expect(result).toEqual({ ok: true, value: { alreadyCancelled: false } });
    // Amazon applies the feed when it processes it (here: the next look at the feeds or the order).
    const feed = [...sandbox.state.feeds.values()].at(-1)!;
    expect(feed.feedType).toBe("POST_ORDER_ACKNOWLEDGEMENT_DATA");
    await connector.client.call("feeds_2021-06-30.json:getFeed", { path: { feedId: feed.feedId } });
    expect(sandbox.state.orders.get(order.orderId)!.status).toBe("CANCELLED");
    expect(sandbox.state.listings.get("SKU-BLUE")!.quantity).toBe(4);
    const again = await connector.cancelOrder({ orderExternalId: order.orderId, reason: "out_of_stock", idempotencyKey: "cancel-1" });
    expect(again).toEqual({ ok: true, value: { alreadyCancelled: true } });
  });
});
