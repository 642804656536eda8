import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carrierGatewayFor, type CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import { startEasyPostSandbox, type EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { upsertCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyReturnStep } from "../../db/repositories/return-lifecycle-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { storeDelivery } from "../../db/repositories/webhook-inbox-repository";
import { exceptions, returnEvents, returnLabelPurchases, returns, shipments, variants } from "../../db/schema";
import { purchaseReturnLabel } from "../../jobs/tasks/returns-buy-label.task";
import { processWebhookDelivery } from "../../jobs/tasks/webhooks-process.task";
import type { TaskContext } from "../../jobs/task-context";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { withBuy } from "../helpers/carrier-gateway-wrap";

/**
 * Return labels through EasyPost on real PostgreSQL against the EasyPost sandbox: an approved
 * return gets one `is_return` label however many runs race for it or crash around the purchase,
 * and the tracker's events move the RMA to in transit and received.
 */

const cipher = new CredentialCipher(randomBytes(32));
const API_KEY = "EZTK_return_labels";
const WEBHOOK_SECRET = "return-labels-secret";
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let shopId: string;
let warehouseId: string;
let seq = 0;

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
  sandbox = await startEasyPostSandbox({ port: 0, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, log: () => {} });
  const { db } = database;
  shopId = (await createShop(db)).id;
  warehouseId = (await createLocation(db, shopId, { name: "Returns DC", postalCode: "43207" })).id;
  const variant = await createVariant(db, shopId, "JACKET", 8_000);
  await db.update(variants).set({ weightGrams: 900 }).where(eq(variants.id, variant.id));
  await receive(db, shopId, variant.id, warehouseId, 100);
  await upsertCarrierAccount(db, cipher, { shopId, provider: "easypost", name: "EasyPost", apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, settings: { baseUrl: sandbox.apiBaseUrl } });
});
afterAll(async () => sandbox?.stop());

function context(factory: CarrierGatewayFactory = carrierGatewayFor): TaskContext {
  return { db: database.db, cipher, carrierGateways: factory };
}

/** A delivered order of one jacket with an approved refund return. */
async function approvedReturn() {
  const { db } = database;
  const n = ++seq;
  const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ number: `#RL${n}`, lines: [{ ...line("JACKET", 1), unitPriceMinor: 8_000 }], subtotalMinor: 8_000, totalMinor: 8_000 }) });
  const shipped = await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "USPS", service: "Ground", trackingNumber: `OUT-${n}` }) });
  if (!shipped.ok) throw new Error(shipped.reason);
  await db.update(shipments).set({ deliveredAt: new Date(Date.now() - 86_400_000) }).where(eq(shipments.orderId, ingested.orderId));
  const [orderLine] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  const requested = await requestReturn(db, { shopId, orderId: ingested.orderId, resolution: "refund", source: "portal", actor: "customer", lines: [{ orderLineId: orderLine!.id, quantity: 1, reason: "size_too_large" }] });
  if (!requested.ok) throw new Error(requested.detail);
  const returnId = requested.value.returnId;
  expect(await applyReturnStep(db, { shopId, returnId, event: "approve", actor: "user:m" })).toMatchObject({ ok: true });
  return { returnId, orderId: ingested.orderId };
}

async function rma(returnId: string) {
  const [row] = await database.db.select().from(returns).where(eq(returns.id, returnId));
  return row!;
}

const purchasesOf = (providerShipmentId: string | null) => sandbox.state.purchases.filter((p) => p.shipmentId === providerShipmentId).length;

