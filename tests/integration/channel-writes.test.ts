import { randomBytes } from "node:crypto";
import nock from "nock";
import { and, eq, sql } from "drizzle-orm";
import type { JobHelpers } from "graphile-worker";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import type { Database } from "../../db/client";
import { recordExceptionRetry } from "../../db/repositories/exception-repository";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { allocations, exceptions, orderEvents, orders, shipments } from "../../db/schema";
import type { JobPayload, TaskName } from "../../db/queue/job-payloads";
import { buildTaskList } from "../../jobs/task-list";
import { ChannelWriteRetry } from "../../jobs/tasks/channel-write";
import { createConnection, shopifyConnectorsFor } from "../helpers/channel-fixtures";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Cancellations and fulfillments written back to the source channel: queued with the local
 * change, sent by the channels/* tasks through the real registry, ShopifyConnector and Admin
 * GraphQL client, with Shopify answered by nock in the 2026-04 wire format.
 */

const SHOPIFY = "https://shopify-sandbox.switchyard.test";
const GRAPHQL_PATH = "/admin/api/2026-04/graphql.json";
const cipher = new CredentialCipher(randomBytes(32));
const EAST_GID = "gid://shopify/Location/71";

interface Sent {
  query: string;
  variables: Record<string, unknown>;
}

let database: TestDatabase;
let shopId: string;
let eastId: string;
let westId: string;
let variantId: string;
let orderSeq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  nock.disableNetConnect();
  const { db } = database;
  const shop = await createShop(db);
  shopId = shop.id;
  eastId = (await createLocation(db, shopId, { name: "East", priority: 1, externalId: EAST_GID })).id;
  westId = (await createLocation(db, shopId, { name: "West", priority: 2 })).id;
  variantId = (await createVariant(db, shopId, "TEE")).id;
  await receive(db, shopId, variantId, eastId, 1000);
  await createConnection(db, shopId, {
    channel: "shopify",
    name: shop.domain,
    locationIds: [eastId],
    credentialsEncrypted: cipher.encryptJson({ accessToken: "shpat_writes" }),
    settings: { baseUrl: SHOPIFY },
  });
  await createConnection(db, shopId, { channel: "amazon", name: "Amazon US", locationIds: [eastId] });
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const context = () => ({ db: database.db, connectors: shopifyConnectorsFor(database.db, cipher) });

async function runTask<T extends TaskName>(task: T, payload: JobPayload<T>, attempts = 1): Promise<void> {
  const helpers = {
    job: { attempts, max_attempts: 8 },
    logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
  } as unknown as JobHelpers;
  await buildTaskList(context())[task]!(payload, helpers);
}

/** A reserved Shopify (or other channel) order for `quantity` tees. */
async function reservedOrder(channel: "shopify" | "amazon" = "shopify", quantity = 2) {
  const n = ++orderSeq;
  const externalId = channel === "shopify" ? `gid://shopify/Order/${5000 + n}` : `112-0000000-${1000000 + n}`;
  const result = await ingestOrder(database.db, {
    shopId,
    actor: "test",
    order: makeOrder({ channel, externalId, number: `#W${n}`, lines: [line("TEE", quantity, channel === "shopify" ? `gid://shopify/LineItem/${9000 + n}` : `amz-line-${n}`)] }),
  });
  expect(result.status).toBe("reserved");
  return { orderId: result.orderId, externalId, lineId: channel === "shopify" ? `gid://shopify/LineItem/${9000 + n}` : `amz-line-${n}` };
}

async function jobsByKey(key: string) {
  const result = await database.db.execute<{ task_identifier: string; payload: Record<string, unknown>; max_attempts: number; queue_name: string | null }>(
    // The public jobs view hides payloads; the private tables are graphile-worker's own storage.
    sql`SELECT t.identifier AS task_identifier, j.payload, j.max_attempts, q.queue_name
          FROM graphile_worker._private_jobs j
          JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
         WHERE j.key = ${key}`,
  );
  return result.rows;
}

async function timeline(orderId: string) {
  return database.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(orderEvents.id);
}

async function channelExceptions(orderId: string) {
  return database.db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.orderId, orderId), eq(exceptions.kind, "channel_write_failed")));
}

async function statusOf(orderId: string) {
  const [row] = await database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
  return row!.status;
}

