import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carrierGatewayFor, type CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import { startEasyPostSandbox, type EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { jobPayloadSchemas } from "../../db/queue/job-payloads";
import { upsertCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { planShipments } from "../../db/repositories/shipment-repository";
import { storeDelivery } from "../../db/repositories/webhook-inbox-repository";
import { createWmsEndpoint, deactivateWmsEndpoint } from "../../db/repositories/wms-repository";
import { allocations, exceptions, inventoryMovements, labelPurchases, orderEvents, orders, shipments, variants, wmsHandoffs } from "../../db/schema";
import { LabelPurchaseRetry, purchaseLabel } from "../../jobs/tasks/shipping-buy-label.task";
import { voidLabel } from "../../jobs/tasks/shipping-void-label.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import { handOffShipment } from "../../jobs/tasks/wms-handoff.task";
import type { TaskContext } from "../../jobs/task-context";
import { createLocation, createShop, createVariant, ledgerMismatches, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { withBuy, wrapGateway } from "../helpers/carrier-gateway-wrap";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * Labels end to end on real PostgreSQL: the buy-label task through the official EasyPost SDK
 * against the EasyPost sandbox over HTTP. The properties under test are about money and stock:
 * a label is bought at most once per shipment whatever retries or crashes happen, and a parcel
 * leaves the ledger exactly when the carrier (or a person) says it left.
 */

const cipher = new CredentialCipher(randomBytes(32));
const API_KEY = "EZTK_labels_test";
const WEBHOOK_SECRET = "labels-webhook-secret";
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let shopId: string;
let eastId: string;
let westId: string;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startEasyPostSandbox({ port: 0, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, log: () => {} });
  const { db } = database;
  shopId = (await createShop(db)).id;
  eastId = (await createLocation(db, shopId, { name: "East", priority: 1, postalCode: "43207" })).id;
  westId = (await createLocation(db, shopId, { name: "West", priority: 2, postalCode: "89502", city: "Reno", region: "NV" })).id;
  for (const [sku, where] of [["BOOT", eastId], ["HAT", westId]] as const) {
    const variant = await createVariant(db, shopId, sku);
    await db.update(variants).set({ weightGrams: sku === "BOOT" ? 1400 : 200 }).where(eq(variants.id, variant.id));
    await receive(db, shopId, variant.id, where, 100);
  }
  await upsertCarrierAccount(db, cipher, { shopId, provider: "easypost", name: "EasyPost", apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, settings: { baseUrl: sandbox.apiBaseUrl } });
});
afterAll(async () => sandbox?.stop());

function context(factory: CarrierGatewayFactory = carrierGatewayFor): TaskContext {
  return { db: database.db, cipher, carrierGateways: factory };
}

async function plannedOrder(lines: ReturnType<typeof line>[], overrides: Parameters<typeof makeOrder>[0] extends infer O ? Partial<O> : never = {}) {
  const n = ++seq;
  const ingested = await ingestOrder(database.db, { shopId, actor: "test", order: makeOrder({ number: `#L${n}`, lines, shippingLines: [{ title: "Standard Shipping", priceMinor: 500 }], ...overrides }) });
  expect(ingested.status).toBe("reserved");
  const planned = await planShipments(database.db, { shopId, orderId: ingested.orderId, actor: "test" });
  if (!planned.ok) throw new Error(planned.reason);
  return { orderId: ingested.orderId, shipmentIds: planned.value.shipmentIds };
}

async function shipment(id: string) {
  const [row] = await database.db.select().from(shipments).where(eq(shipments.id, id));
  return row!;
}

const purchasesAtProvider = (providerShipmentId: string | null) => sandbox.state.purchases.filter((p) => p.shipmentId === providerShipmentId).length;

describe("labels per shipment", () => {
  it("splits an order whose lines sit at two locations into two shipments, each with its own label and tracking", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1), line("HAT", 2)]);
    expect(shipmentIds).toHaveLength(2);
    const [order] = await database.db.select({ status: orders.status, shippingMethod: orders.shippingMethod }).from(orders).where(eq(orders.id, orderId));
    expect(order).toEqual({ status: "allocated", shippingMethod: "Standard Shipping" });
    for (const id of shipmentIds) expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "purchased", reconciled: false });
    const rows = await Promise.all(shipmentIds.map(shipment));
    expect(new Set(rows.map((r) => r.locationId))).toEqual(new Set([eastId, westId]));
    expect(new Set(rows.map((r) => r.trackingNumber)).size).toBe(2);
    for (const row of rows) {
      expect(row).toMatchObject({ status: "label_purchased", currency: "USD" });
      expect(row.labelUrl).toMatch(/\/labels\/shp_[0-9a-f]+\.pdf$/);
      expect(row.carrier && row.service && row.trackingNumber && row.providerShipmentId && row.trackerId).toBeTruthy();
      expect(row.rateMinor).toBeGreaterThan(0);
      expect(row.rateExplanation).toMatch(/cheapest/);
      expect(purchasesAtProvider(row.providerShipmentId)).toBe(1);
    }
  });

  it("a redelivered job buys nothing more", async () => {
    const { shipmentIds } = await plannedOrder([line("BOOT", 1)]);
    const id = shipmentIds[0]!;
    const before = sandbox.state.purchases.length;
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toMatchObject({ status: "purchased" });
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "already_purchased" });
    expect(sandbox.state.purchases.length - before).toBe(1);
  });

  it("a worker crash after the provider bought, before we recorded it, is reconciled without a second purchase", async () => {
    const { shipmentIds } = await plannedOrder([line("HAT", 1)]);
    const id = shipmentIds[0]!;
    const crashing = withBuy(async (real, request) => {
      await real.buyLabel(request);
      throw new Error("worker killed after the provider answered");
    });
    await expect(purchaseLabel(context(crashing), { shopId, shipmentId: id })).rejects.toThrow("worker killed");
    const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    expect(record).toMatchObject({ state: "buying", attempt: 1 });
    expect((await shipment(id)).status).toBe("pending");

    // graphile-worker runs the job again (the same crashing gateway would not even be called to buy).
    expect(await purchaseLabel(context(crashing), { shopId, shipmentId: id })).toEqual({ status: "purchased", reconciled: true });
    const after = await shipment(id);
    expect(after.status).toBe("label_purchased");
    expect(purchasesAtProvider(record!.providerShipmentId)).toBe(1);
    expect(after.providerShipmentId).toBe(record!.providerShipmentId);
  });

  it("a lost answer (timeout after the purchase) is retried and reconciled, never bought twice", async () => {
    const { shipmentIds } = await plannedOrder([line("BOOT", 2)]);
    const id = shipmentIds[0]!;
    const lossy = withBuy(async (real, request) => {
      await real.buyLabel(request);
      return { ok: false, reason: "unavailable", detail: "socket hang up" };
    });
    await expect(purchaseLabel(context(lossy), { shopId, shipmentId: id })).rejects.toBeInstanceOf(LabelPurchaseRetry);
    await expect(purchaseLabel(context(lossy), { shopId, shipmentId: id })).resolves.toEqual({ status: "purchased", reconciled: true });
    const row = await shipment(id);
    expect(purchasesAtProvider(row.providerShipmentId)).toBe(1);
    expect(await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id))).toHaveLength(1);
  });

  it("an interrupted purchase that never reached the provider is bought on the retry, once", async () => {
    const { shipmentIds } = await plannedOrder([line("HAT", 3)]);
    const id = shipmentIds[0]!;
    const down = withBuy(async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }));
    await expect(purchaseLabel(context(down), { shopId, shipmentId: id })).rejects.toBeInstanceOf(LabelPurchaseRetry);
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "purchased", reconciled: false });
    expect(purchasesAtProvider((await shipment(id)).providerShipmentId)).toBe(1);
  });

  it("an address the carrier cannot deliver to buys nothing and raises one exception", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("HAT", 1)], {
      shippingAddress: { name: "Nobody", line1: "000 unknown street", city: "Not A City", region: "ZZ", postalCode: "00001", countryCode: "US" },
    });
    const id = shipmentIds[0]!;
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "failed", reason: "address_invalid" });
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "failed", reason: "address_invalid" });
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open")));
    expect(raised.map((e) => e.kind)).toEqual(["address_invalid"]);
    expect(await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id))).toHaveLength(0);
    expect((await shipment(id)).labelError).toMatch(/cannot deliver/);
  });

  describe("an interrupted purchase whose shipment was cancelled meanwhile (ADR 0009)", () => {
    /** Every buy the next run asks for is counted and refused: settling must never buy. */
    function countingBuys() {
      const calls: string[] = [];
      const factory = withBuy(async (_real, request) => {
        calls.push(request.providerShipmentId);
        return { ok: false, reason: "rejected", detail: "no buy expected" };
      });
      return { calls, factory };
    }

    async function interruptedThenCancelled(interrupt: CarrierGatewayFactory) {
      const { orderId, shipmentIds } = await plannedOrder([line("HAT", 1)]);
      const id = shipmentIds[0]!;
      await expect(purchaseLabel(context(interrupt), { shopId, shipmentId: id })).rejects.toThrow();
      const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
      expect(record).toMatchObject({ state: "buying", attempt: 1 });
      // Cancelled directly: the order itself stays as it was (only the shipment matters here).
      await database.db.update(shipments).set({ status: "cancelled" }).where(eq(shipments.id, id));
      return { orderId, id, record: record! };
    }

    it("a label the provider bought is recorded and refunded; the shipment stays cancelled and nothing is bought again", async () => {
      const crashing = withBuy(async (real, request) => {
        await real.buyLabel(request);
        throw new Error("worker killed after the provider answered");
      });
      const { orderId, id, record } = await interruptedThenCancelled(crashing);
      const buys = countingBuys();

      expect(await purchaseLabel(context(buys.factory), { shopId, shipmentId: id })).toEqual({ status: "not_pending", shipmentStatus: "cancelled" });
      expect(buys.calls).toEqual([]);
      expect(purchasesAtProvider(record.providerShipmentId)).toBe(1);
      const [bought] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
      expect(bought).toMatchObject({ state: "purchased", error: null });
      expect(bought!.amountMinor).toBeGreaterThan(0);
      expect(await shipment(id)).toMatchObject({ status: "cancelled", labelUrl: null, trackingNumber: null, providerShipmentId: null });
      const timeline = await database.db.select({ kind: orderEvents.kind, message: orderEvents.message }).from(orderEvents).where(eq(orderEvents.orderId, orderId));
      expect(timeline.filter((e) => e.kind === "label_found_refunding").map((e) => e.message)).toEqual([expect.stringMatching(/bought before the shipment was cancelled .* being refunded/)]);

      // The refund is queued with the record (rule 4); run it as the worker would.
      const queued = await database.db.execute<{ payload: unknown }>(sql`SELECT payload FROM graphile_worker._private_jobs WHERE key = ${`shipping/void-label:${id}:${record.id}`}`);
      expect(queued.rows).toHaveLength(1);
      const payload = jobPayloadSchemas["shipping/void-label"].parse(queued.rows[0]!.payload);
      expect(await voidLabel(context(), payload)).toEqual({ status: "voided", refund: "submitted" });
      expect(sandbox.state.refunds).toContain(record.providerShipmentId);
      const [voided] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
      expect(voided).toMatchObject({ state: "voided", refundStatus: "submitted" });
      expect((await shipment(id)).status).toBe("cancelled");

      // A later run (or the redelivered job) buys nothing and queues no second refund.
      expect(await purchaseLabel(context(buys.factory), { shopId, shipmentId: id })).toEqual({ status: "not_pending", shipmentStatus: "cancelled" });
      expect(buys.calls).toEqual([]);
      expect(await voidLabel(context(), payload)).toEqual({ status: "refused", reason: "no_label" });
      expect(sandbox.state.refunds.filter((r) => r === record.providerShipmentId)).toHaveLength(1);
    });

    it("a purchase that never reached the provider ends failed, buys nothing and returns not_pending", async () => {
      const down = withBuy(async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }));
      const { orderId, id, record } = await interruptedThenCancelled(down);
      const buys = countingBuys();

      expect(await purchaseLabel(context(buys.factory), { shopId, shipmentId: id })).toEqual({ status: "not_pending", shipmentStatus: "cancelled" });
      expect(buys.calls).toEqual([]);
      expect(purchasesAtProvider(record.providerShipmentId)).toBe(0);
      const [failed] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
      expect(failed!.state).toBe("failed");
      expect(failed!.error).toMatch(/shipment_not_pending/);
      expect((await shipment(id)).status).toBe("cancelled");
      expect(await database.db.select().from(exceptions).where(eq(exceptions.orderId, orderId))).toEqual([]);
      const queued = await database.db.execute(sql`SELECT 1 FROM graphile_worker._private_jobs WHERE key LIKE ${`shipping/void-label:${id}%`}`);
      expect(queued.rows).toHaveLength(0);
    });

    it("a void naming a purchase never refunds the label a shipment holds", async () => {
      const { shipmentIds } = await plannedOrder([line("BOOT", 1)]);
      const id = shipmentIds[0]!;
      await purchaseLabel(context(), { shopId, shipmentId: id });
      const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
      // (A cancelled shipment's own label is unused and is refunded: see "cancelling an order".)
      expect(await voidLabel(context(), { shopId, shipmentId: id, actor: "system:label", purchaseId: record!.id })).toEqual({ status: "refused", reason: "no_label" });
      expect(sandbox.state.refunds).not.toContain(record!.providerShipmentId);
    });

    it("a provider that cannot be reached leaves the record buying for the retry", async () => {
      const down = withBuy(async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }));
      const { id, record } = await interruptedThenCancelled(down);
      const unreachable = wrapGateway(() => ({
        buyLabel: async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }),
        findLabel: async () => ({ ok: false, reason: "unavailable", detail: "timeout" }),
      }));
      await expect(purchaseLabel(context(unreachable), { shopId, shipmentId: id })).rejects.toBeInstanceOf(LabelPurchaseRetry);
      const [still] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
      expect(still!.state).toBe("buying");
    });
  });

  it("voids an unused label and buys a new one as a new attempt", async () => {
    const { shipmentIds } = await plannedOrder([line("BOOT", 1)]);
    const id = shipmentIds[0]!;
    await purchaseLabel(context(), { shopId, shipmentId: id });
    const first = (await shipment(id)).providerShipmentId;
    expect(await voidLabel(context(), { shopId, shipmentId: id, actor: "user:test" })).toEqual({ status: "voided", refund: "submitted" });
    expect(await shipment(id)).toMatchObject({ status: "pending", labelUrl: null, trackingNumber: null });
    expect(sandbox.state.refunds).toContain(first);
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toMatchObject({ status: "purchased" });
    const records = await database.db.select({ attempt: labelPurchases.attempt, state: labelPurchases.state }).from(labelPurchases).where(eq(labelPurchases.shipmentId, id)).orderBy(labelPurchases.attempt);
    expect(records).toEqual([{ attempt: 1, state: "voided" }, { attempt: 2, state: "purchased" }]);
  });
});

