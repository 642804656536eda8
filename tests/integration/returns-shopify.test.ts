import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import nock from "nock";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSecret } from "../../app/config/demo-mode.server";
import { setDatabaseForTests } from "../../app/db.server";
import { action as refundsCreate } from "../../app/routes/webhooks.refunds.create";
import { action as returnsApprove } from "../../app/routes/webhooks.returns.approve";
import { action as returnsCancel } from "../../app/routes/webhooks.returns.cancel";
import { action as returnsClose } from "../../app/routes/webhooks.returns.close";
import { action as returnsDecline } from "../../app/routes/webhooks.returns.decline";
import { action as returnsProcess } from "../../app/routes/webhooks.returns.process";
import { action as returnsReopen } from "../../app/routes/webhooks.returns.reopen";
import { action as returnsRequest } from "../../app/routes/webhooks.returns.request";
import { AdminGraphqlClient } from "../../connectors/shopify/admin-graphql-client";
import { loadAdminSchema } from "../../connectors/shopify/admin-schema-loader";
import { startShopifySandbox, type ShopifySandbox } from "../../connectors/shopify/sandbox/shopify-sandbox.server";
import { ShopifyConnector } from "../../connectors/shopify/shopify-connector";
import { ShopifyReturnWriter } from "../../connectors/shopify/shopify-return-writer";
import { SHOPIFY_RETURN_TOPICS } from "../../connectors/shopify/shopify-webhook-topics";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { recordExceptionRetry } from "../../db/repositories/exception-repository";
import { markChannelReturnPlacing } from "../../db/repositories/return-channel-repository";
import { applyReturnStep, inspectReturn, recordReturnLabel } from "../../db/repositories/return-lifecycle-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { channelConnections, exceptions, orderEvents, returnEvents, returnLines, returns, shipments, webhookDeliveries } from "../../db/schema";
import { plainRefundKey, syncReturnToChannel } from "../../jobs/tasks/returns-sync-channel.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { createConnection, shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { createLocation, createShop, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { variants, products } from "../../db/schema";

/**
 * Shopify returns both ways against the sandbox, over real HTTP on 127.0.0.1: our RMA mirrored
 * with the 2026-04 return mutations, and the sandbox's signed returns/* webhooks (what a
 * merchant does in Shopify's admin, and the echoes of our own calls) delivered to the app's
 * routes, stored in the inbox and mapped onto the RMA.
 */

const SHOP = "returns-mirror.myshopify.com";
const TOKEN = "shpat_returns_mirror";
const cipher = new CredentialCipher(randomBytes(32));
let database: TestDatabase;
let sandbox: ShopifySandbox;
let app: Server;
let shopId: string;
let locationId: string;
let connectionId: string;
let shopify: ShopifyConnector;

const ROUTES: Record<string, unknown> = {
  "returns/request": returnsRequest,
  "returns/approve": returnsApprove,
  "returns/decline": returnsDecline,
  "returns/process": returnsProcess,
  "returns/cancel": returnsCancel,
  "returns/close": returnsClose,
  "returns/reopen": returnsReopen,
  "refunds/create": refundsCreate,
};
type RouteAction = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>;

