import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import type { EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { applyMerchantOrderAction } from "../../db/repositories/order-action-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { requestReturnLabelPurchase } from "../../db/repositories/return-label-repository";
import { enqueueLabelPurchase, planShipments } from "../../db/repositories/shipment-repository";
import { exceptions, labelPurchases, orderEvents, returnEvents, returnLabelPurchases, returns, shipments } from "../../db/schema";
import type { TaskContext } from "../../jobs/task-context";
import { purchaseLabel } from "../../jobs/tasks/shipping-buy-label.task";
import { purchaseReturnLabel } from "../../jobs/tasks/returns-buy-label.task";
import { voidLabel } from "../../jobs/tasks/shipping-void-label.task";
import { line, makeOrder } from "../helpers/ledger-fixtures";
import { withBuy, wrapGateway } from "../helpers/carrier-gateway-wrap";
import { approvedJacketReturn, createLabelShop, jobStoppedForGood, killedAfterTheProviderBought, labelContext, leftBehind, runLabelJobs, type LabelShop } from "../helpers/label-shop";
import type { TestDatabase } from "../helpers/test-database";

/**
 * Three runs racing for one label (ADR 0009, "Two labels for one owner"), on real PostgreSQL and
 * graphile-worker against the EasyPost sandbox. A run's purchase is still under way at the
 * provider (held by the sandbox) when its job is given up; the sweep's settle-only run sees no
 * label yet and ends the attempt failed; the merchant buys again, and a third run buys a new
 * provider shipment. The provider has then sold two labels for one shipment (or return): the one
 * the owner holds is kept, the other is recorded and refunded, once.
 */

let shop: LabelShop;
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let shopId: string;
let seq = 0;

beforeAll(async () => {
  shop = await createLabelShop("label_race_refunds", ["BOOT", "JACKET"]);
  ({ database, sandbox, shopId } = shop);
});
afterAll(async () => shop?.sandbox.stop());

const context = (factory?: CarrierGatewayFactory): TaskContext => labelContext(shop, factory);

const LABEL_TASKS = ["labels:settle-interrupted", "shipping/buy-label", "shipping/void-label", "returns/buy-label", "returns/void-label"] as const;
/** graphile-worker runs every label job that is due, until none is. */
const runWorker = (factory?: CarrierGatewayFactory) => runLabelJobs(shop, LABEL_TASKS, { factory });
/** The cron's sweep of interrupted purchases, and the settle-only runs it queues. */
const runSweep = (factory?: CarrierGatewayFactory) => runLabelJobs(shop, LABEL_TASKS, { factory, sweep: true });

/** A setup that fails lets the held purchase finish, or the sandbox could never stop. */
async function releasedIfUnfinished<T>(hold: { release(): void }, run: Promise<unknown>, setup: () => Promise<T>): Promise<T> {
  try {
    return await setup();
  } catch (error) {
    hold.release();
    await run.catch(() => undefined);
    throw error;
  }
}

const purchasesAt = (providerShipmentId: string) => sandbox.state.purchases.filter((p) => p.shipmentId === providerShipmentId).length;
const refundsOf = (providerShipmentId: string) => sandbox.state.refunds.filter((r) => r === providerShipmentId).length;

const openExceptions = async (orderId: string) =>
  database.db.select({ kind: exceptions.kind, message: exceptions.message, details: exceptions.details }).from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open")));

const timelineOf = async (orderId: string) =>
  database.db.select({ kind: orderEvents.kind, message: orderEvents.message }).from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(asc(orderEvents.createdAt), asc(orderEvents.id));

describe("a three-way race that buys two labels for one shipment (ADR 0009)", () => {
  async function plannedShipment() {
    const n = ++seq;
    const ingested = await ingestOrder(database.db, { shopId, actor: "test", order: makeOrder({ number: `#T${n}`, externalId: `three-way-${n}`, lines: [line("BOOT", 1)], shippingLines: [{ title: "Standard Shipping", priceMinor: 500 }] }) });
    const planned = await planShipments(database.db, { shopId, orderId: ingested.orderId, actor: "test" });
    if (!planned.ok) throw new Error(planned.reason);
    return { orderId: ingested.orderId, id: planned.value.shipmentIds[0]! };
  }

  /**
   * The first run has committed its `buying` record and its purchase is under way at the
   * provider (held), when its job is given up and its record is old; the sweep's settle-only run
   * then sees no label and ends the attempt failed, asking the merchant to buy again.
   */
  async function firstRunStillBuyingWhenTheSweepGivesUp() {
    const { orderId, id } = await plannedShipment();
    const hold = sandbox.holdPurchases({ count: 1 });
    const first = purchaseLabel(context(), { shopId, shipmentId: id });
    await hold.reached;
    return releasedIfUnfinished(hold, first, async () => {
      const [record] = await database.db.select().from(labelPurchases).where(eq(labelPurchases.shipmentId, id));
      await jobStoppedForGood(shop, `shipping/buy-label:${id}`);
      await leftBehind(shop, "label_purchases", record!.id);
      await runSweep();
      expect(await records(id)).toEqual([{ attempt: 1, state: "failed", refundStatus: null }]);
      expect((await openExceptions(orderId)).map((e) => e.kind)).toEqual(["label_purchase_failed"]);
      return { orderId, id, first, hold, firstShipment: record!.providerShipmentId };
    });
  }

  /** The merchant's "Buy label again" (the order page's retry_label). */
  const buyAgain = (id: string) => enqueueLabelPurchase(database.db, { shopId, shipmentId: id });

  async function records(id: string) {
    return database.db.select({ attempt: labelPurchases.attempt, state: labelPurchases.state, refundStatus: labelPurchases.refundStatus }).from(labelPurchases).where(eq(labelPurchases.shipmentId, id)).orderBy(asc(labelPurchases.attempt));
  }

  async function purchaseOf(id: string, attempt: number) {
    const [row] = await database.db.select().from(labelPurchases).where(and(eq(labelPurchases.shipmentId, id), eq(labelPurchases.attempt, attempt)));
    return row!;
  }

  async function shipment(id: string) {
    const [row] = await database.db.select().from(shipments).where(eq(shipments.id, id));
    return row!;
  }

  it("refunds the first run's label when it lands after the new purchase: the shipment keeps the label it holds", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    try {
      await buyAgain(race.id);
      await runWorker();
      const second = await purchaseOf(race.id, 2);
      expect(await shipment(race.id)).toMatchObject({ status: "label_purchased", providerShipmentId: second.providerShipmentId });

      race.hold.release();
      expect(await race.first).toEqual({ status: "second_label_refunding" });
      // The label it bought is not written onto the shipment.
      expect(await shipment(race.id)).toMatchObject({ status: "label_purchased", providerShipmentId: second.providerShipmentId });
      await runWorker();

      expect(purchasesAt(race.firstShipment)).toBe(1);
      expect(purchasesAt(second.providerShipmentId)).toBe(1);
      expect(refundsOf(race.firstShipment)).toBe(1);
      expect(refundsOf(second.providerShipmentId)).toBe(0);
      expect(await records(race.id)).toEqual([
        { attempt: 1, state: "voided", refundStatus: "submitted" },
        { attempt: 2, state: "purchased", refundStatus: null },
      ]);
      const timeline = (await timelineOf(race.orderId)).filter((e) => e.kind.startsWith("label_"));
      expect(timeline.map((e) => e.kind)).toEqual(["label_failed", "label_purchased", "label_second_refunding", "label_voided"]);
      expect(timeline[2]!.message).toMatch(/second label .* being refunded/i);
      expect(await openExceptions(race.orderId)).toEqual([]);

      // The refund redelivered, or asked for the label the shipment keeps: nothing is refunded again.
      const first = await purchaseOf(race.id, 1);
      expect(await voidLabel(context(), { shopId, shipmentId: race.id, actor: "system:label", purchaseId: first.id })).toEqual({ status: "refused", reason: "no_label" });
      expect(await voidLabel(context(), { shopId, shipmentId: race.id, actor: "system:label", purchaseId: second.id })).toEqual({ status: "refused", reason: "no_label" });
      expect(refundsOf(race.firstShipment)).toBe(1);
      expect(refundsOf(second.providerShipmentId)).toBe(0);
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });

  it("refunds the new purchase's label when the first run's label lands first: the shipment keeps the first, and the merchant can still void it", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    let firstOutcome: unknown;
    // The new run's buy is answered; before it records the label, the first run's purchase
    // finishes and is recorded.
    const firstLandsMeanwhile = withBuy(async (real, request) => {
      const bought = await real.buyLabel(request);
      race.hold.release();
      firstOutcome = await race.first;
      return bought;
    });
    try {
      await buyAgain(race.id);
      await runWorker(firstLandsMeanwhile);
      expect(firstOutcome).toEqual({ status: "purchased", reconciled: false });
      const second = await purchaseOf(race.id, 2);

      expect(await shipment(race.id)).toMatchObject({ status: "label_purchased", providerShipmentId: race.firstShipment });
      expect(refundsOf(second.providerShipmentId)).toBe(1);
      expect(refundsOf(race.firstShipment)).toBe(0);
      expect(await records(race.id)).toEqual([
        { attempt: 1, state: "purchased", refundStatus: null },
        { attempt: 2, state: "voided", refundStatus: "submitted" },
      ]);
      expect((await timelineOf(race.orderId)).map((e) => e.kind)).toEqual(expect.arrayContaining(["label_second_refunding", "label_voided"]));
      expect(await openExceptions(race.orderId)).toEqual([]);

      // The merchant's "Void label" refunds the label the shipment holds, not the older record's.
      expect(await voidLabel(context(), { shopId, shipmentId: race.id, actor: "user:m" })).toEqual({ status: "voided", refund: "submitted" });
      expect(refundsOf(race.firstShipment)).toBe(1);
      expect(await shipment(race.id)).toMatchObject({ status: "pending", providerShipmentId: null });
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });

  it("refunds the second label the sweep's settle-only run finds for a shipment that holds one, and the shipment's own label is refunded when its order is cancelled", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    try {
      // The new run's worker is killed once the provider bought: its record stays `buying`.
      await buyAgain(race.id);
      await runWorker(killedAfterTheProviderBought);
      const second = await purchaseOf(race.id, 2);
      expect(second.state).toBe("buying");
      expect(purchasesAt(second.providerShipmentId)).toBe(1);

      race.hold.release();
      expect(await race.first).toEqual({ status: "purchased", reconciled: false });
      expect(await shipment(race.id)).toMatchObject({ status: "label_purchased", providerShipmentId: race.firstShipment });

      // The new run's job is given up too; the sweep settles its purchase and finds the label.
      await jobStoppedForGood(shop, `shipping/buy-label:${race.id}`);
      await leftBehind(shop, "label_purchases", second.id);
      await runSweep();

      expect(await shipment(race.id)).toMatchObject({ status: "label_purchased", providerShipmentId: race.firstShipment });
      expect(refundsOf(second.providerShipmentId)).toBe(1);
      expect(refundsOf(race.firstShipment)).toBe(0);
      expect(await records(race.id)).toEqual([
        { attempt: 1, state: "purchased", refundStatus: null },
        { attempt: 2, state: "voided", refundStatus: "submitted" },
      ]);
      expect(await openExceptions(race.orderId)).toEqual([]);

      // Cancelling the order refunds the label the shipment holds (not the newer, voided record).
      expect(await applyMerchantOrderAction(database.db, { shopId, orderId: race.orderId, action: "cancel", actor: "user:m" })).toMatchObject({ ok: true });
      await runWorker();
      expect(refundsOf(race.firstShipment)).toBe(1);
      expect(refundsOf(second.providerShipmentId)).toBe(1);
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });

  it("retries a refund the provider cannot take, and once the job gives up the merchant gets an exception", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    const refundDown = wrapGateway(() => ({ refundLabel: async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }) }));
    try {
      await buyAgain(race.id);
      await runWorker();
      race.hold.release();
      expect(await race.first).toEqual({ status: "second_label_refunding" });
      const first = await purchaseOf(race.id, 1);
      const refundKey = `shipping/void-label:${race.id}:${first.id}`;

      await runWorker(refundDown);
      const [retrying] = (await database.db.execute<{ attempts: number; max_attempts: number }>(sql`SELECT attempts, max_attempts FROM graphile_worker._private_jobs WHERE key = ${refundKey}`)).rows;
      expect(retrying).toMatchObject({ attempts: 1 });
      expect(await openExceptions(race.orderId)).toEqual([]);
      for (let attempt = 2; attempt <= retrying!.max_attempts; attempt++) {
        await database.db.execute(sql`UPDATE graphile_worker._private_jobs SET run_at = now() WHERE key = ${refundKey}`);
        await runWorker(refundDown);
      }

      expect(refundsOf(race.firstShipment)).toBe(0);
      expect((await purchaseOf(race.id, 1)).state).toBe("purchased");
      expect(await openExceptions(race.orderId)).toEqual([
        { kind: "label_refund_failed", message: expect.stringMatching(/could not be refunded.*EasyPost/), details: expect.objectContaining({ shipmentId: race.id, purchaseId: first.id }) },
      ]);
      // Given up for good: no further attempt is left queued.
      const [left] = (await database.db.execute<{ attempts: number; max_attempts: number }>(sql`SELECT attempts, max_attempts FROM graphile_worker._private_jobs WHERE key = ${refundKey}`)).rows;
      expect(left?.attempts ?? retrying!.max_attempts).toBe(retrying!.max_attempts);
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });
});