describe("two runs racing for one shipment's label (ADR 0009)", () => {
  // A second shipping/buy-label job runs beside the first when the key is added again while the
  // first is running (the merchant's "Buy label again", a re-plan): graphile-worker then starts a
  // new job instead of replacing the running one.

  /** What the merchant would see go wrong: open exceptions, failed-label entries, a label error. */
  async function merchantVisibleFailures(orderId: string, id: string) {
    const open = await database.db.select({ kind: exceptions.kind }).from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open")));
    const failedEntries = await database.db.select({ message: orderEvents.message }).from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "label_failed")));
    return { exceptions: open.map((e) => e.kind), failedEntries: failedEntries.map((e) => e.message), labelError: (await shipment(id)).labelError };
  }
  const noFailures = { exceptions: [], failedEntries: [], labelError: null };

  const labelEntries = async (orderId: string) =>
    (await database.db.select({ kind: orderEvents.kind }).from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "label_purchased")))).length;

  /** The race ended as one purchase: one label bought at the provider, one timeline entry, nothing gone wrong for the merchant. */
  async function expectOneLabelQuietly(orderId: string, id: string) {
    expect(purchasesAtProvider((await shipment(id)).providerShipmentId)).toBe(1);
    expect(await merchantVisibleFailures(orderId, id)).toEqual(noFailures);
    expect(await labelEntries(orderId)).toBe(1);
  }

  /** The planning's queued job, removed so a test sees only what the runs themselves queue. */
  async function withoutQueuedBuy(id: string) {
    await database.db.execute(sql`SELECT graphile_worker.remove_job(${`shipping/buy-label:${id}`})`);
  }

  async function queuedBuys(id: string) {
    const rows = await database.db.execute<{ payload: unknown; due_later: boolean }>(
      sql`SELECT j.payload, j.run_at > now() AS due_later
            FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
           WHERE t.identifier = 'shipping/buy-label' AND j.payload->>'shipmentId' = ${id}`,
    );
    return rows.rows;
  }

  it("a run whose buy is refused because the other run just bought the label takes that label as bought: no failure, no exception", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1)]);
    const id = shipmentIds[0]!;
    let other: unknown;
    // This run has committed its `buying` record; the other run starts now, finds the record,
    // sees no label at the provider yet and buys the same provider shipment before this one does.
    const overtaken = withBuy(async (real, request) => {
      other = await purchaseLabel(context(), { shopId, shipmentId: id });
      return real.buyLabel(request);
    });

    expect(await purchaseLabel(context(overtaken), { shopId, shipmentId: id })).toEqual({ status: "already_purchased" });
    expect(other).toEqual({ status: "purchased", reconciled: false });
    const records = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    expect(records.map((r) => ({ attempt: r.attempt, state: r.state, error: r.error }))).toEqual([{ attempt: 1, state: "purchased", error: null }]);
    const row = await shipment(id);
    expect(row.status).toBe("label_purchased");
    await expectOneLabelQuietly(orderId, id);
  });

  it("a run that finds the other run's purchase still under way at the provider ends in progress and is checked again later", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("HAT", 1)]);
    const id = shipmentIds[0]!;
    await withoutQueuedBuy(id);
    const hold = sandbox.holdPurchases();
    try {
      const winner = purchaseLabel(context(), { shopId, shipmentId: id });
      await hold.reached;
      // Finds the `buying` record, no label at the provider, and a buy refused (postage exists).
      expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "in_progress" });
      const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
      expect(record).toMatchObject({ state: "buying", error: null });
      expect(await merchantVisibleFailures(orderId, id)).toEqual(noFailures);
      expect(await queuedBuys(id)).toEqual([{ payload: { shopId, shipmentId: id }, due_later: true }]);

      hold.release();
      expect(await winner).toEqual({ status: "purchased", reconciled: false });
    } finally {
      hold.release();
    }
    // The check queued for later finds the label recorded.
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "already_purchased" });
    await expectOneLabelQuietly(orderId, id);
  });

  it("of two runs that shop at once, the one whose record loses ends in progress; the other buys", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 2)]);
    const id = shipmentIds[0]!;
    await withoutQueuedBuy(id);
    const hold = sandbox.holdPurchases();
    let winner: Promise<unknown> | undefined;
    // This run has read "no record" and is shopping; the other starts now, writes its record
    // first and is buying by the time this one writes its own.
    const late = wrapGateway((real) => ({
      rates: async (request) => {
        const rates = await real.rates(request);
        winner = purchaseLabel(context(), { shopId, shipmentId: id });
        await hold.reached;
        return rates;
      },
    }));
    try {
      expect(await purchaseLabel(context(late), { shopId, shipmentId: id })).toEqual({ status: "in_progress" });
      expect(await merchantVisibleFailures(orderId, id)).toEqual(noFailures);
      expect(await queuedBuys(id)).toEqual([{ payload: { shopId, shipmentId: id }, due_later: true }]);
      hold.release();
      expect(await winner).toEqual({ status: "purchased", reconciled: false });
    } finally {
      hold.release();
      await winner?.catch(() => undefined);
    }
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "already_purchased" });
    const records = await database.db.select({ attempt: labelPurchases.attempt, state: labelPurchases.state }).from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    expect(records).toEqual([{ attempt: 1, state: "purchased" }]);
    expect(purchasesAtProvider((await shipment(id)).providerShipmentId)).toBe(1);
  });

  it("eight runs racing buy one label; none fails or raises an exception", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("HAT", 2)]);
    const id = shipmentIds[0]!;
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => purchaseLabel(context(), { shopId, shipmentId: id })));
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    const statuses = outcomes.map((o) => (o as PromiseFulfilledResult<{ status: string }>).value.status);
    expect(statuses.filter((s) => s === "purchased")).toHaveLength(1);
    for (const status of statuses) expect(["purchased", "already_purchased", "in_progress"]).toContain(status);
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "already_purchased" });
    const records = await database.db.select({ state: labelPurchases.state }).from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    expect(records).toEqual([{ state: "purchased" }]);
    expect([...sandbox.state.shipments.values()].filter((s) => s.reference === id && s.postage_label)).toHaveLength(1);
    expect(await merchantVisibleFailures(orderId, id)).toEqual(noFailures);
    expect(await labelEntries(orderId)).toBe(1);
  });
});

