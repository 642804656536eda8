import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { PurchasedLabel, RateQuote } from "../../core/ports/carrier-gateway-port";
import type { LabelPurchaseState } from "../../core/shipping/label-purchase-decision";
import type { Database, DbOrTx, Tx } from "../client";
import { labelPurchases, returnLabelPurchases } from "../schema";

/**
 * The idempotency records of a label purchase (ADR 0009), one table per thing a label is
 * bought for: `label_purchases` (an order's shipment) and `return_label_purchases` (an RMA).
 * Both have the same columns but the owner's, so reading the latest attempt, committing the
 * `buying` record and the columns of a purchased attempt are written once here.
 */

export type LabelPurchaseTable = typeof labelPurchases | typeof returnLabelPurchases;

/** Which table, and the column and value that say whose label it is. */
export type LabelPurchaseOwner =
  | { table: typeof labelPurchases; shipmentId: string }
  | { table: typeof returnLabelPurchases; returnId: string };

export interface LabelPurchaseRecord {
  id: string;
  attempt: number;
  state: LabelPurchaseState;
  providerShipmentId: string;
  rateId: string;
  idempotencyKey: string;
  explanation: string | null;
}

/** What an attempt to buy a label records before it calls the carrier: order and return labels alike. */
export interface LabelPurchaseStart {
  shopId: string;
  attempt: number;
  idempotencyKey: string;
  provider: string;
  quote: RateQuote;
  explanation: string;
}

function ownedBy(owner: LabelPurchaseOwner) {
  return "shipmentId" in owner ? eq(owner.table.shipmentId, owner.shipmentId) : eq(owner.table.returnId, owner.returnId);
}

/** The owner's highest attempt: what `nextLabelPurchaseStep` decides from. */
export async function latestPurchaseRecord(db: DbOrTx, owner: LabelPurchaseOwner): Promise<LabelPurchaseRecord | null> {
  const { table } = owner;
  const [row] = await db
    .select({
      id: table.id,
      attempt: table.attempt,
      state: table.state,
      providerShipmentId: table.providerShipmentId,
      rateId: table.rateId,
      idempotencyKey: table.idempotencyKey,
      explanation: table.explanation,
    })
    .from(table)
    .where(ownedBy(owner))
    .orderBy(desc(table.attempt))
    .limit(1);
  return row ? { ...row, state: row.state as LabelPurchaseState } : null;
}

/** One purchase record of the owner, by id (null when it is not the owner's). */
export async function purchaseRecordById(db: DbOrTx, owner: LabelPurchaseOwner, purchaseId: string): Promise<PurchaseRecordForRefund | null> {
  const [row] = await db.select(refundColumns(owner.table)).from(owner.table).where(and(ownedBy(owner), eq(owner.table.id, purchaseId)));
  return row ? { ...row, state: row.state as LabelPurchaseState } : null;
}

/** The `purchased` record of the label the owner holds (its provider shipment), if any. */
export async function heldPurchaseRecord(db: DbOrTx, owner: LabelPurchaseOwner, providerShipmentId: string): Promise<PurchaseRecordForRefund | null> {
  const [row] = await db
    .select(refundColumns(owner.table))
    .from(owner.table)
    .where(and(ownedBy(owner), eq(owner.table.providerShipmentId, providerShipmentId), eq(owner.table.state, "purchased")))
    .orderBy(desc(owner.table.attempt))
    .limit(1);
  return row ? { ...row, state: row.state as LabelPurchaseState } : null;
}

/** What a refund needs of a purchase record, and what a merchant reads of it. */
export interface PurchaseRecordForRefund {
  id: string;
  state: LabelPurchaseState;
  providerShipmentId: string;
  carrier: string;
  service: string;
  amountMinor: number;
  currency: string;
}