const cancelAs = (db: Database, orderId: string) => applyMerchantOrderAction(db, { shopId, orderId, action: "cancel", actor: "user:test" });

describe("cancelling in the admin", () => {
  it("queues exactly one cancel job for the order, with bounded retries, in its own queue", async () => {
    const { orderId } = await reservedOrder();
    expect(await cancelAs(database.db, orderId)).toMatchObject({ ok: true, to: "cancelled" });
    // A second cancel is refused by the state machine and queues nothing.
    expect(await cancelAs(database.db, orderId)).toMatchObject({ ok: false });
    expect(await jobsByKey(`channels/cancel-order:${orderId}`)).toEqual([
      { task_identifier: "channels/cancel-order", payload: { shopId, orderId }, max_attempts: 8, queue_name: `channel-order:${orderId}` },
    ]);
  });

  it("rolls the job back with the cancellation, and the cancellation back with the job", async () => {
    const { db } = database;
    const first = await reservedOrder();
    await expect(
      db.transaction(async (tx) => {
        await cancelAs(tx as unknown as Database, first.orderId);
        throw new Error("crash after the cancellation");
      }),
    ).rejects.toThrow(/crash/);
    expect(await statusOf(first.orderId)).toBe("reserved");
    expect(await jobsByKey(`channels/cancel-order:${first.orderId}`)).toEqual([]);

    const second = await reservedOrder();
    await db.execute(sql`
      CREATE FUNCTION pg_temp_refuse_channel_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'job table unavailable'; END $$`);
    await db.execute(sql`CREATE TRIGGER refuse_channel_jobs BEFORE INSERT ON graphile_worker._private_jobs FOR EACH ROW EXECUTE FUNCTION pg_temp_refuse_channel_jobs()`);
    try {
      const failure = await cancelAs(db, second.orderId).catch((error: unknown) => error);
      expect(String((failure as Error).cause)).toMatch(/job table unavailable/);
    } finally {
      await db.execute(sql`DROP TRIGGER refuse_channel_jobs ON graphile_worker._private_jobs`);
      await db.execute(sql`DROP FUNCTION pg_temp_refuse_channel_jobs()`);
    }
    expect(await statusOf(second.orderId)).toBe("reserved");
    const held = await db.select({ status: allocations.status }).from(allocations).where(eq(allocations.orderId, second.orderId));
    expect(held.map((a) => a.status)).toEqual(["reserved"]);
    expect((await timeline(second.orderId)).map((e) => e.kind)).not.toContain("cancel");
  });

  it("does not echo a cancellation the channel itself sent", async () => {
    const { orderId, externalId, lineId } = await reservedOrder();
    const later = new Date("2026-11-21T10:00:00Z");
    const result = await ingestOrder(database.db, {
      shopId,
      actor: "webhook:shopify",
      order: makeOrder({ externalId, number: "#echo", cancelled: true, sourceUpdatedAt: later, lines: [line("TEE", 2, lineId)] }),
    });
    expect(result).toMatchObject({ outcome: "updated", status: "cancelled" });
    expect(await jobsByKey(`channels/cancel-order:${orderId}`)).toEqual([]);
  });
});