describe("return labels", () => {
  it("are queued with the approval and bought once as an EasyPost return shipment", async () => {
    const { returnId } = await approvedReturn();
    const jobs = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`returns/buy-label:${returnId}`}`);
    expect(jobs.rows[0]!.count).toBe(1);

    expect(await purchaseReturnLabel(context(), { shopId, returnId })).toEqual({ status: "purchased", reconciled: false });
    const row = await rma(returnId);
    expect(row).toMatchObject({ status: "label_issued", labelError: null });
    expect(row.labelUrl).toMatch(/\/labels\/shp_[0-9a-f]+\.pdf$/);
    expect(row.trackingNumber && row.trackerId && row.providerShipmentId && row.carrier).toBeTruthy();
    expect(sandbox.state.shipments.get(row.providerShipmentId!)).toMatchObject({ is_return: true });
    expect(purchasesOf(row.providerShipmentId)).toBe(1);
    // The label goes to the channel's return too (reverse delivery): the sync is queued with it.
    const sync = await database.db.execute<{ count: number }>(sql`SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = ${`returns/sync-channel:${returnId}`}`);
    expect(sync.rows[0]!.count).toBe(1);
    expect(await purchaseReturnLabel(context(), { shopId, returnId })).toEqual({ status: "already_purchased" });
    expect(purchasesOf(row.providerShipmentId)).toBe(1);
  });

  it("is bought once when eight runs race for it; the runs that lose end already purchased or in progress, none fails", async () => {
    const { returnId } = await approvedReturn();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => purchaseReturnLabel(context(), { shopId, returnId })));
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason))).toEqual([]);
    const statuses = outcomes.map((o) => (o as PromiseFulfilledResult<{ status: string }>).value.status);
    expect(statuses.filter((s) => s === "purchased")).toHaveLength(1);
    for (const status of statuses) expect(["purchased", "already_purchased", "in_progress"]).toContain(status);
    // A run that ended in progress queued a check for later; it finds the label.
    expect(await purchaseReturnLabel(context(), { shopId, returnId })).toEqual({ status: "already_purchased" });
    const row = await rma(returnId);
    expect(row.status).toBe("label_issued");
    const records = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.returnId, returnId));
    expect(records.map((r) => r.state)).toEqual(["purchased"]);
    expect(purchasesOf(row.providerShipmentId)).toBe(1);
    const shipmentsOfReturn = [...sandbox.state.shipments.values()].filter((s) => s.reference === `return:${returnId}` && s.postage_label);
    expect(shipmentsOfReturn).toHaveLength(1);
    // Losing the race is not a failure: nothing for the merchant to look at.
    expect(await database.db.select().from(exceptions).where(and(eq(exceptions.kind, "label_purchase_failed"), sql`${exceptions.details}->>'returnId' = ${returnId}`))).toEqual([]);
    const failedEvents = await database.db.select().from(returnEvents).where(and(eq(returnEvents.returnId, returnId), eq(returnEvents.kind, "label_failed")));
    expect(failedEvents).toEqual([]);
    expect(row.labelError).toBeNull();
  });

  it("finds the label bought before a crash instead of buying another", async () => {
    const { returnId } = await approvedReturn();
    const crashAfterBuy = withBuy(async (real, request) => {
      await real.buyLabel(request);
      throw new Error("worker killed after the provider bought");
    });
    await expect(purchaseReturnLabel(context(crashAfterBuy), { shopId, returnId })).rejects.toThrow(/worker killed/);
    expect((await rma(returnId)).status).toBe("approved");
    expect(await purchaseReturnLabel(context(), { shopId, returnId })).toEqual({ status: "purchased", reconciled: true });
    const row = await rma(returnId);
    expect(row.status).toBe("label_issued");
    expect(purchasesOf(row.providerShipmentId)).toBe(1);
  });

  it("is not bought for a return the customer keeps, or that is no longer approved", async () => {
    const { returnId } = await approvedReturn();
    await applyReturnStep(database.db, { shopId, returnId, event: "cancel", actor: "user:m" });
    expect(await purchaseReturnLabel(context(), { shopId, returnId })).toEqual({ status: "not_needed", because: "the return is cancelled" });
    expect(await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.returnId, returnId))).toEqual([]);
  });

  it("moves the return to in transit and received as the tracker reports, once per event", async () => {
    const { returnId } = await approvedReturn();
    await purchaseReturnLabel(context(), { shopId, returnId });
    const trackerId = (await rma(returnId)).trackerId!;

    async function deliverEvent(status: string) {
      const { tracker } = await sandbox.advanceTracker(trackerId, status);
      const event = { id: `evt_${randomBytes(8).toString("hex")}`, object: "Event", description: "tracker.updated", result: tracker, updated_at: tracker.updated_at };
      const stored = await storeDelivery(database.db, { shopId, channel: "easypost", deliveryId: event.id, topic: "tracker.updated", resourceId: trackerId, payload: event });
      if (!stored.stored) throw new Error("not stored");
      return { rowId: stored.rowId, event };
    }

    const transit = await deliverEvent("in_transit");
    expect(await processWebhookDelivery({ db: database.db }, transit.rowId)).toMatchObject({ status: "processed" });
    expect(await rma(returnId)).toMatchObject({ status: "in_transit", trackingStatus: "in_transit" });
    // The same event again (EasyPost retries): stored once, nothing moves twice.
    expect((await storeDelivery(database.db, { shopId, channel: "easypost", deliveryId: transit.event.id, topic: "tracker.updated", resourceId: trackerId, payload: transit.event })).stored).toBe(false);

    const delivered = await deliverEvent("delivered");
    expect(await processWebhookDelivery({ db: database.db }, delivered.rowId)).toMatchObject({ status: "processed" });
    const row = await rma(returnId);
    expect(row).toMatchObject({ status: "received", trackingStatus: "delivered" });
    expect(row.receivedAt).not.toBeNull();
    const events = await database.db.select({ kind: returnEvents.kind, actor: returnEvents.actor }).from(returnEvents).where(eq(returnEvents.returnId, returnId));
    expect(events.filter((e) => e.actor === "carrier:easypost").map((e) => e.kind)).toEqual(["mark_in_transit", "receive"]);
  });
});
