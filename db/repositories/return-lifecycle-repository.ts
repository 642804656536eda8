import { and, asc, eq, sql } from "drizzle-orm";
import { defaultPolicies, type Policies } from "../../core/config/default-policies";
import type { ReturnGrade } from "../../core/returns/disposition-policy";
import type { ReturnReason } from "../../core/returns/return-rules";
import { isRmaStatus, transitionRma, type RmaEvent, type RmaStatus } from "../../core/returns/rma-state-machine";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, Tx } from "../client";
import { returnHoldings, returnLines, returns } from "../schema";
import { appendTimeline } from "./order-timeline-repository";
import { rmaEventForTracking } from "../../core/returns/return-tracking";
import { channelIssuesReturnLabel } from "../../core/returns/channel-return-follow";
import { queueChannelReturnWrite } from "./channel-return-write-repository";
import { enqueueReturnChannelSync } from "./channel-write-repository";
import { enqueueReturnLabelPurchase, recordReturnTracking, type ReturnTrackingOutcome } from "./return-label-repository";
import { noteIncomingReturnChange } from "./incoming-returns-repository";
import { appendReturnEvents } from "./return-request-repository";
import { ensureLevel, lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

/**
 * A merchant (or a tracker, or a channel) moving a return along. Every step goes through the
 * RMA transitions table under a row lock on the return and leaves a timeline entry; a refused
 * step changes nothing and comes back with the table's reason.
 */

export type ReturnStepRefusal = "return_not_found" | "unknown_status" | "grades_missing" | "no_destination" | string;

export interface ReturnStepResult {
  returnId: string;
  from: RmaStatus;
  to: RmaStatus;
}

interface LockedReturn {
  id: string;
  orderId: string;
  rmaNumber: string;
  status: RmaStatus;
  keepItem: boolean;
  resolution: string;
  destinationLocationId: string | null;
  source: string;
  externalId: string | null;
}

const WORDING: Record<RmaEvent, string> = {
  approve: "Approved",
  decline: "Declined",
  issue_label: "Return label issued",
  mark_in_transit: "On its way back",
  receive: "Received",
  inspect: "Inspected",
  refund: "Refunded",
  exchange: "Exchanged",
  credit: "Store credit issued",
  close: "Closed",
  cancel: "Cancelled",
};

export interface ReturnStepInput {
  shopId: string;
  returnId: string;
  event: Exclude<RmaEvent, "inspect" | "issue_label">;
  actor: string;
  note?: string;
  reference?: string;
  /** False for a step the sales channel itself reported (nothing to write back to it). */
  syncChannel?: boolean;
}

/** The simple steps: approve, decline, cancel, mark in transit, receive, close, and the resolutions. */
export async function applyReturnStep(db: Database, input: ReturnStepInput): Promise<Result<ReturnStepResult, ReturnStepRefusal>> {
  return db.transaction((tx) => applyReturnStepInTx(tx, input));
}

/** The same step inside the caller's transaction (a webhook's delivery transaction). */
export async function applyReturnStepInTx(tx: Tx, input: ReturnStepInput): Promise<Result<ReturnStepResult, ReturnStepRefusal>> {
  const locked = await lockReturn(tx, input.shopId, input.returnId);
  if (!locked.ok) return locked;
  const rma = locked.value;
  const step = transitionRma(rma.status, input.event, { keepItem: rma.keepItem });
  if (!step.ok) return err(step.reason, step.detail);
  await tx
    .update(returns)
    .set({
      status: step.to,
      updatedAt: sql`now()`,
      ...(input.event === "approve" || input.event === "decline" ? { decidedAt: sql`now()` } : {}),
      ...(input.event === "decline" ? { declineReason: input.note ?? null } : {}),
      ...(input.event === "receive" ? { receivedAt: sql`now()` } : {}),
      ...(["refund", "credit", "exchange"].includes(input.event) ? { resolvedAt: sql`now()`, refundReference: input.reference ?? null } : {}),
    })
    .where(eq(returns.id, rma.id));
  const message = input.note ? `${WORDING[input.event]}: ${input.note}` : WORDING[input.event];
  await appendReturnEvents(tx, input.shopId, rma.id, [{ kind: input.event, message, actor: input.actor, data: { from: rma.status, to: step.to } }]);
  await appendTimeline(tx, input.shopId, rma.orderId, [{ kind: `return_${input.event}`, message: `Return ${rma.rmaNumber}: ${message}`, actor: input.actor, data: { returnId: rma.id } }]);
  if (input.syncChannel !== false) {
    await enqueueReturnChannelSync(tx, { shopId: input.shopId, orderId: rma.orderId, returnId: rma.id });
    // Marketplace returns (eBay decide / refund, WooCommerce refunds): the job asks the channel's module.
    await queueChannelReturnWrite(tx, input.shopId, rma.id, input.event);
  }
  // An approved return that comes back gets its label bought at once (a job, bought once), unless
  // the marketplace that holds the return issues the label itself (eBay, Amazon).
  if (input.event === "approve" && !rma.keepItem && !channelIssuesReturnLabel(rma.source, rma.externalId)) {
    await enqueueReturnLabelPurchase(tx, { shopId: input.shopId, returnId: rma.id });
  }
  await noteIncomingReturnChange(tx, input.shopId, rma.id, rma.status, step.to);
  return ok({ returnId: rma.id, from: rma.status, to: step.to });
}

/**
 * A carrier's tracking event for a return label: stored on the return, and the RMA moved to in
 * transit or received when the event means that (core/returns/return-tracking).
 */
export async function applyReturnTrackingUpdate(
  tx: Tx,
  input: { shopId: string; trackerId: string; trackingCode: string; status: string; at: Date },
): Promise<ReturnTrackingOutcome & { moved?: RmaStatus }> {
  const recorded = await recordReturnTracking(tx, input);
  if (recorded.outcome !== "applied" || !isRmaStatus(recorded.status)) return recorded;
  const event = rmaEventForTracking(recorded.status, input.status);
  if (!event) return recorded;
  const step = await applyReturnStepInTx(tx, { shopId: input.shopId, returnId: recorded.returnId, event, actor: "carrier:easypost", note: `tracking ${input.status.replace(/_/g, " ")}` });
  return step.ok ? { ...recorded, moved: step.value.to } : recorded;
}

/** A label for the return was bought (or entered by hand): stored, and the RMA moves to label_issued. */
export async function recordReturnLabel(
  db: Database,
  input: { shopId: string; returnId: string; actor: string; labelUrl: string | null; trackingNumber: string; carrier: string },
): Promise<Result<ReturnStepResult, ReturnStepRefusal>> {
  return db.transaction(async (tx) => {
    const locked = await lockReturn(tx, input.shopId, input.returnId);
    if (!locked.ok) return locked;
    const step = transitionRma(locked.value.status, "issue_label");
    if (!step.ok) return err(step.reason, step.detail);
    await tx
      .update(returns)
      .set({ status: step.to, labelUrl: input.labelUrl, trackingNumber: input.trackingNumber, carrier: input.carrier, updatedAt: sql`now()` })
      .where(eq(returns.id, locked.value.id));
    await appendReturnEvents(tx, input.shopId, locked.value.id, [
      { kind: "issue_label", message: `Return label issued: ${input.carrier} ${input.trackingNumber}`, actor: input.actor, data: { labelUrl: input.labelUrl } },
    ]);
    await enqueueReturnChannelSync(tx, { shopId: input.shopId, orderId: locked.value.orderId, returnId: locked.value.id });
    await noteIncomingReturnChange(tx, input.shopId, locked.value.id, locked.value.status, step.to);
    return ok({ returnId: locked.value.id, from: locked.value.status, to: step.to });
  });
}

export interface LineInspection {
  returnLineId: string;
  grade: ReturnGrade;
  notes?: string;
}

/**
 * Grades each line at the receiving location; the disposition policy turns grade and reason
 * into restock (a ledger return movement: the units are on hand and for sale again), refurbish
 * (held apart, not for sale) or dispose (written off). All in one transaction with the status.
 */
export async function inspectReturn(
  db: Database,
  input: { shopId: string; returnId: string; actor: string; lines: readonly LineInspection[] },
  policies: Policies = defaultPolicies,
): Promise<Result<ReturnStepResult & { restocked: number; refurbish: number; disposed: number }, ReturnStepRefusal>> {
  return db.transaction(async (tx) => {
    const locked = await lockReturn(tx, input.shopId, input.returnId);
    if (!locked.ok) return locked;
    const rma = locked.value;
    const step = transitionRma(rma.status, "inspect");
    if (!step.ok) return err(step.reason, step.detail);
    if (!rma.destinationLocationId) return err("no_destination", "the return has no receiving location");

    const lines = await tx
      .select({ id: returnLines.id, variantId: returnLines.variantId, quantity: returnLines.quantity, reason: returnLines.reason })
      .from(returnLines)
      .where(eq(returnLines.returnId, rma.id))
      .orderBy(asc(returnLines.id));
    const grades = new Map(input.lines.map((line) => [line.returnLineId, line]));
    if (lines.some((line) => !grades.has(line.id))) return err("grades_missing", "every line needs a grade");

    const totals = { restocked: 0, refurbish: 0, disposed: 0 };
    const restocks: { variantId: string; quantity: number; returnLineId: string }[] = [];
    for (const line of lines) {
      const inspection = grades.get(line.id)!;
      const decision = policies.disposition.decide(inspection.grade, line.reason as ReturnReason);
      await tx
        .update(returnLines)
        .set({ grade: inspection.grade, disposition: decision.disposition, inspectionNotes: inspection.notes ?? null, inspectedAt: sql`now()` })
        .where(eq(returnLines.id, line.id));
      if (!line.variantId) {
        // A line we never matched to a variant cannot go back on a shelf we track.
        totals.disposed += line.quantity;
        continue;
      }
      if (decision.disposition === "restock") {
        restocks.push({ variantId: line.variantId, quantity: line.quantity, returnLineId: line.id });
        totals.restocked += line.quantity;
      } else {
        await tx.insert(returnHoldings).values({
          shopId: input.shopId,
          returnLineId: line.id,
          variantId: line.variantId,
          locationId: rma.destinationLocationId,
          quantity: line.quantity,
          disposition: decision.disposition,
        });
        if (decision.disposition === "refurbish") totals.refurbish += line.quantity;
        else totals.disposed += line.quantity;
      }
    }

    if (restocks.length > 0) {
      for (const restock of restocks) await ensureLevel(tx, input.shopId, restock.variantId, rma.destinationLocationId);
      const levels = await lockLevels(tx, input.shopId, restocks.map((r) => r.variantId));
      const levelFor = new Map(levels.filter((l) => l.locationId === rma.destinationLocationId).map((l) => [l.variantId, l]));
      const movements: LevelMovement[] = restocks.map((restock) => ({
        level: levelFor.get(restock.variantId)!,
        movement: {
          kind: "return_restock",
          quantity: restock.quantity,
          cause: { type: "return", id: restock.returnLineId },
          actor: input.actor,
          reason: `return ${rma.rmaNumber}`,
        },
      }));
      await recordMovements(tx, input.shopId, movements);
      await scheduleStockSync(tx, input.shopId);
    }

    await tx.update(returns).set({ status: step.to, updatedAt: sql`now()` }).where(eq(returns.id, rma.id));
    const summary = `Inspected: ${totals.restocked} restocked, ${totals.refurbish} to refurbish, ${totals.disposed} disposed`;
    await appendReturnEvents(tx, input.shopId, rma.id, [{ kind: "inspect", message: summary, actor: input.actor, data: { grades: input.lines } }]);
    await appendTimeline(tx, input.shopId, rma.orderId, [{ kind: "return_inspect", message: `Return ${rma.rmaNumber}: ${summary}`, actor: input.actor, data: { returnId: rma.id } }]);
    return ok({ returnId: rma.id, from: rma.status, to: step.to, ...totals });
  });
}

async function lockReturn(tx: Tx, shopId: string, returnId: string): Promise<Result<LockedReturn, ReturnStepRefusal>> {
  const [row] = await tx
    .select({
      id: returns.id,
      orderId: returns.orderId,
      rmaNumber: returns.rmaNumber,
      status: returns.status,
      keepItem: returns.keepItem,
      resolution: returns.resolution,
      destinationLocationId: returns.destinationLocationId,
      source: returns.source,
      externalId: returns.externalId,
    })
    .from(returns)
    .where(and(eq(returns.shopId, shopId), eq(returns.id, returnId)))
    .for("update");
  if (!row) return err("return_not_found");
  if (!isRmaStatus(row.status)) return err("unknown_status", row.status);
  return ok({ ...row, status: row.status });
}