describe("channels/cancel-order", () => {
  it("cancels the order on Shopify and writes the timeline", async () => {
    const { orderId, externalId } = await reservedOrder();
    await cancelAs(database.db, orderId);
    let cancel: Sent | undefined;
    nock(SHOPIFY, { reqheaders: { "X-Shopify-Access-Token": "shpat_writes" } })
      .post(GRAPHQL_PATH, (b: Sent) => b.query.includes("SwitchyardOrderCancelState") && b.variables.orderId === externalId)
      .reply(200, { data: { order: { id: externalId, cancelledAt: null } } })
      .post(GRAPHQL_PATH, (b: Sent) => ((cancel = b), b.query.includes("orderCancel(")))
      .reply(200, { data: { orderCancel: { job: { id: "gid://shopify/Job/c1", done: false }, orderCancelUserErrors: [] } } });

    await runTask("channels/cancel-order", { shopId, orderId });

    expect(cancel!.variables).toMatchObject({ orderId: externalId, reason: "OTHER", restock: true, notifyCustomer: true, refundMethod: { originalPaymentMethodsRefund: false } });
    const events = await timeline(orderId);
    expect(events.at(-1)).toMatchObject({ kind: "channel:cancel_order:sent", message: "Cancellation sent to Shopify" });
    expect(await channelExceptions(orderId)).toEqual([]);
  });

  it("raises channel_write_failed once when Shopify does not know the order, and does not retry", async () => {
    const { orderId, externalId } = await reservedOrder();
    await cancelAs(database.db, orderId);
    nock(SHOPIFY).post(GRAPHQL_PATH).twice().reply(200, { data: { order: null } });

    await runTask("channels/cancel-order", { shopId, orderId });
    // The same job run again (a re-queue, a manual retry) does not pile up exceptions.
    await runTask("channels/cancel-order", { shopId, orderId });

    const raised = await channelExceptions(orderId);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      status: "open",
      message: expect.stringMatching(/^Cancellation not sent to Shopify: not_found/),
      details: expect.objectContaining({ operation: "cancel_order", channel: "shopify", reason: "not_found", detail: expect.stringContaining(externalId) }),
    });
    expect((await timeline(orderId)).filter((e) => e.kind === "channel:cancel_order:failed")).toHaveLength(2);

    // The merchant's Retry queues the cancellation again; Shopify now answers and the exception closes.
    const retry = await recordExceptionRetry(database.db, { shopId, exceptionId: raised[0]!.id, actor: "user:test" });
    expect(retry).toMatchObject({ ok: true, value: { work: { kind: "channel_write", operation: "cancel_order" } } });
    expect(await jobsByKey(`channels/cancel-order:${orderId}`)).toHaveLength(1);
    nock(SHOPIFY).post(GRAPHQL_PATH).reply(200, { data: { order: { id: externalId, cancelledAt: "2026-11-21T10:00:00Z" } } });
    await runTask("channels/cancel-order", { shopId, orderId });
    expect((await channelExceptions(orderId))[0]).toMatchObject({ status: "resolved" });
    expect((await timeline(orderId)).at(-1)!.message).toBe("Cancellation sent to Shopify (it was already cancelled there)");
  });

  it("throws on a network failure so the worker retries, and surfaces it on the last attempt", async () => {
    const { orderId } = await reservedOrder();
    await cancelAs(database.db, orderId);
    nock(SHOPIFY).post(GRAPHQL_PATH).twice().replyWithError("socket hang up");

    await expect(runTask("channels/cancel-order", { shopId, orderId }, 1)).rejects.toBeInstanceOf(ChannelWriteRetry);
    expect(await channelExceptions(orderId)).toEqual([]);

    await runTask("channels/cancel-order", { shopId, orderId }, 8);
    expect(await channelExceptions(orderId)).toEqual([expect.objectContaining({ details: expect.objectContaining({ reason: "unavailable" }) })]);
  });

  it("notes on the timeline that an Amazon order's cancellation was not sent, without an exception", async () => {
    const { orderId } = await reservedOrder("amazon");
    await cancelAs(database.db, orderId);
    await runTask("channels/cancel-order", { shopId, orderId });
    expect((await timeline(orderId)).at(-1)).toMatchObject({
      kind: "channel:cancel_order:skipped",
      message: "Cancellation not sent: Amazon connector not available yet",
    });
    expect(await channelExceptions(orderId)).toEqual([]);
  });
});

