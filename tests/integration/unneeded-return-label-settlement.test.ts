import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import type { EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { INTERRUPTED_PURCHASE_AGE_SECONDS, queueInterruptedPurchaseSettlements } from "../../db/repositories/interrupted-label-purchase-repository";
import { applyReturnStep, recordReturnLabel } from "../../db/repositories/return-lifecycle-repository";
import { exceptions, orderEvents, returnEvents, returnLabelPurchases, returns } from "../../db/schema";
import type { TaskContext } from "../../jobs/task-context";
import { purchaseReturnLabel } from "../../jobs/tasks/returns-buy-label.task";
import { wrapGateway } from "../helpers/carrier-gateway-wrap";
import { approvedJacketReturn, countingBuys, createLabelShop, jobStoppedForGood, killedAfterTheProviderBought, labelContext, leftBehind, providerUnreachable, runLabelJobs, type LabelShop } from "../helpers/label-shop";
import type { TestDatabase } from "../helpers/test-database";

/**
 * An interrupted return label purchase (a `buying` record whose job stopped for good) on a return
 * that no longer needs a label: the customer keeps the item, the return was cancelled, declined,
 * received without a label, refunded or closed, or a label was recorded by hand (ADR 0009). The
 * sweep's settle-only run still asks the provider and always ends the attempt: a label found is
 * recorded and refunded (returns/void-label), none ends the attempt failed with the reason on the
 * return and nothing for the merchant to do. Real PostgreSQL and graphile-worker, against the
 * EasyPost sandbox.
 */

let shop: LabelShop;
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let shopId: string;

beforeAll(async () => {
  shop = await createLabelShop("unneeded_return_label", ["JACKET"]);
  ({ database, sandbox, shopId } = shop);
});
afterAll(async () => shop?.sandbox.stop());

const context = (factory?: CarrierGatewayFactory): TaskContext => labelContext(shop, factory);

const LABEL_TASKS = ["labels:settle-interrupted", "returns/buy-label", "returns/void-label"] as const;
/** The cron's sweep of interrupted purchases, and every label job it leads to, until none is due. */
const runSweep = (factory?: CarrierGatewayFactory) => runLabelJobs(shop, LABEL_TASKS, { factory, sweep: true });


/** An approved return whose label job was interrupted around the purchase, stopped for good, long ago. */
async function interruptedReturnPurchase(interrupt: CarrierGatewayFactory) {
  const { returnId, orderId } = await approvedJacketReturn(shop, "K");
  await expect(purchaseReturnLabel(context(interrupt), { shopId, returnId })).rejects.toThrow();
  const [record] = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.returnId, returnId));
  expect(record).toMatchObject({ state: "buying", attempt: 1 });
  await jobStoppedForGood(shop, `returns/buy-label:${returnId}`);
  await leftBehind(shop, "return_label_purchases", record!.id);
  return { returnId, orderId, record: record! };
}

/** How the return came to need no label while its purchase was interrupted. */
interface NoLongerNeeded {
  name: string;
  /** The reason the return's events give. */
  because: RegExp;
  stage(returnId: string): Promise<void>;
}

const setStatus = async (returnId: string, status: string) => {
  await database.db.update(returns).set({ status }).where(eq(returns.id, returnId));
};

const customerKeepsTheItem: NoLongerNeeded = {
  name: "the customer now keeps the item",
  because: /the customer keeps the item/,
  stage: async (returnId) => {
    await database.db.update(returns).set({ keepItem: true }).where(eq(returns.id, returnId));
  },
};

const OTHER_STATES: NoLongerNeeded[] = [
  {
    name: "the return was cancelled",
    because: /the return is cancelled/,
    stage: async (returnId) => {
      expect(await applyReturnStep(database.db, { shopId, returnId, event: "cancel", actor: "user:m" })).toMatchObject({ ok: true });
    },
  },
  {
    name: "the parcel was received without a label",
    because: /the return is received/,
    stage: async (returnId) => {
      expect(await applyReturnStep(database.db, { shopId, returnId, event: "receive", actor: "user:m" })).toMatchObject({ ok: true });
    },
  },
  { name: "the return was declined", because: /the return is declined/, stage: (returnId) => setStatus(returnId, "declined") },
  { name: "the return was refunded", because: /the return is refunded/, stage: (returnId) => setStatus(returnId, "refunded") },
  { name: "the return was closed", because: /the return is closed/, stage: (returnId) => setStatus(returnId, "closed") },
];