beforeAll(() => void loadAdminSchema(), 60_000);

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  database = await createTestDatabase();
  setDatabaseForTests(database.db);
  // The app's webhook routes behind a real HTTP server, so the sandbox's signed deliveries take the real path.
  app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const topic = (req.url ?? "").replace(/^\/webhooks\//, "");
      const action = ROUTES[topic] as RouteAction | undefined;
      if (!action) {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const response = await action({ request: new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }), params: {}, context: {} });
      res.writeHead(response.status).end(await response.text());
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  sandbox = await startShopifySandbox({
    port: 0,
    shopDomain: SHOP,
    accessToken: TOKEN,
    webhookSecret: webhookSecret(),
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    seed: {
      locations: [{ name: "Main" }],
      variants: [
        { sku: "RET-TEE", title: "Tee", price: "20.00" },
        { sku: "RET-TEE-L", title: "Tee L", price: "20.00" },
      ],
      inventory: [
        { sku: "RET-TEE", location: "Main", available: 500 },
        { sku: "RET-TEE-L", location: "Main", available: 500 },
      ],
    },
    log: () => {},
  });
  const { db } = database;
  const shop = await createShop(db, SHOP);
  shopId = shop.id;
  locationId = (await createLocation(db, shopId, { name: "Main", externalId: sandbox.state.locations[0]!.id })).id;
  for (const sku of ["RET-TEE", "RET-TEE-L"]) {
    const [product] = await db.insert(products).values({ shopId, title: sku }).returning();
    const [variant] = await db
      .insert(variants)
      .values({ shopId, productId: product!.id, sku, title: sku, priceMinor: 2_000, externalId: sandbox.state.variants.find((v) => v.sku === sku)!.id })
      .returning();
    await receive(db, shopId, variant!.id, locationId, 500);
  }
  connectionId = (
    await createConnection(db, shopId, {
      locationIds: [locationId],
      credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }),
      settings: { baseUrl: sandbox.url },
    })
  ).id;
  shopify = new ShopifyConnector({ client: new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, sleep: async () => {} }) });
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise((resolve) => app?.close(resolve));
  setDatabaseForTests(undefined);
  nock.enableNetConnect();
});

const context = () => ({ db: database.db, connectors: shopifyConnectorsFor(database.db, cipher) });
const firstAttempt = { attempts: 1, maxAttempts: 8 };

/** A paid Shopify order of `quantity` tees, ingested, shipped here and (unless told) fulfilled in Shopify, delivered 2 days ago. */
async function deliveredOrder(quantity: number, options: { fulfilledInShopify?: boolean } = {}) {
  const { order } = await sandbox.simulateOrder({ send: false, lines: [{ sku: "RET-TEE", quantity }] });
  order.financialStatus = "PAID";
  const lineGid = order.lineItems[0]!.id;
  const { db } = database;
  const ingested = await ingestOrder(db, {
    shopId,
    actor: "test",
    order: makeOrder({ externalId: order.id, number: order.name, lines: [{ ...line("RET-TEE", quantity, lineGid), unitPriceMinor: 2_000 }], subtotalMinor: 2_000 * quantity, totalMinor: 2_000 * quantity }),
  });
  const shipped = await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "USPS", service: "Ground", trackingNumber: `T-${order.legacyId}` }) });
  if (!shipped.ok) throw new Error(shipped.reason);
  await db.update(shipments).set({ deliveredAt: new Date(Date.now() - 2 * 86_400_000) }).where(eq(shipments.orderId, ingested.orderId));
  if (options.fulfilledInShopify !== false) {
    const fulfilled = await shopify.confirmFulfillment({ orderId: order.id, tracking: { company: "USPS", number: `T-${order.legacyId}` }, notifyCustomer: false });
    if (!fulfilled.ok) throw new Error(fulfilled.detail);
  }
  const [orderLine] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  return { sandboxOrder: order, orderId: ingested.orderId, orderLineId: orderLine!.id, lineGid };
}

async function portalReturn(orderId: string, orderLineId: string, quantity: number, resolution: "refund" | "store_credit" | "exchange" = "refund") {
  const exchangeVariantId = resolution === "exchange" ? (await database.db.select({ id: variants.id }).from(variants).where(and(eq(variants.shopId, shopId), eq(variants.sku, "RET-TEE-L"))))[0]!.id : undefined;
  const requested = await requestReturn(database.db, {
    shopId,
    orderId,
    resolution,
    source: "portal",
    actor: "customer",
    lines: [{ orderLineId, quantity, reason: "size_too_small", note: "runs small", ...(exchangeVariantId ? { exchangeVariantId } : {}) }],
  });
  if (!requested.ok) throw new Error(`${requested.reason}: ${requested.detail}`);
  return requested.value.returnId;
}