describe("channels/confirm-fulfillment", () => {
  const fulfillmentOrders = (externalId: string, lineId: string, fulfillments: unknown[] = []) => ({
    data: {
      order: {
        id: externalId,
        cancelledAt: null,
        fulfillments,
        fulfillmentOrders: {
          pageInfo: { hasNextPage: false },
          nodes: [
            {
              id: "gid://shopify/FulfillmentOrder/810",
              status: "OPEN",
              assignedLocation: { name: "East", location: { id: EAST_GID } },
              lineItems: {
                pageInfo: { hasNextPage: false },
                nodes: [{ id: "gid://shopify/FulfillmentOrderLineItem/8100", sku: "TEE", remainingQuantity: 2, totalQuantity: 2, lineItem: { id: lineId } }],
              },
            },
          ],
        },
      },
    },
  });

  async function shipped(channel: "shopify" | "amazon" = "shopify") {
    const order = await reservedOrder(channel);
    const outcome = await shipReservedOrder(database.db, {
      shopId,
      orderId: order.orderId,
      actor: "user:test",
      shipment: () => ({ carrier: "UPS", service: "Manual", trackingNumber: "1Z999AA10123456784", trackingUrl: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }),
    });
    if (!outcome.ok) throw new Error(outcome.reason);
    return { ...order, shipmentId: outcome.value.shipmentIds[0]! };
  }

  it("is queued with the shipment, and the demo seed's history can opt out", async () => {
    const { shipmentId, orderId } = await shipped();
    expect(await jobsByKey(`channels/confirm-fulfillment:${shipmentId}`)).toEqual([
      { task_identifier: "channels/confirm-fulfillment", payload: { shopId, shipmentId }, max_attempts: 8, queue_name: `channel-order:${orderId}` },
    ]);
    const quiet = await reservedOrder();
    const outcome = await shipReservedOrder(database.db, {
      shopId,
      orderId: quiet.orderId,
      actor: "system:demo-seed",
      confirmOnChannel: false,
      shipment: () => ({ carrier: "USPS", service: "Ground", trackingNumber: "9400" }),
    });
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(await jobsByKey(`channels/confirm-fulfillment:${outcome.value.shipmentIds[0]}`)).toEqual([]);
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });

  it("creates the Shopify fulfillment with tracking from the shipment's location and records its id", async () => {
    const { orderId, externalId, lineId, shipmentId } = await shipped();
    let created: Sent | undefined;
    nock(SHOPIFY)
      .post(GRAPHQL_PATH, (b: Sent) => b.query.includes("SwitchyardOrderFulfillmentOrders") && b.variables.orderId === externalId)
      .reply(200, fulfillmentOrders(externalId, lineId))
      .post(GRAPHQL_PATH, (b: Sent) => ((created = b), b.query.includes("fulfillmentCreate")))
      .reply(200, {
        data: {
          fulfillmentCreate: {
            fulfillment: { id: "gid://shopify/Fulfillment/4401", status: "SUCCESS", trackingInfo: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }] },
            userErrors: [],
          },
        },
      });

    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });

    expect(created!.variables.fulfillment).toEqual({
      notifyCustomer: true,
      trackingInfo: { company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" },
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/810", fulfillmentOrderLineItems: [{ id: "gid://shopify/FulfillmentOrderLineItem/8100", quantity: 2 }] }],
    });
    const [row] = await database.db.select().from(shipments).where(eq(shipments.id, shipmentId));
    expect(row).toMatchObject({ channelFulfillmentId: "gid://shopify/Fulfillment/4401", channelError: null });
    expect(row!.channelConfirmedAt).toBeInstanceOf(Date);
    expect((await timeline(orderId)).at(-1)).toMatchObject({
      kind: "channel:confirm_fulfillment:sent",
      message: "Fulfillment sent to Shopify (tracking UPS 1Z999AA10123456784)",
    });

    // Confirmed already: a re-run does not call Shopify (nock would fail on an unexpected request).
    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });
  });

  it("records Shopify's refusal on the shipment and raises one exception", async () => {
    const { orderId, externalId, lineId, shipmentId } = await shipped();
    nock(SHOPIFY)
      .post(GRAPHQL_PATH)
      .reply(200, fulfillmentOrders(externalId, lineId))
      .post(GRAPHQL_PATH)
      .reply(200, { data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field: ["fulfillment"], message: "Fulfillment order is not in an actionable state." }] } } });

    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });

    const [row] = await database.db.select().from(shipments).where(eq(shipments.id, shipmentId));
    expect(row).toMatchObject({ channelFulfillmentId: null, channelConfirmedAt: null, channelError: expect.stringMatching(/rejected: user_errors: .*actionable state/) });
    expect(await channelExceptions(orderId)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ operation: "confirm_fulfillment", reason: "rejected", shipmentId }) }),
    ]);
  });

  it("raises channel_write_failed once for an order Shopify does not know", async () => {
    const { orderId, shipmentId } = await shipped();
    nock(SHOPIFY).post(GRAPHQL_PATH).twice().reply(200, { data: { order: null } });
    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });
    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });
    expect(await channelExceptions(orderId)).toEqual([expect.objectContaining({ status: "open", details: expect.objectContaining({ reason: "not_found" }) })]);
  });

  it("notes that an Amazon shipment was not sent, without an exception", async () => {
    const { orderId, shipmentId } = await shipped("amazon");
    await runTask("channels/confirm-fulfillment", { shopId, shipmentId });
    expect((await timeline(orderId)).at(-1)).toMatchObject({ message: "Fulfillment not sent: Amazon connector not available yet" });
    expect(await channelExceptions(orderId)).toEqual([]);
    const [row] = await database.db.select().from(shipments).where(eq(shipments.id, shipmentId));
    expect(row!.channelConfirmedAt).toBeNull();
  });

  it("keeps split parcels with one tracking number apart: a sibling's fulfillment is not a repeat", async () => {
    const { db } = database;
    const n = ++orderSeq;
    const externalId = `gid://shopify/Order/${5000 + n}`;
    // The tee is only at East and the mug only at West: the order ships as two parcels.
    const mug = await createVariant(db, shopId, `MUG-${n}`);
    await receive(db, shopId, mug.id, westId, 3);
    const result = await ingestOrder(db, {
      shopId,
      actor: "test",
      order: makeOrder({
        externalId,
        number: `#S${n}`,
        lines: [line("TEE", 1, `gid://shopify/LineItem/${9500 + n}`), line(`MUG-${n}`, 1, `gid://shopify/LineItem/${9600 + n}`)],
      }),
    });
    expect(result.status).toBe("reserved");
    const outcome = await shipReservedOrder(db, {
      shopId,
      orderId: result.orderId,
      actor: "user:test",
      shipment: () => ({ carrier: "FedEx", service: "Manual", trackingNumber: "7777" }),
    });
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.value.shipmentIds).toHaveLength(2);
    const rows = await db.select().from(shipments).where(eq(shipments.orderId, result.orderId));
    const eastShipment = rows.find((s) => s.locationId === eastId)!;
    const westShipment = rows.find((s) => s.locationId === westId)!;
    await db.update(shipments).set({ channelFulfillmentId: "gid://shopify/Fulfillment/1", channelConfirmedAt: new Date() }).where(eq(shipments.id, eastShipment.id));

    // Shopify already holds East's fulfillment with the same number; West's must still be created.
    const existing = [{ id: "gid://shopify/Fulfillment/1", status: "SUCCESS", trackingInfo: [{ company: "FedEx", number: "7777" }] }];
    const order = {
      data: {
        order: {
          id: externalId,
          cancelledAt: null,
          fulfillments: existing,
          fulfillmentOrders: {
            pageInfo: { hasNextPage: false },
            nodes: [
              {
                id: "gid://shopify/FulfillmentOrder/820",
                status: "OPEN",
                assignedLocation: { name: "Shop location", location: { id: "gid://shopify/Location/72" } },
                lineItems: {
                  pageInfo: { hasNextPage: false },
                  nodes: [{ id: "gid://shopify/FulfillmentOrderLineItem/8200", sku: `MUG-${n}`, remainingQuantity: 1, totalQuantity: 1, lineItem: { id: `gid://shopify/LineItem/${9600 + n}` } }],
                },
              },
            ],
          },
        },
      },
    };
    let created: Sent | undefined;
    nock(SHOPIFY)
      .post(GRAPHQL_PATH)
      .reply(200, order)
      .post(GRAPHQL_PATH, (b: Sent) => ((created = b), true))
      .reply(200, { data: { fulfillmentCreate: { fulfillment: { id: "gid://shopify/Fulfillment/2", status: "SUCCESS", trackingInfo: [] }, userErrors: [] } } });

    await runTask("channels/confirm-fulfillment", { shopId, shipmentId: westShipment.id });

    // West mirrors no Shopify location, so no location filter; only West's own line is sent.
    expect(created!.variables.fulfillment).toMatchObject({
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: "gid://shopify/FulfillmentOrder/820", fulfillmentOrderLineItems: [{ id: "gid://shopify/FulfillmentOrderLineItem/8200", quantity: 1 }] }],
    });
    const [west] = await db.select().from(shipments).where(eq(shipments.id, westShipment.id));
    expect(west!.channelFulfillmentId).toBe("gid://shopify/Fulfillment/2");
  });
});
