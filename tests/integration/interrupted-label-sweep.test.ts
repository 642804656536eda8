import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import type { EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { INTERRUPTED_PURCHASE_AGE_SECONDS, queueInterruptedPurchaseSettlements } from "../../db/repositories/interrupted-label-purchase-repository";
import { beginLabelPurchase } from "../../db/repositories/label-purchase-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { planShipments } from "../../db/repositories/shipment-repository";
import { exceptions, labelPurchases, orderEvents, returnLabelPurchases, returns, shipments } from "../../db/schema";
import type { TaskContext } from "../../jobs/task-context";
import { purchaseLabel } from "../../jobs/tasks/shipping-buy-label.task";
import { purchaseReturnLabel } from "../../jobs/tasks/returns-buy-label.task";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { approvedJacketReturn, countingBuys, createLabelShop, jobStoppedForGood, killedAfterTheProviderBought, labelContext, leftBehind, providerUnreachable, runLabelJobs, type LabelShop } from "../helpers/label-shop";
import type { TestDatabase } from "../helpers/test-database";

/**
 * The sweep of interrupted label purchases (ADR 0009) on real PostgreSQL and graphile-worker,
 * against the EasyPost sandbox: a `buying` record whose job stopped for good is settled at the
 * provider by a queued settle-only run, recorded when the provider bought the label, ended
 * failed (the merchant asked to buy again) when it did not; never bought.
 */

let shop: LabelShop;
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let shopId: string;
let seq = 0;

beforeAll(async () => {
  shop = await createLabelShop("interrupted_sweep", ["BOOT", "JACKET"]);
  ({ database, sandbox, shopId } = shop);
});
afterAll(async () => shop?.sandbox.stop());

const context = (factory?: CarrierGatewayFactory): TaskContext => labelContext(shop, factory);

/** The cron's sweep and the label jobs it queues, run by graphile-worker until none is due. */
const runSweep = (factory: CarrierGatewayFactory) => runLabelJobs(shop, ["labels:settle-interrupted", "shipping/buy-label", "returns/buy-label"], { factory, sweep: true });

async function settleJobs(key: string) {
  const rows = await database.db.execute<{ payload: unknown; attempts: number }>(sql`SELECT payload, attempts FROM graphile_worker._private_jobs WHERE key = ${key}`);
  return rows.rows;
}

async function plannedShipment(sku = "BOOT") {
  const n = ++seq;
  const ingested = await ingestOrder(database.db, { shopId, actor: "test", order: makeOrder({ number: `#S${n}`, externalId: `sweep-${n}`, lines: [line(sku, 1)], shippingLines: [{ title: "Standard Shipping", priceMinor: 500 }] }) });
  const planned = await planShipments(database.db, { shopId, orderId: ingested.orderId, actor: "test" });
  if (!planned.ok) throw new Error(planned.reason);
  return { orderId: ingested.orderId, id: planned.value.shipmentIds[0]! };
}

/** A shipment whose label job was interrupted around the purchase and then stopped for good, long ago. */
async function interruptedShipment(interrupt: CarrierGatewayFactory) {
  const { orderId, id } = await plannedShipment();
  await expect(purchaseLabel(context(interrupt), { shopId, shipmentId: id })).rejects.toThrow();
  const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
  expect(record).toMatchObject({ state: "buying", attempt: 1 });
  await jobStoppedForGood(shop, `shipping/buy-label:${id}`);
  await leftBehind(shop, "label_purchases", record!.id);
  return { orderId, id, record: record! };
}

async function shipment(id: string) {
  const [row] = await database.db.select().from(shipments).where(eq(shipments.id, id));
  return row!;
}

const openExceptions = async (orderId: string) =>
  (await database.db.select({ kind: exceptions.kind, message: exceptions.message }).from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open"))));

const purchasesAt = (providerShipmentId: string | null) => sandbox.state.purchases.filter((p) => p.shipmentId === providerShipmentId).length;

describe("the sweep of interrupted label purchases", () => {
  it("records the label the provider bought for a purchase whose job stopped for good, and buys nothing", async () => {
    const { orderId, id, record } = await interruptedShipment(killedAfterTheProviderBought);
    const buys = countingBuys();

    await runSweep(buys.factory);

    expect(buys.calls).toEqual([]);
    const [settled] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
    expect(settled).toMatchObject({ id: record.id, state: "purchased" });
    const row = await shipment(id);
    expect(row).toMatchObject({ status: "label_purchased", providerShipmentId: record.providerShipmentId });
    expect(row.trackingNumber).toBeTruthy();
    expect(purchasesAt(record.providerShipmentId)).toBe(1);
    const timeline = await database.db.select({ message: orderEvents.message }).from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "label_purchased")));
    expect(timeline.map((e) => e.message)).toEqual([expect.stringMatching(/found at the provider after an interrupted purchase/)]);
    expect(await openExceptions(orderId)).toEqual([]);
    // The settle job is done and gone.
    expect(await settleJobs(`shipping/buy-label:${id}:settle`)).toEqual([]);
  });

  it("ends failed a purchase the provider never bought, and asks the merchant to buy again; nothing is bought", async () => {
    const { orderId, id, record } = await interruptedShipment(providerUnreachable);
    const before = sandbox.state.purchases.length;
    const buys = countingBuys();

    await runSweep(buys.factory);

    expect(buys.calls).toEqual([]);
    expect(sandbox.state.purchases.length).toBe(before);
    const [settled] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
    expect(settled).toMatchObject({ state: "failed", error: expect.stringMatching(/interrupted and the carrier bought no label/) });
    // What the order page shows: the shipment waits, with the reason and its "Buy label again".
    expect(await shipment(id)).toMatchObject({ status: "pending", labelError: expect.stringMatching(/buy it again/) });
    expect(await openExceptions(orderId)).toEqual([{ kind: "label_purchase_failed", message: expect.stringMatching(/interrupted/) }]);

    // Buying again is a new attempt, and resolves the exception.
    expect(await purchaseLabel(context(), { shopId, shipmentId: id })).toEqual({ status: "purchased", reconciled: false });
    const attempts = await database.db.select({ attempt: labelPurchases.attempt, state: labelPurchases.state }).from(labelPurchases).where(eq(labelPurchases.shipmentId, id)).orderBy(labelPurchases.attempt);
    expect(attempts).toEqual([{ attempt: 1, state: "failed" }, { attempt: 2, state: "purchased" }]);
    expect(await openExceptions(orderId)).toEqual([]);
  });

  it("refunds a label found for a shipment cancelled while its purchase was interrupted", async () => {
    const { id, record } = await interruptedShipment(killedAfterTheProviderBought);
    await database.db.update(shipments).set({ status: "cancelled" }).where(eq(shipments.id, id));
    const buys = countingBuys();

    await runSweep(buys.factory);

    expect(buys.calls).toEqual([]);
    const [settled] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.id, record.id));
    expect(settled!.state).toBe("purchased");
    expect(await shipment(id)).toMatchObject({ status: "cancelled", trackingNumber: null });
    const refund = await database.db.execute(sql`SELECT 1 FROM graphile_worker._private_jobs WHERE key = ${`shipping/void-label:${id}:${record.id}`}`);
    expect(refund.rows).toHaveLength(1);
  });

  it("settles an interrupted return label purchase the same way", async () => {
    const { returnId, orderId } = await approvedJacketReturn(shop, "R");
    await expect(purchaseReturnLabel(context(killedAfterTheProviderBought), { shopId, returnId })).rejects.toThrow(/worker killed/);
    const [record] = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.returnId, returnId));
    expect(record).toMatchObject({ state: "buying" });
    await jobStoppedForGood(shop, `returns/buy-label:${returnId}`);
    await leftBehind(shop, "return_label_purchases", record!.id);
    const buys = countingBuys();

    await runSweep(buys.factory);

    expect(buys.calls).toEqual([]);
    const [rma] = await database.db.select().from(returns).where(eq(returns.id, returnId));
    expect(rma).toMatchObject({ status: "label_issued", providerShipmentId: record!.providerShipmentId, labelError: null });
    const [settled] = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.id, record!.id));
    expect(settled!.state).toBe("purchased");
    expect(purchasesAt(record!.providerShipmentId)).toBe(1);
    expect(await openExceptions(orderId)).toEqual([]);
  });

  it("a settle-only run that finds no purchase under way does nothing", async () => {
    const { id } = await plannedShipment();
    const buys = countingBuys();
    expect(await purchaseLabel(context(buys.factory), { shopId, shipmentId: id, settleOnly: true })).toEqual({ status: "not_interrupted" });
    expect(await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id))).toEqual([]);
    await purchaseLabel(context(), { shopId, shipmentId: id });
    expect(await purchaseLabel(context(buys.factory), { shopId, shipmentId: id, settleOnly: true })).toEqual({ status: "already_purchased" });
    expect(buys.calls).toEqual([]);
  });

  it("leaves alone a purchase whose job is still queued or running, a recent one, and one whose shop has no label provider; it queues one settle job per purchase", async () => {
    const age = INTERRUPTED_PURCHASE_AGE_SECONDS;
    // Retrying: the job has attempts left (graphile-worker backs off for hours between them).
    const retrying = await interruptedShipment(providerUnreachable);
    await database.db.execute(sql`UPDATE graphile_worker._private_jobs SET attempts = 3 WHERE key = ${`shipping/buy-label:${retrying.id}`}`);
    // Running: locked by a worker, even with no attempt left (a running job whose key a newer job took).
    const running = await interruptedShipment(providerUnreachable);
    await database.db.execute(sql`UPDATE graphile_worker._private_jobs SET key = NULL, locked_at = now(), locked_by = 'worker-test' WHERE key = ${`shipping/buy-label:${running.id}`}`);
    // Recent: a purchase under way right now.
    const recent = await interruptedShipment(providerUnreachable);
    await leftBehind(shop, "label_purchases", recent.record.id, `${age / 2} seconds`);
    // No label provider: nobody can answer for it; it waits until one is connected.
    const unconnected = await unconnectedShopPurchase();
    // Left behind: the one the sweep is for.
    const stuck = await interruptedShipment(providerUnreachable);

    expect(await queueInterruptedPurchaseSettlements(database.db, { olderThanSeconds: age })).toEqual({ shipments: 1, returns: 0 });
    for (const left of [retrying.id, running.id, recent.id, unconnected]) expect(await settleJobs(`shipping/buy-label:${left}:settle`)).toEqual([]);
    expect(await settleJobs(`shipping/buy-label:${stuck.id}:settle`)).toEqual([{ payload: { shopId, shipmentId: stuck.id, settleOnly: true }, attempts: 0 }]);
    // A second sweep finds the settle job queued.
    expect(await queueInterruptedPurchaseSettlements(database.db, { olderThanSeconds: age })).toEqual({ shipments: 0, returns: 0 });
    // If the settle job itself stops for good (the provider down for hours), the next sweep queues it again.
    await jobStoppedForGood(shop, `shipping/buy-label:${stuck.id}:settle`);
    expect(await queueInterruptedPurchaseSettlements(database.db, { olderThanSeconds: age })).toEqual({ shipments: 1, returns: 0 });
    expect(await settleJobs(`shipping/buy-label:${stuck.id}:settle`)).toEqual([{ payload: { shopId, shipmentId: stuck.id, settleOnly: true }, attempts: 0 }]);

    // Leave no runnable job behind for the other tests' worker runs.
    await database.db.execute(sql`DELETE FROM graphile_worker._private_jobs WHERE key IN (${`shipping/buy-label:${retrying.id}`}, ${`shipping/buy-label:${stuck.id}:settle`}) OR locked_by = 'worker-test'`);
  });
});

