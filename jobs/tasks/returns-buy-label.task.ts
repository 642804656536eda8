import type { Task } from "graphile-worker";
import { returnLabelNotNeededBecause } from "../../core/returns/return-label-need";
import { returnLabelIdempotencyKey } from "../../core/shipping/label-purchase-decision";
import { appendReturnEvents } from "../../db/repositories/return-request-repository";
import {
  beginReturnLabelPurchase,
  enqueueReturnLabelPurchase,
  latestReturnLabelPurchase,
  loadReturnForLabel,
  recordReturnLabelFailure,
  recordReturnLabelPurchased,
  recordUnneededReturnLabelNotBought,
  type ReturnForLabel,
} from "../../db/repositories/return-label-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { buyLabelOnce, type LabelBought, type LabelPurchaseSubject } from "./buy-label-once";

/**
 * returns/buy-label: the return label of an approved RMA, bought at most once whatever retries,
 * crashes or concurrent runs happen — the flow of an order's label (ADR 0009, ./buy-label-once):
 * shop rates for an EasyPost return shipment (`is_return: true`: the addresses of the outbound
 * parcel, swapped by EasyPost), commit the `buying` record, then buy; a run that finds `buying`
 * asks the provider's shipment first and buys only if it has no label.
 */

type NotNeeded = { status: "not_needed"; because: string };

export type ReturnLabelOutcome = LabelBought | NotNeeded | { status: "gone" };

export async function purchaseReturnLabel(context: TaskContext, payload: ParsedJobPayload<"returns/buy-label">): Promise<ReturnLabelOutcome> {
  const rma = await loadReturnForLabel(context.db, payload.shopId, payload.returnId);
  if (!rma) return { status: "gone" };
  return buyLabelOnce(context, returnLabel(context.db, rma), { settleOnly: payload.settleOnly ?? false });
}

/** What is particular to a return's label: its records, its key, its addresses, its events and exceptions. */
function returnLabel(db: TaskContext["db"], rma: ReturnForLabel): LabelPurchaseSubject<NotNeeded> {
  return {
    shopId: rma.shopId,
    latestRecord: () => latestReturnLabelPurchase(db, rma.id),
    beginRecord: (start) => beginReturnLabelPurchase(db, { ...start, returnId: rma.id }),
    idempotencyKey: (attempt) => returnLabelIdempotencyKey(rma.id, attempt),
    // Only an approved return that comes back and holds no label needs one bought. An interrupted
    // purchase (a `buying` record) of one that no longer does is still settled, by `settleUnwanted`.
    needsNoLabel: () => {
      const because = returnLabelNotNeededBecause(rma);
      return because === null ? null : { status: "not_needed", because };
    },
    // The customer keeps the item, or the return was cancelled, declined, received, resolved or
    // given a label another way while this purchase was interrupted: a label the provider bought
    // is recorded and refunded (recordReturnLabelPurchased decides under the return's lock, and
    // never writes it onto the return); none ends the attempt failed, the reason on the return,
    // and nothing asked of the merchant. Either way the attempt is settled, so the sweep of
    // interrupted purchases never picks it again.
    settleUnwanted: {
      recordFound: async ({ purchaseId, label }) => {
        await recordReturnLabelPurchased(db, { shopId: rma.shopId, returnId: rma.id, purchaseId, label, reconciled: true });
      },
      recordNotFound: (purchaseId) => recordUnneededReturnLabelNotBought(db, { shopId: rma.shopId, returnId: rma.id, purchaseId }),
    },
    withoutCarrierAccount: async () => {
      // Not a fault: shops without a label provider send their own labels (recorded by hand).
      await appendReturnEvents(db, rma.shopId, rma.id, [{ kind: "label_manual", message: "No label provider is connected: record the return label by hand", actor: "system:label" }]);
      return { status: "not_needed", because: "no carrier account" };
    },
    route: async () => {
      if (!rma.customer) return { kind: "label_purchase_failed", reason: "no_address", message: "The order has no address to send the return label from" };
      if (!rma.destination) return { kind: "label_purchase_failed", reason: "no_destination", message: "The return has no receiving location" };
      return {
        // EasyPost takes the outbound parcel's addresses and swaps them for a return (is_return).
        request: { from: rma.destination, to: rma.customer, reference: `return:${rma.id}`, isReturn: true },
        items: rma.items,
        // A return has no shipping method of its own: the shop's standard promise applies.
        shippingMethod: null,
      };
    },
    // A return's label keeps no rate explanation: the return has no column for it.
    recordPurchased: ({ purchaseId, label, reconciled }) => recordReturnLabelPurchased(db, { shopId: rma.shopId, returnId: rma.id, purchaseId, label, reconciled }),
    // Every return failure is a `label_purchase_failed` exception keyed by the return (the kind
    // `address_invalid` belongs to shipments), and every one raises it.
    recordFailure: ({ reason, message, purchaseId }) =>
      recordReturnLabelFailure(db, { shopId: rma.shopId, returnId: rma.id, orderId: rma.orderId, reason, message, raiseException: true, ...(purchaseId ? { purchaseId } : {}) }),
    checkAgainLater: (runAt) => enqueueReturnLabelPurchase(db, { shopId: rma.shopId, returnId: rma.id }, runAt),
    wording: {
      interruptedCheckFailed: "Could not check the interrupted return label purchase",
      interruptedNotBought: "The return label purchase was interrupted and the carrier bought no label: buy it again",
      noRates: "No return label rates",
      noRateChosen: "No return label rate chosen",
      rateExpired: "The chosen return label rate expired; shopping again",
      refused: "The carrier refused the return label",
    },
  };
}

/** returns/buy-label: one return's label (job key per return). */
export function returnsBuyLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/buy-label"].parse(rawPayload);
    const outcome = await purchaseReturnLabel(context, payload);
    helpers.logger.info(`return label for ${payload.returnId}${payload.settleOnly ? " (settling an interrupted purchase)" : ""}: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : outcome.status === "not_needed" ? ` (${outcome.because})` : ""}`);
  };
}