function refundColumns(table: LabelPurchaseTable) {
  return { id: table.id, state: table.state, providerShipmentId: table.providerShipmentId, carrier: table.carrier, service: table.service, amountMinor: table.amountMinor, currency: table.currency };
}

/** The columns of a purchase record in state `buying`. */
function buyingPurchaseColumns(input: LabelPurchaseStart) {
  return {
    shopId: input.shopId,
    attempt: input.attempt,
    idempotencyKey: input.idempotencyKey,
    state: "buying" as const,
    provider: input.provider,
    providerShipmentId: input.quote.providerShipmentId,
    rateId: input.quote.rateId,
    carrier: input.quote.carrier,
    service: input.quote.service,
    amountMinor: input.quote.amountMinor,
    currency: input.quote.currency,
    explanation: input.explanation,
  };
}

/**
 * Writes the `buying` record in its own committed transaction, before the provider is asked to
 * buy. False when another run wrote this attempt first (the unique key on owner and attempt):
 * that run owns the purchase.
 */
export async function beginPurchaseRecord(db: Database, owner: LabelPurchaseOwner, input: LabelPurchaseStart): Promise<boolean> {
  // One insert per table: Drizzle types the owner's column per table, so the branch names it.
  const rows =
    "shipmentId" in owner
      ? await db.insert(owner.table).values({ ...buyingPurchaseColumns(input), shipmentId: owner.shipmentId }).onConflictDoNothing().returning({ id: owner.table.id })
      : await db.insert(owner.table).values({ ...buyingPurchaseColumns(input), returnId: owner.returnId }).onConflictDoNothing().returning({ id: owner.table.id });
  return rows.length > 0;
}

/** The columns that mark an attempt `purchased`, from the label the provider answered with. */
export function purchasedColumns(label: PurchasedLabel) {
  return { state: "purchased", carrier: label.carrier, service: label.service, amountMinor: label.amountMinor, currency: label.currency, error: null, updatedAt: sql`now()` };
}

/**
 * Ends a `buying` attempt failed, with the reason (the next run shops again). False when another
 * run settled the attempt first (its label recorded, or its own failure): nothing is written.
 */
export async function failBuyingAttempt(db: DbOrTx, table: LabelPurchaseTable, purchaseId: string, message: string): Promise<boolean> {
  const failed = await db
    .update(table)
    .set({ state: "failed", error: message, updatedAt: sql`now()` })
    .where(and(eq(table.id, purchaseId), eq(table.state, "buying")))
    .returning({ id: table.id });
  return failed.length > 0;
}

/**
 * Marks an attempt `purchased` with the provider's label, unless another run did first: false
 * then, and the caller writes nothing more (so a label is recorded, and a refund queued, once).
 * A `failed` attempt is taken too: a failure can be written by a run that saw no label yet (a
 * concurrent run's purchase under way, the sweep of interrupted purchases) while the provider
 * bought it, and a label the provider holds is money spent that must show. A `voided` one is
 * never taken back: its label is refunded.
 */
export async function claimPurchaseRecord(tx: Tx, table: LabelPurchaseTable, purchaseId: string, label: PurchasedLabel): Promise<boolean> {
  const claimed = await tx
    .update(table)
    .set(purchasedColumns(label))
    .where(and(eq(table.id, purchaseId), inArray(table.state, ["buying", "failed"])))
    .returning({ id: table.id });
  return claimed.length > 0;
}

/**
 * The provider took the refund: the attempt ends `voided` with the provider's refund status.
 * False when it was not `purchased` any more (a redelivered refund already recorded it).
 */
export async function markPurchaseVoided(tx: Tx, table: LabelPurchaseTable, purchaseId: string, refundStatus: string): Promise<boolean> {
  const voided = await tx
    .update(table)
    .set({ state: "voided", refundStatus, updatedAt: sql`now()` })
    .where(and(eq(table.id, purchaseId), eq(table.state, "purchased")))
    .returning({ id: table.id });
  return voided.length > 0;
}