/** A `buying` record, long ago, for a shop with no label provider connected; its job stopped for good. */
async function unconnectedShopPurchase(): Promise<string> {
  const { db } = database;
  const other = (await createShop(db)).id;
  const here = await createLocation(db, other, { name: "Elsewhere", postalCode: "43207" });
  const variant = await createVariant(db, other, "BOOT");
  await receive(db, other, variant.id, here.id, 5);
  const ingested = await ingestOrder(db, { shopId: other, actor: "test", order: makeOrder({ number: "#U1", lines: [line("BOOT", 1)] }) });
  const planned = await planShipments(db, { shopId: other, orderId: ingested.orderId, actor: "test" });
  if (!planned.ok) throw new Error(planned.reason);
  const id = planned.value.shipmentIds[0]!;
  const quote = { providerShipmentId: "shp_0000unconnected", rateId: "rate_0000unconnected", carrier: "USPS", service: "GroundAdvantage", amountMinor: 500, currency: "USD" };
  expect(await beginLabelPurchase(db, { shopId: other, shipmentId: id, attempt: 1, idempotencyKey: `label:${id}:1`, provider: "easypost", quote, explanation: "test" })).toBe(true);
  const [record] = await db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
  await jobStoppedForGood(shop, `shipping/buy-label:${id}`);
  await leftBehind(shop, "label_purchases", record!.id);
  return id;
}