const sync = (returnId: string) => syncReturnToChannel(context(), { shopId, returnId }, firstAttempt);

/** Waits for the sandbox's webhooks, then runs the webhooks/process job for every stored delivery, oldest first (or as told). */
async function processDeliveries(order: "oldest_first" | "newest_first" = "oldest_first") {
  await sandbox.idle();
  const pending = await database.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.shopId, shopId), eq(webhookDeliveries.status, "received")))
    .orderBy(asc(webhookDeliveries.id));
  const outcomes = [];
  for (const row of order === "oldest_first" ? pending : [...pending].reverse()) outcomes.push(await processWebhookDelivery({ db: database.db }, row.id));
  return outcomes;
}

async function rma(returnId: string) {
  const [row] = await database.db.select().from(returns).where(eq(returns.id, returnId));
  return row!;
}

const sandboxReturn = (id: string | null) => sandbox.state.returns.find((r) => r.id === id)!;

describe("our returns mirrored in Shopify", () => {
  it("requests, approves, attaches the label, processes with the refund and closes; echoes change nothing", async () => {
    const { orderId, orderLineId, sandboxOrder } = await deliveredOrder(2);
    const returnId = await portalReturn(orderId, orderLineId, 1);
    // The job was queued with the request, on the order's channel queue.
    const queued = await database.db.execute<{ queue: string | null }>(
      sql`SELECT queue_name AS queue FROM graphile_worker.jobs WHERE task_identifier = 'returns/sync-channel' AND key = ${`returns/sync-channel:${returnId}`}`,
    );
    expect(queued.rows).toEqual([{ queue: `channel-order:${orderId}` }]);

    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["request"] });
    const requested = await rma(returnId);
    expect(requested).toMatchObject({ status: "requested", channelSyncState: "synced", channelSyncError: null });
    expect(sandboxReturn(requested.channelReturnId)).toMatchObject({ status: "REQUESTED", orderId: sandboxOrder.id, lines: [expect.objectContaining({ quantity: 1, note: "runs small" })] });
    // Shopify's returns/request for our own request: recognised, nothing changes.
    expect(await processDeliveries()).toEqual([expect.objectContaining({ status: "processed" })]);
    expect((await rma(returnId)).status).toBe("requested");

    await applyReturnStep(database.db, { shopId, returnId, event: "approve", actor: "user:m" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["approve"] });
    await recordReturnLabel(database.db, { shopId, returnId, actor: "user:m", carrier: "USPS", trackingNumber: "RET-9400", labelUrl: "https://labels.example/RET-9400.pdf" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["attach_label"] });
    const shopifyReturn = sandboxReturn(requested.channelReturnId);
    expect(shopifyReturn.status).toBe("OPEN");
    expect(shopifyReturn.reverseFulfillmentOrder!.deliveries).toEqual([expect.objectContaining({ trackingNumber: "RET-9400", labelUrl: "https://labels.example/RET-9400.pdf" })]);

    for (const event of ["mark_in_transit", "receive"] as const) await applyReturnStep(database.db, { shopId, returnId, event, actor: "tracker" });
    const [returnLine] = await database.db.select().from(returnLines).where(eq(returnLines.returnId, returnId));
    expect((await inspectReturn(database.db, { shopId, returnId, actor: "user:m", lines: [{ returnLineId: returnLine!.id, grade: "A" }] })).ok).toBe(true);
    await applyReturnStep(database.db, { shopId, returnId, event: "refund", actor: "user:m" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["process"] });
    expect(shopifyReturn.lines[0]).toMatchObject({ processedQuantity: 1, disposition: { type: "RESTOCKED", locationId: sandbox.state.locations[0]!.id } });
    const refunds = sandbox.state.refunds.filter((r) => r.orderId === sandboxOrder.id);
    expect(refunds).toEqual([expect.objectContaining({ returnId: shopifyReturn.id, amountMinor: requested.payoutMinor })]);
    expect(requested.payoutMinor).toBeGreaterThan(0);

    // Run again (a redelivered job, a retry after a lost answer): nothing is processed or refunded twice.
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    expect(sandbox.state.refunds.filter((r) => r.orderId === sandboxOrder.id)).toHaveLength(1);

    await applyReturnStep(database.db, { shopId, returnId, event: "close", actor: "user:m" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["close"] });
    expect(shopifyReturn.status).toBe("CLOSED");
    // Every echo (approve, process, close) and the refund's refunds/create: processed, the RMA untouched.
    const outcomes = await processDeliveries();
    expect(outcomes.map((o) => ("status" in o ? o.status : o.delivery))).toEqual(outcomes.map(() => "processed"));
    expect((await rma(returnId)).status).toBe("closed");
    const events = await database.db.select({ message: returnEvents.message }).from(returnEvents).where(eq(returnEvents.returnId, returnId)).orderBy(asc(returnEvents.id));
    expect(events.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Shopify: return #\d+-R1 requested$/), "Shopify: return approved", "Shopify: return label RET-9400 attached", "Shopify: return closed"]));
  });

  it("mirrors an exchange once approved, with its new item, and processes it without money", async () => {
    const { orderId, orderLineId } = await deliveredOrder(1);
    const returnId = await portalReturn(orderId, orderLineId, 1, "exchange");
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    expect((await rma(returnId)).channelReturnId).toBeNull();
    await applyReturnStep(database.db, { shopId, returnId, event: "approve", actor: "user:m" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["create"] });
    const created = sandboxReturn((await rma(returnId)).channelReturnId);
    expect(created).toMatchObject({ status: "OPEN", exchangeLines: [expect.objectContaining({ variantId: sandbox.state.variants.find((v) => v.sku === "RET-TEE-L")!.id, quantity: 1 })] });
    for (const event of ["receive"] as const) await applyReturnStep(database.db, { shopId, returnId, event, actor: "user:m" });
    const [returnLine] = await database.db.select().from(returnLines).where(eq(returnLines.returnId, returnId));
    await inspectReturn(database.db, { shopId, returnId, actor: "user:m", lines: [{ returnLineId: returnLine!.id, grade: "C" }] });
    await applyReturnStep(database.db, { shopId, returnId, event: "exchange", actor: "user:m" });
    const refundsBefore = sandbox.state.refunds.length;
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["process"] });
    expect(created.exchangeLines[0]!.processedQuantity).toBe(1);
    expect(created.lines[0]!.disposition?.type).not.toBe("RESTOCKED");
    expect(sandbox.state.refunds.length).toBe(refundsBefore);
    await processDeliveries();
  });

  it("finds a placement whose answer was lost instead of placing it twice", async () => {
    const { orderId, orderLineId, sandboxOrder, lineGid } = await deliveredOrder(1);
    const returnId = await portalReturn(orderId, orderLineId, 1);
    // The first run committed `placing` and Shopify made the return, then the worker died.
    await markChannelReturnPlacing(database.db, returnId);
    const writer = new ShopifyReturnWriter(new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, sleep: async () => {} }));
    await writer.requestReturn({ orderExternalId: sandboxOrder.id, lines: [{ externalLineId: lineGid, quantity: 1, reason: "size_too_small" }] });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    expect(sandbox.state.returns.filter((r) => r.orderId === sandboxOrder.id)).toHaveLength(1);
    expect((await rma(returnId)).channelReturnId).toBe(sandbox.state.returns.find((r) => r.orderId === sandboxOrder.id)!.id);
    await processDeliveries();
  });

  it("recognises its own placement when Shopify's returns/request arrives before the job recorded it", async () => {
    const { orderId, orderLineId, sandboxOrder, lineGid } = await deliveredOrder(2);
    const returnId = await portalReturn(orderId, orderLineId, 2);
    await markChannelReturnPlacing(database.db, returnId);
    const writer = new ShopifyReturnWriter(new AdminGraphqlClient({ endpoint: sandbox.graphqlUrl, accessToken: TOKEN, sleep: async () => {} }));
    await writer.requestReturn({ orderExternalId: sandboxOrder.id, lines: [{ externalLineId: lineGid, quantity: 2, reason: "size_too_small" }] });
    expect(await processDeliveries()).toEqual([expect.objectContaining({ status: "processed" })]);
    const placed = sandbox.state.returns.find((r) => r.orderId === sandboxOrder.id)!;
    expect(await rma(returnId)).toMatchObject({ channelReturnId: placed.id, status: "requested", source: "portal" });
    expect(await database.db.select().from(returns).where(eq(returns.orderId, orderId))).toHaveLength(1);
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    expect(sandbox.state.returns.filter((r) => r.orderId === sandboxOrder.id)).toHaveLength(1);
  });

  it("refunds with refundCreate and a key stable per return when Shopify holds nothing returnable, never twice", async () => {
    const { orderId, orderLineId, sandboxOrder } = await deliveredOrder(1, { fulfilledInShopify: false });
    const returnId = await portalReturn(orderId, orderLineId, 1);
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["request"] });
    expect(await rma(returnId)).toMatchObject({ channelSyncState: "unmirrorable", channelReturnId: null });
    for (const event of ["approve", "receive"] as const) await applyReturnStep(database.db, { shopId, returnId, event, actor: "user:m" });
    const [returnLine] = await database.db.select().from(returnLines).where(eq(returnLines.returnId, returnId));
    await inspectReturn(database.db, { shopId, returnId, actor: "user:m", lines: [{ returnLineId: returnLine!.id, grade: "A" }] });
    await applyReturnStep(database.db, { shopId, returnId, event: "refund", actor: "user:m" });

    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["plain_refund"] });
    const after = await rma(returnId);
    expect(after.channelRefundId).toMatch(/^gid:\/\/shopify\/Refund\//);
    expect(sandbox.state.idempotency.has(`refundCreate:${plainRefundKey(returnId)}`)).toBe(true);
    // The answer was lost (nothing recorded): the rerun sends the same key and gets the same refund back.
    await database.db.update(returns).set({ channelRefundId: null }).where(eq(returns.id, returnId));
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["plain_refund"] });
    expect((await rma(returnId)).channelRefundId).toBe(after.channelRefundId);
    expect(sandbox.state.refunds.filter((r) => r.orderId === sandboxOrder.id)).toEqual([expect.objectContaining({ amountMinor: after.payoutMinor })]);
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    await processDeliveries();
  });

  it("mirrors nothing, and raises nothing, for an order Shopify does not have (the demo's seeded history)", async () => {
    const { orderId, orderLineId, sandboxOrder } = await deliveredOrder(1, { fulfilledInShopify: false });
    sandbox.state.orders.splice(sandbox.state.orders.indexOf(sandboxOrder), 1);
    const returnId = await portalReturn(orderId, orderLineId, 1);
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["request"] });
    expect(await rma(returnId)).toMatchObject({ channelSyncState: "order_missing", channelReturnId: null });
    for (const event of ["approve", "receive"] as const) await applyReturnStep(database.db, { shopId, returnId, event, actor: "user:m" });
    const [returnLine] = await database.db.select().from(returnLines).where(eq(returnLines.returnId, returnId));
    await inspectReturn(database.db, { shopId, returnId, actor: "user:m", lines: [{ returnLineId: returnLine!.id, grade: "A" }] });
    await applyReturnStep(database.db, { shopId, returnId, event: "refund", actor: "user:m" });
    expect(await sync(returnId)).toEqual({ status: "in_step", actions: [] });
    expect(await rma(returnId)).toMatchObject({ channelSyncState: "order_missing", channelRefundId: null });
    expect(await database.db.select().from(exceptions).where(eq(exceptions.orderId, orderId))).toEqual([]);
  });

  it("shows a refusal on the return, the order and the exceptions queue, and clears it once in step", async () => {
    const { orderId, orderLineId } = await deliveredOrder(1);
    const returnId = await portalReturn(orderId, orderLineId, 1);
    await database.db.update(channelConnections).set({ credentialsEncrypted: cipher.encryptJson({ accessToken: "shpat_revoked" }) }).where(eq(channelConnections.id, connectionId));
    try {
      expect(await sync(returnId)).toMatchObject({ status: "failed", reason: "unauthorized" });
    } finally {
      await database.db.update(channelConnections).set({ credentialsEncrypted: cipher.encryptJson({ accessToken: TOKEN }) }).where(eq(channelConnections.id, connectionId));
    }
    expect(await rma(returnId)).toMatchObject({ channelSyncState: "failed", channelSyncError: expect.stringContaining("unauthorized") });
    const open = () =>
      database.db
        .select()
        .from(exceptions)
        .where(and(eq(exceptions.orderId, orderId), eq(exceptions.kind, "channel_write_failed"), eq(exceptions.status, "open")));
    expect(await open()).toEqual([expect.objectContaining({ details: expect.objectContaining({ operation: "sync_return", returnId }) })]);
    const timeline = await database.db.select({ message: orderEvents.message }).from(orderEvents).where(eq(orderEvents.orderId, orderId));
    expect(timeline.map((e) => e.message)).toContainEqual(expect.stringMatching(/^Return not sent to Shopify: unauthorized/));

    // The exceptions queue's Retry queues the return's sync again.
    await database.db.execute(sql`SELECT graphile_worker.remove_job(${`returns/sync-channel:${returnId}`})`);
    const retried = await recordExceptionRetry(database.db, { shopId, exceptionId: (await open())[0]!.id, actor: "user:m" });
    expect(retried).toMatchObject({ ok: true, value: { work: { kind: "channel_write", operation: "sync_return" } } });
    const requeued = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`returns/sync-channel:${returnId}`}`);
    expect(requeued.rows[0]!.count).toBe(1);

    expect(await sync(returnId)).toEqual({ status: "in_step", actions: ["request"] });
    expect(await open()).toEqual([]);
    await processDeliveries();
  });

  it("retries throttling and outages by throwing, and records the last attempt", async () => {
    const { orderId, orderLineId } = await deliveredOrder(1);
    const returnId = await portalReturn(orderId, orderLineId, 1);
    const down: typeof fetch = async () => {
      throw new TypeError("fetch failed: ECONNREFUSED");
    };
    const offline = { db: database.db, connectors: shopifyConnectorsFor(database.db, cipher, { fetch: down }) };
    await expect(syncReturnToChannel(offline, { shopId, returnId }, firstAttempt)).rejects.toThrow(/will be retried: unavailable/);
    expect(await syncReturnToChannel(offline, { shopId, returnId }, { attempts: 8, maxAttempts: 8 })).toMatchObject({ status: "failed", reason: "unavailable" });
    expect(await sync(returnId)).toMatchObject({ status: "in_step" });
    await processDeliveries();
  });
});

describe("returns made in Shopify's admin", () => {
  it("become an RMA on returns/request, stored once however often it is delivered, then move with Shopify", async () => {
    const { sandboxOrder, lineGid, orderId } = await deliveredOrder(2);
    const made = await sandbox.merchantReturn({ action: "request", orderId: sandboxOrder.id, lines: [{ lineItemId: lineGid, quantity: 1, reason: "defective" }] });
    expect(made.errors).toEqual([]);
    expect(made.deliveries).toEqual([expect.objectContaining({ topic: "returns/request", status: 200 })]);
    await processDeliveries();
    const [created] = await database.db.select().from(returns).where(eq(returns.channelReturnId, made.returnId!));
    expect(created).toMatchObject({ orderId, source: "shopify", externalId: made.returnId, status: "requested", resolution: "refund", channelSyncState: "synced" });
    const [createdLine] = await database.db.select().from(returnLines).where(eq(returnLines.returnId, created!.id));
    expect(createdLine).toMatchObject({ quantity: 1, reason: "defective" });

    // Shopify redelivers the same event, and sends it again as a new event: still one RMA.
    const payload = (await import("../../connectors/shopify/sandbox/sandbox-return-views")).returnWebhookPayload(sandboxReturn(made.returnId), sandbox.state);
    await sandbox.sendWebhook("returns/request", payload, { eventId: randomUUID() });
    expect(await processDeliveries()).toEqual([expect.objectContaining({ status: "processed" })]);
    expect(await database.db.select().from(returns).where(eq(returns.orderId, orderId))).toHaveLength(1);

    await sandbox.merchantReturn({ action: "approve", returnId: made.returnId! });
    await processDeliveries();
    expect((await rma(created!.id)).status).toBe("approved");
    // Nothing is written back for what Shopify told us: no sync job for these steps.
    const jobs = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`returns/sync-channel:${created!.id}`}`);
    expect(jobs.rows[0]!.count).toBe(0);

    await sandbox.merchantReturn({ action: "process", returnId: made.returnId! });
    await processDeliveries();
    expect((await rma(created!.id)).status).toBe("received");
    await sandbox.merchantReturn({ action: "close", returnId: made.returnId! });
    await processDeliveries();
    // Closed in Shopify before it was inspected and resolved here: kept on the timeline, not forced.
    expect((await rma(created!.id)).status).toBe("received");
    const events = await database.db.select({ kind: returnEvents.kind, message: returnEvents.message }).from(returnEvents).where(eq(returnEvents.returnId, created!.id));
    expect(events).toContainEqual({ kind: "channel_conflict", message: expect.stringContaining("closed on the channel, but received here") });
  });

  it("end the same whatever order the webhooks arrive in", async () => {
    const { sandboxOrder, lineGid, orderId } = await deliveredOrder(1);
    const made = await sandbox.merchantReturn({ action: "request", orderId: sandboxOrder.id, lines: [{ lineItemId: lineGid, quantity: 1, reason: "wrong_item" }] });
    await sandbox.merchantReturn({ action: "decline", returnId: made.returnId!, note: "outside the window" });
    // returns/decline is processed before returns/request.
    await processDeliveries("newest_first");
    const rows = await database.db.select().from(returns).where(eq(returns.orderId, orderId));
    expect(rows).toEqual([expect.objectContaining({ status: "declined", declineReason: "other: outside the window", channelReturnId: made.returnId })]);

    const second = await deliveredOrder(1);
    const other = await sandbox.merchantReturn({ action: "request", orderId: second.sandboxOrder.id, lines: [{ lineItemId: second.lineGid, quantity: 1, reason: "unwanted" }] });
    await sandbox.merchantReturn({ action: "approve", returnId: other.returnId! });
    await sandbox.merchantReturn({ action: "cancel", returnId: other.returnId! });
    await processDeliveries("newest_first");
    expect(await database.db.select({ status: returns.status }).from(returns).where(eq(returns.orderId, second.orderId))).toEqual([{ status: "cancelled" }]);
  });

  it("keeps a payload it cannot use as a failed delivery with the reason", async () => {
    await sandbox.sendWebhook("returns/approve", { id: "not-a-number", status: "open" });
    await sandbox.sendWebhook("returns/cancel", { id: 123456789, admin_graphql_api_id: "gid://shopify/Return/123456789", status: "canceled" });
    const outcomes = await processDeliveries();
    expect(outcomes).toEqual([
      expect.objectContaining({ status: "failed", error: expect.stringContaining("returns/approve payload is invalid") }),
      expect.objectContaining({ status: "failed", error: expect.stringContaining("carries no lines") }),
    ]);
  });
});

describe("subscriptions", () => {
  it("declares every returns topic in shopify.app.toml with its route", () => {
    const toml = readFileSync("shopify.app.toml", "utf8");
    for (const topic of SHOPIFY_RETURN_TOPICS) {
      expect(toml).toContain(`topics = [ "${topic}" ]\n  uri = "/webhooks/${topic}"`);
      expect(ROUTES[topic], topic).toBeTypeOf("function");
    }
  });
});