describe("tracking updates from EasyPost webhooks", () => {
  async function deliverEvent(trackerId: string, status?: string) {
    const { tracker } = await sandbox.advanceTracker(trackerId, status);
    const body = JSON.stringify({ id: `evt_${randomBytes(8).toString("hex")}`, object: "Event", description: "tracker.updated", result: tracker, updated_at: tracker.updated_at });
    const event = JSON.parse(body) as { id: string; result: { id: string; updated_at: string } };
    const stored = await storeDelivery(database.db, { shopId, channel: "easypost", deliveryId: event.id, topic: "tracker.updated", resourceId: event.result.id, payload: event });
    if (!stored.stored) throw new Error("not stored");
    return { rowId: stored.rowId, event };
  }

  it("an in-transit scan ships the parcel through the ledger; delivered delivers the order once every parcel is delivered", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1), line("HAT", 1)]);
    for (const id of shipmentIds) await purchaseLabel(context(), { shopId, shipmentId: id });
    const [east, west] = await Promise.all(shipmentIds.map(shipment));

    const transit = await deliverEvent(east!.trackerId!);
    expect(await processWebhookDelivery(context(), transit.rowId)).toMatchObject({ delivery: "handled", status: "processed" });
    expect(await shipment(east!.id)).toMatchObject({ status: "shipped", trackingStatus: "in_transit" });
    const [afterOne] = await database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    expect(afterOne!.status).toBe("partially_shipped");
    const shipMoves = await database.db
      .select({ quantity: inventoryMovements.quantity, onHandDelta: inventoryMovements.onHandDelta, reservedDelta: inventoryMovements.reservedDelta })
      .from(inventoryMovements)
      .innerJoin(allocations, sql`${allocations.orderLineId}::text = ${inventoryMovements.causeId}`)
      .where(and(eq(inventoryMovements.kind, "ship"), eq(allocations.shipmentId, east!.id)));
    expect(shipMoves).toEqual([{ quantity: 1, onHandDelta: -1, reservedDelta: -1 }]);
    // The confirmation to the source channel is queued with the shipment.
    const jobs = await database.db.execute(sql`SELECT 1 FROM graphile_worker._private_jobs WHERE key = ${`channels/confirm-fulfillment:${east!.id}`}`);
    expect(jobs.rows).toHaveLength(1);

    // Processing the same delivery again (a retried job) changes nothing.
    expect(await processWebhookDelivery(context(), transit.rowId)).toMatchObject({ delivery: "already_finished" });

    for (const s of [east!, west!]) {
      const delivered = await deliverEvent(s.trackerId!, "delivered");
      expect(await processWebhookDelivery(context(), delivered.rowId)).toMatchObject({ status: "processed" });
    }
    expect(await shipment(west!.id)).toMatchObject({ status: "delivered" });
    const [done] = await database.db.select({ status: orders.status }).from(orders).where(eq(orders.id, orderId));
    expect(done!.status).toBe("delivered");
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });

  it("a failed delivery puts the order in front of a person; an unknown tracker is ignored", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("HAT", 1)]);
    await purchaseLabel(context(), { shopId, shipmentId: shipmentIds[0]! });
    const row = await shipment(shipmentIds[0]!);
    const problem = await deliverEvent(row.trackerId!, "return_to_sender");
    await processWebhookDelivery(context(), problem.rowId);
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.kind, "delivery_problem")));
    expect(raised).toHaveLength(1);

    const stray = await storeDelivery(database.db, {
      shopId,
      channel: "easypost",
      deliveryId: "evt_stray",
      topic: "tracker.updated",
      payload: { id: "evt_stray", object: "Event", description: "tracker.updated", result: { id: "trk_unknown", tracking_code: "X1", status: "in_transit", carrier: "USPS" } },
    });
    if (!stray.stored) throw new Error("not stored");
    expect(await processWebhookDelivery(context(), stray.rowId)).toMatchObject({ status: "ignored_stale" });
  });
});