const labelRecordedByHand: NoLongerNeeded = {
  name: "a label was recorded by hand",
  because: /already has its label/,
  stage: async (returnId) => {
    expect(await recordReturnLabel(database.db, { shopId, returnId, actor: "user:m", labelUrl: null, trackingNumber: "HAND-1", carrier: "UPS" })).toMatchObject({ ok: true });
  },
};

async function recordOf(id: string) {
  const [row] = await database.db.select().from(returnLabelPurchases).where(eq(returnLabelPurchases.id, id));
  return row!;
}

async function rma(returnId: string) {
  const [row] = await database.db.select().from(returns).where(eq(returns.id, returnId));
  return row!;
}

const returnEventsOf = async (returnId: string) =>
  database.db.select({ kind: returnEvents.kind, message: returnEvents.message }).from(returnEvents).where(eq(returnEvents.returnId, returnId)).orderBy(asc(returnEvents.createdAt), asc(returnEvents.id));

const openExceptions = async (orderId: string) =>
  database.db.select({ kind: exceptions.kind, message: exceptions.message, details: exceptions.details }).from(exceptions).where(and(eq(exceptions.orderId, orderId), eq(exceptions.status, "open")));

const returnTimeline = async (orderId: string) =>
  (await database.db.select({ kind: orderEvents.kind, message: orderEvents.message }).from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.kind, "return_label"))).orderBy(asc(orderEvents.createdAt), asc(orderEvents.id))).map(
    (e) => e.message,
  );

const purchasesAt = (providerShipmentId: string) => sandbox.state.purchases.filter((p) => p.shipmentId === providerShipmentId).length;
const refundsOf = (providerShipmentId: string) => sandbox.state.refunds.filter((r) => r === providerShipmentId).length;

/** A later sweep: is a settle-only run of this return's label job queued again? */
async function sweepQueuesItAgain(returnId: string): Promise<boolean> {
  await queueInterruptedPurchaseSettlements(database.db, { olderThanSeconds: INTERRUPTED_PURCHASE_AGE_SECONDS });
  const key = `returns/buy-label:${returnId}:settle`;
  const queued = await database.db.execute(sql`SELECT 1 FROM graphile_worker._private_jobs WHERE key = ${key}`);
  // Leave nothing runnable behind for the next test's worker.
  await database.db.execute(sql`DELETE FROM graphile_worker._private_jobs WHERE key = ${key}`);
  return queued.rows.length > 0;
}

/** The carrier bought no label: the attempt ends failed, with the reason on the return, and nothing for the merchant to do. */
async function expectEndedWithoutALabel(change: NoLongerNeeded, staged: { returnId: string; orderId: string; record: { id: string } }, buys: string[], before: Awaited<ReturnType<typeof rma>>) {
  expect(buys).toEqual([]);
  const settled = await recordOf(staged.record.id);
  expect(settled).toMatchObject({ state: "failed", error: expect.stringMatching(change.because) });
  // The return is as it was: no label error, no "Buy return label" prompt, its status and label unchanged.
  expect(await rma(staged.returnId)).toMatchObject({ status: before.status, trackingNumber: before.trackingNumber, providerShipmentId: before.providerShipmentId, labelError: null });
  const events = await returnEventsOf(staged.returnId);
  expect(events.at(-1)).toEqual({ kind: "label_not_needed", message: expect.stringMatching(change.because) });
  expect(events.at(-1)!.message).toMatch(/bought no label/);
  expect(events.at(-1)!.message).not.toMatch(/buy it again/i);
  expect(await openExceptions(staged.orderId)).toEqual([]);
  expect(await sweepQueuesItAgain(staged.returnId)).toBe(false);
}

