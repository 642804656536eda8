import type { Task } from "graphile-worker";
import { labelIdempotencyKey } from "../../core/shipping/label-purchase-decision";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import {
  beginLabelPurchase,
  latestLabelPurchase,
  recordInterruptedPurchaseAbandoned,
  recordLabelFailure,
  recordLabelPurchased,
} from "../../db/repositories/label-purchase-repository";
import { enqueueLabelPurchase, loadShipmentForLabel, type ShipmentForLabel } from "../../db/repositories/shipment-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { buyLabelOnce, LabelPurchaseRetry, type LabelBought, type LabelPurchaseSubject } from "./buy-label-once";

/**
 * Buys one shipment's label, at most once whatever retries or crashes happen (ADR 0009, the
 * flow in ./buy-label-once): verify the address, build the parcel, shop rates, let the policy
 * choose, write the purchase record and commit it, then buy. A run that finds a `buying`
 * record (the last run crashed or lost the answer) looks the provider's shipment up before
 * buying anything.
 */

export type LabelOutcome = LabelBought | { status: "not_pending"; shipmentStatus: string } | { status: "gone" };

// Callers and tests have always caught the retry as this task's error.
export { LabelPurchaseRetry };

export async function purchaseLabel(context: TaskContext, payload: ParsedJobPayload<"shipping/buy-label">): Promise<LabelOutcome> {
  const shipment = await loadShipmentForLabel(context.db, payload.shopId, payload.shipmentId);
  if (!shipment) return { status: "gone" };
  return buyLabelOnce(context, shipmentLabel(context.db, shipment), { settleOnly: payload.settleOnly ?? false });
}

/** What is particular to an order shipment's label: its records, its key, its address check, its exceptions. */
function shipmentLabel(db: TaskContext["db"], shipment: ShipmentForLabel): LabelPurchaseSubject<{ status: "not_pending"; shipmentStatus: string }> {
  return {
    shopId: shipment.shopId,
    latestRecord: () => latestLabelPurchase(db, shipment.id),
    beginRecord: (start) => beginLabelPurchase(db, { ...start, shipmentId: shipment.id }),
    idempotencyKey: (attempt) => labelIdempotencyKey(shipment.id, attempt),
    // Unlike a return, a shipment no longer pending buys nothing even with a `buying` record (a
    // return finishes such a record); that record is still settled, by `settleUnwanted`.
    needsNoLabel: () => (shipment.status !== "pending" ? { status: "not_pending", shipmentStatus: shipment.status } : null),
    // The shipment was cancelled (or shipped another way, or holds a label bought by another
    // attempt) while this purchase was interrupted: a label the provider bought is recorded and
    // refunded, but never revives the shipment nor replaces its label (recordLabelPurchased
    // decides under the shipment's lock).
    settleUnwanted: {
      recordFound: async ({ purchaseId, label, explanation }) => {
        await recordLabelPurchased(db, { shopId: shipment.shopId, shipmentId: shipment.id, purchaseId, label, explanation, reconciled: true });
      },
      recordNotFound: (purchaseId) =>
        recordInterruptedPurchaseAbandoned(db, { purchaseId, message: `shipment_not_pending: the shipment is ${shipment.status} and the provider bought no label` }),
    },
    withoutCarrierAccount: (fail) => fail({ kind: "label_purchase_failed", reason: "no_carrier_account", message: "No label provider is connected (connect EasyPost to buy labels)" }),
    route: async (gateway) => {
      if (!shipment.to) return { kind: "address_invalid", reason: "no_address", message: "The order has no shipping address" };
      const verified = await gateway.verifyAddress(shipment.to);
      if (!verified.ok) {
        if (isTransientCarrierFailure(verified.reason)) throw new LabelPurchaseRetry(verified);
        return { kind: "label_purchase_failed", reason: verified.reason, message: `Address check failed: ${verified.detail ?? verified.reason}` };
      }
      if (!verified.value.verified) {
        return { kind: "address_invalid", reason: "address_invalid", message: `The carrier cannot deliver to this address: ${verified.value.problems.join("; ") || "not found"}` };
      }
      return { request: { from: shipment.from, to: verified.value.corrected ?? shipment.to, reference: shipment.id }, items: shipment.items, shippingMethod: shipment.shippingMethod };
    },
    recordPurchased: ({ purchaseId, label, explanation, reconciled }) => recordLabelPurchased(db, { shopId: shipment.shopId, shipmentId: shipment.id, purchaseId, label, explanation, reconciled }),
    recordFailure: ({ kind, reason, message, purchaseId }) =>
      recordLabelFailure(db, { shopId: shipment.shopId, shipmentId: shipment.id, orderId: shipment.orderId, kind, reason, message, ...(purchaseId ? { purchaseId } : {}) }),
    checkAgainLater: (runAt) => enqueueLabelPurchase(db, { shopId: shipment.shopId, shipmentId: shipment.id }, runAt),
    wording: {
      interruptedCheckFailed: "Could not check the interrupted purchase",
      interruptedNotBought: "The label purchase was interrupted and the carrier bought no label: buy it again",
      noRates: "No rates",
      noRateChosen: "No rate chosen",
      rateExpired: "The chosen rate expired; shopping again",
      refused: "The carrier refused the purchase",
    },
  };
}

/** shipping/buy-label: one shipment's label (job key per shipment). */
export function shippingBuyLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["shipping/buy-label"].parse(rawPayload);
    const outcome = await purchaseLabel(context, payload);
    helpers.logger.info(`label for shipment ${payload.shipmentId}${payload.settleOnly ? " (settling an interrupted purchase)" : ""}: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : ""}`);
  };
}