describe("cancelling an order cancels its shipments and refunds their unused labels", () => {
  async function voidJobs(shipmentId: string) {
    const queued = await database.db.execute<{ payload: unknown }>(sql`SELECT payload FROM graphile_worker._private_jobs WHERE key LIKE ${`shipping/void-label:${shipmentId}%`}`);
    return queued.rows.map((row) => jobPayloadSchemas["shipping/void-label"].parse(row.payload));
  }
  const timelineOf = (orderId: string) =>
    database.db.select({ kind: orderEvents.kind, message: orderEvents.message }).from(orderEvents).where(eq(orderEvents.orderId, orderId));

  it("a merchant cancelling an order with a pending shipment cancels it and queues no refund", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1)]);
    const id = shipmentIds[0]!;
    expect(await applyMerchantOrderAction(database.db, { shopId, orderId, action: "cancel", actor: "user:test" })).toMatchObject({ ok: true, to: "cancelled" });
    expect((await shipment(id)).status).toBe("cancelled");
    expect(await voidJobs(id)).toEqual([]);
    expect((await timelineOf(orderId)).filter((e) => e.kind === "shipments_cancelled").map((e) => e.message)).toEqual(["Cancelled 1 shipment"]);
    // Nothing is bought for it afterwards.
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "not_pending", shipmentStatus: "cancelled" });
  });

  it("a merchant cancelling an order whose label is bought cancels the shipment and refunds the label; the shipment stays cancelled", async () => {
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1)]);
    const id = shipmentIds[0]!;
    await purchaseLabel(context(), { shopId, shipmentId: id });
    const bought = await shipment(id);
    expect(bought.status).toBe("label_purchased");
    expect(await applyMerchantOrderAction(database.db, { shopId, orderId, action: "cancel", actor: "user:test" })).toMatchObject({ ok: true, to: "cancelled" });
    expect((await shipment(id)).status).toBe("cancelled");
    const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    const jobs = await voidJobs(id);
    expect(jobs).toEqual([{ shopId, shipmentId: id, actor: "user:test", purchaseId: record!.id }]);
    expect((await timelineOf(orderId)).filter((e) => e.kind === "shipments_cancelled").map((e) => e.message)).toEqual([`Cancelled 1 shipment; refunding label ${bought.trackingNumber}`]);

    expect(await voidLabel(context(), jobs[0]!)).toEqual({ status: "voided", refund: "submitted" });
    expect(sandbox.state.refunds).toContain(bought.providerShipmentId);
    const [voided] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record!.id));
    expect(voided).toMatchObject({ state: "voided", refundStatus: "submitted" });
    expect((await shipment(id)).status).toBe("cancelled");
    // A redelivered refund does nothing more.
    expect(await voidLabel(context(), jobs[0]!)).toEqual({ status: "refused", reason: "no_label" });
    expect(sandbox.state.refunds.filter((r) => r === bought.providerShipmentId)).toHaveLength(1);
  });

  it("a channel cancellation cancels the shipments the same way", async () => {
    const externalId = `cancel-${randomBytes(4).toString("hex")}`;
    const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1), line("HAT", 1)], { externalId });
    const [labelled, waiting] = shipmentIds as [string, string];
    await purchaseLabel(context(), { shopId, shipmentId: labelled });
    const later = new Date("2026-11-21T10:00:00Z");
    const cancelled = await ingestOrder(database.db, { shopId, actor: "shopify", order: makeOrder({ externalId, cancelled: true, sourceUpdatedAt: later, lines: [line("BOOT", 1), line("HAT", 1)] }) });
    expect(cancelled).toMatchObject({ orderId, status: "cancelled" });
    expect((await shipment(labelled)).status).toBe("cancelled");
    expect((await shipment(waiting)).status).toBe("cancelled");
    expect(await voidJobs(waiting)).toEqual([]);
    const jobs = await voidJobs(labelled);
    expect(jobs).toHaveLength(1);
    expect(await voidLabel(context(), jobs[0]!)).toEqual({ status: "voided", refund: "submitted" });
    expect((await shipment(labelled)).status).toBe("cancelled");
    expect(await ledgerMismatches(database.db, shopId)).toEqual([]);
  });

  it("an order whose shipment was handed to a WMS raises an exception to stop the pick, and the pending hand-off is not sent", async () => {
    const endpointId = await createWmsEndpoint(database.db, cipher, { shopId, locationId: null, url: "http://127.0.0.1:9/wms", secret: "wms-secret" });
    try {
      const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1)]);
      const id = shipmentIds[0]!;
      await purchaseLabel(context(), { shopId, shipmentId: id });
      const [handoff] = await database.db.select().from(wmsHandoffs).where(eq(wmsHandoffs.shipmentId, id));
      expect(handoff).toMatchObject({ status: "pending" });
      expect(await applyMerchantOrderAction(database.db, { shopId, orderId, action: "cancel", actor: "user:test" })).toMatchObject({ ok: true });
      const raised = await database.db.select({ kind: exceptions.kind, details: exceptions.details }).from(exceptions).where(eq(exceptions.orderId, orderId));
      expect(raised).toEqual([{ kind: "wms_pick_cancel", details: { shipmentIds: [id] } }]);
      expect(await handOffShipment(context(), { shopId, handoffId: handoff!.id }, { attempts: 1, maxAttempts: 10 })).toEqual({ status: "shipment_cancelled" });
    } finally {
      await deactivateWmsEndpoint(database.db, shopId, endpointId);
    }
  });

  it("a label bought while its order was being cancelled is not written onto the shipment nor handed to a WMS: it is refunded", async () => {
    const endpointId = await createWmsEndpoint(database.db, cipher, { shopId, locationId: null, url: "http://127.0.0.1:9/wms", secret: "wms-secret" });
    try {
      const { orderId, shipmentIds } = await plannedOrder([line("BOOT", 1)]);
      const id = shipmentIds[0]!;
      // The merchant cancels after the task read the shipment as pending, while the provider buys.
      const cancelDuringBuy = withBuy(async (real, request) => {
        const answer = await real.buyLabel(request);
        expect(await applyMerchantOrderAction(database.db, { shopId, orderId, action: "cancel", actor: "user:test" })).toMatchObject({ ok: true });
        return answer;
      });
      expect(await purchaseLabel(context(cancelDuringBuy), { shopId, shipmentId: id })).toEqual({ status: "purchased", reconciled: false });
      expect(await shipment(id)).toMatchObject({ status: "cancelled", labelUrl: null, trackingNumber: null, providerShipmentId: null });
      expect(await database.db.select().from(wmsHandoffs).where(eq(wmsHandoffs.shipmentId, id))).toEqual([]);
      const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
      expect(record).toMatchObject({ state: "purchased" });
      expect((await timelineOf(orderId)).map((e) => e.kind)).toContain("label_found_refunding");
      const jobs = await voidJobs(id);
      expect(jobs).toEqual([{ shopId, shipmentId: id, actor: "system:label", purchaseId: record!.id }]);
      expect(await voidLabel(context(), jobs[0]!)).toEqual({ status: "voided", refund: "submitted" });
      expect(sandbox.state.refunds).toContain(record!.providerShipmentId);
      expect((await shipment(id)).status).toBe("cancelled");
    } finally {
      await deactivateWmsEndpoint(database.db, shopId, endpointId);
    }
  });
});