/** The carrier bought the label: it is recorded, refunded once, and the return keeps what it holds. */
async function expectRecordedAndRefunded(staged: { returnId: string; orderId: string; record: { id: string; providerShipmentId: string } }, buys: string[], before: Awaited<ReturnType<typeof rma>>) {
  expect(buys).toEqual([]);
  expect(await recordOf(staged.record.id)).toMatchObject({ state: "voided", refundStatus: "submitted" });
  expect(purchasesAt(staged.record.providerShipmentId)).toBe(1);
  expect(refundsOf(staged.record.providerShipmentId)).toBe(1);
  // The label is not written onto the return, nor does the return move.
  expect(await rma(staged.returnId)).toMatchObject({ status: before.status, trackingNumber: before.trackingNumber, providerShipmentId: before.providerShipmentId, labelError: null });
  const kinds = (await returnEventsOf(staged.returnId)).map((e) => e.kind);
  expect(kinds.slice(-2)).toEqual(["label_found_refunding", "label_voided"]);
  expect((await returnTimeline(staged.orderId)).slice(-2)).toEqual([expect.stringMatching(/no longer needs one.*being refunded/), expect.stringMatching(/voided; refund submitted/)]);
  expect(await openExceptions(staged.orderId)).toEqual([]);
  expect(await sweepQueuesItAgain(staged.returnId)).toBe(false);
}

describe("an interrupted return label purchase for a customer who now keeps the item", () => {
  it("raises label_refund_failed when the carrier will not refund the label it bought, which stays recorded as bought", async () => {
    const staged = await interruptedReturnPurchase(killedAfterTheProviderBought);
    await customerKeepsTheItem.stage(staged.returnId);
    const refundRejected = wrapGateway(() => ({ refundLabel: async () => ({ ok: true, value: { status: "rejected" } }) }));

    await runSweep(refundRejected);

    expect(await recordOf(staged.record.id)).toMatchObject({ state: "purchased" });
    expect(refundsOf(staged.record.providerShipmentId)).toBe(0);
    expect(await openExceptions(staged.orderId)).toEqual([
      { kind: "label_refund_failed", message: expect.stringMatching(/could not be refunded .*rejected.*EasyPost/), details: { returnId: staged.returnId, purchaseId: staged.record.id } },
    ]);
    expect((await rma(staged.returnId)).trackingNumber).toBeNull();
    expect(await sweepQueuesItAgain(staged.returnId)).toBe(false);
  });

  it("a retry of the interrupted job settles the purchase the same way, and buys nothing", async () => {
    const staged = await interruptedReturnPurchase(providerUnreachable);
    await customerKeepsTheItem.stage(staged.returnId);
    const before = await rma(staged.returnId);
    const buys = countingBuys();

    // Not the sweep's run: the job's own retry.
    await purchaseReturnLabel(context(buys.factory), { shopId, returnId: staged.returnId });

    await expectEndedWithoutALabel(customerKeepsTheItem, staged, buys.calls, before);
  });
});

describe("an interrupted return label purchase for a return that needs no label any more", () => {
  for (const change of [customerKeepsTheItem, ...OTHER_STATES, labelRecordedByHand]) {
    it(`ends the attempt failed when the carrier bought no label and ${change.name}, without asking the merchant to buy again`, async () => {
      const staged = await interruptedReturnPurchase(providerUnreachable);
      await change.stage(staged.returnId);
      const before = await rma(staged.returnId);
      const buys = countingBuys();

      await runSweep(buys.factory);

      await expectEndedWithoutALabel(change, staged, buys.calls, before);
    });
  }

  for (const change of [customerKeepsTheItem, ...OTHER_STATES]) {
    it(`records and refunds the label the carrier bought when ${change.name}, leaving the return as it is`, async () => {
      const staged = await interruptedReturnPurchase(killedAfterTheProviderBought);
      await change.stage(staged.returnId);
      const before = await rma(staged.returnId);
      const buys = countingBuys();

      await runSweep(buys.factory);

      await expectRecordedAndRefunded(staged, buys.calls, before);
      expect((await returnEventsOf(staged.returnId)).find((e) => e.kind === "label_found_refunding")!.message).toMatch(change.because);
    });
  }
});