describe("a three-way race that buys two labels for one return (ADR 0009)", () => {
  
  async function firstRunStillBuyingWhenTheSweepGivesUp() {
    const { returnId, orderId } = await approvedJacketReturn(shop, "TR");
    const hold = sandbox.holdPurchases({ count: 1 });
    const first = purchaseReturnLabel(context(), { shopId, returnId });
    await hold.reached;
    return releasedIfUnfinished(hold, first, async () => {
      const [record] = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.returnId, returnId));
      await jobStoppedForGood(shop, `returns/buy-label:${returnId}`);
      await leftBehind(shop, "return_label_purchases", record!.id);
      await runSweep();
      expect(await records(returnId)).toEqual([{ attempt: 1, state: "failed", refundStatus: null }]);
      expect((await openExceptions(orderId)).map((e) => e.kind)).toEqual(["label_purchase_failed"]);
      // The merchant's "Buy return label" again.
      expect(await requestReturnLabelPurchase(database.db, { shopId, returnId, actor: "user:m" })).toEqual({ ok: true });
      return { returnId, orderId, first, hold, firstShipment: record!.providerShipmentId };
    });
  }

  async function records(returnId: string) {
    return database.db
      .select({ attempt: returnLabelPurchases.attempt, state: returnLabelPurchases.state, refundStatus: returnLabelPurchases.refundStatus })
      .from(returnLabelPurchases)
      .where(eq(returnLabelPurchases.returnId, returnId))
      .orderBy(asc(returnLabelPurchases.attempt));
  }

  async function purchaseOf(returnId: string, attempt: number) {
    const [row] = await database.db.select().from(returnLabelPurchases).where(and(eq(returnLabelPurchases.returnId, returnId), eq(returnLabelPurchases.attempt, attempt)));
    return row!;
  }

  async function rma(returnId: string) {
    const [row] = await database.db.select().from(returns).where(eq(returns.id, returnId));
    return row!;
  }

  const returnEventKinds = async (returnId: string) =>
    (await database.db.select({ kind: returnEvents.kind }).from(returnEvents).where(eq(returnEvents.returnId, returnId)).orderBy(asc(returnEvents.createdAt), asc(returnEvents.id))).map((e) => e.kind);

  it("refunds the first run's return label when it lands after the new purchase: the return keeps the label it holds", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    try {
      await runWorker();
      const second = await purchaseOf(race.returnId, 2);
      expect(await rma(race.returnId)).toMatchObject({ status: "label_issued", providerShipmentId: second.providerShipmentId });

      race.hold.release();
      expect(await race.first).toEqual({ status: "second_label_refunding" });
      await runWorker();

      expect(await rma(race.returnId)).toMatchObject({ status: "label_issued", providerShipmentId: second.providerShipmentId });
      expect(refundsOf(race.firstShipment)).toBe(1);
      expect(refundsOf(second.providerShipmentId)).toBe(0);
      expect(await records(race.returnId)).toEqual([
        { attempt: 1, state: "voided", refundStatus: "submitted" },
        { attempt: 2, state: "purchased", refundStatus: null },
      ]);
      expect(await returnEventKinds(race.returnId)).toEqual(expect.arrayContaining(["label_second_refunding", "label_voided"]));
      const timeline = (await timelineOf(race.orderId)).filter((e) => e.kind === "return_label");
      expect(timeline.map((e) => e.message)).toEqual([expect.stringMatching(/Return label bought/), expect.stringMatching(/second return label .* being refunded/i), expect.stringMatching(/voided; refund submitted/)]);
      expect(await openExceptions(race.orderId)).toEqual([]);
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });

  it("a second return label the carrier will not refund becomes an exception for the merchant at once, and stays recorded as bought", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    const refundRejected = wrapGateway(() => ({ refundLabel: async () => ({ ok: true, value: { status: "rejected" } }) }));
    try {
      await runWorker();
      race.hold.release();
      expect(await race.first).toEqual({ status: "second_label_refunding" });
      await runWorker(refundRejected);

      const first = await purchaseOf(race.returnId, 1);
      expect(first.state).toBe("purchased");
      expect(refundsOf(race.firstShipment)).toBe(0);
      expect(await openExceptions(race.orderId)).toEqual([
        { kind: "label_refund_failed", message: expect.stringMatching(/could not be refunded .*rejected.*EasyPost/), details: { returnId: race.returnId, purchaseId: first.id } },
      ]);
      expect(await returnEventKinds(race.returnId)).toContain("label_refund_failed");
      // The return keeps the label it holds.
      expect(await rma(race.returnId)).toMatchObject({ status: "label_issued", providerShipmentId: (await purchaseOf(race.returnId, 2)).providerShipmentId });
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });

  it("refunds the second return label the sweep's settle-only run finds for a return that holds one", async () => {
    const race = await firstRunStillBuyingWhenTheSweepGivesUp();
    try {
      await runWorker(killedAfterTheProviderBought);
      const second = await purchaseOf(race.returnId, 2);
      expect(second.state).toBe("buying");

      race.hold.release();
      expect(await race.first).toEqual({ status: "purchased", reconciled: false });
      expect(await rma(race.returnId)).toMatchObject({ status: "label_issued", providerShipmentId: race.firstShipment });

      await jobStoppedForGood(shop, `returns/buy-label:${race.returnId}`);
      await leftBehind(shop, "return_label_purchases", second.id);
      await runSweep();

      expect(await rma(race.returnId)).toMatchObject({ status: "label_issued", providerShipmentId: race.firstShipment });
      expect(refundsOf(second.providerShipmentId)).toBe(1);
      expect(refundsOf(race.firstShipment)).toBe(0);
      expect(await records(race.returnId)).toEqual([
        { attempt: 1, state: "purchased", refundStatus: null },
        { attempt: 2, state: "voided", refundStatus: "submitted" },
      ]);
      expect(await openExceptions(race.orderId)).toEqual([]);
    } finally {
      race.hold.release();
      await race.first.catch(() => undefined);
    }
  });
});
