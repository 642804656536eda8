import type { Task } from "graphile-worker";
import { defaultPolicies } from "../../core/config/default-policies";
import type { CarrierGateway } from "../../core/ports/carrier-gateway-port";
import { deliveryPromiseFor } from "../../core/shipping/delivery-promise";
import { nextLabelPurchaseStep, returnLabelIdempotencyKey } from "../../core/shipping/label-purchase-decision";
import { buildParcel } from "../../core/shipping/parcel-builder";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { appendReturnEvents } from "../../db/repositories/return-request-repository";
import {
  beginReturnLabelPurchase,
  latestReturnLabelPurchase,
  loadReturnForLabel,
  recordReturnLabelFailure,
  recordReturnLabelPurchased,
  type ReturnForLabel,
} from "../../db/repositories/return-label-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { LabelPurchaseRetry } from "./shipping-buy-label.task";

/**
 * returns/buy-label: the return label of an approved RMA, bought at most once whatever retries,
 * crashes or concurrent runs happen — the decision and records of an order's label (ADR 0009):
 * shop rates for an EasyPost return shipment (`is_return: true`: the addresses of the outbound
 * parcel, swapped by EasyPost), commit the `buying` record, then buy; a run that finds `buying`
 * asks the provider's shipment first and buys only if it has no label.
 */

export type ReturnLabelOutcome =
  | { status: "purchased"; reconciled: boolean }
  | { status: "already_purchased" }
  | { status: "not_needed"; because: string }
  | { status: "failed"; reason: string }
  | { status: "gone" };

export async function purchaseReturnLabel(context: TaskContext, payload: ParsedJobPayload<"returns/buy-label">): Promise<ReturnLabelOutcome> {
  const { db } = context;
  const policies = context.policies ?? defaultPolicies;
  const rma = await loadReturnForLabel(db, payload.shopId, payload.returnId);
  if (!rma) return { status: "gone" };
  const latest = await latestReturnLabelPurchase(db, rma.id);
  const step = nextLabelPurchaseStep(latest);
  if (step.step === "already_purchased") return { status: "already_purchased" };
  if (rma.keepItem) return { status: "not_needed", because: "the customer keeps the item" };
  // A buying record is finished whatever the RMA did since: money may already be spent.
  if (step.step !== "reconcile_then_buy" && rma.status !== "approved") return { status: "not_needed", because: `the return is ${rma.status}` };

  const fail = async (reason: string, message: string, options: { purchaseId?: string; raiseException?: boolean } = {}): Promise<ReturnLabelOutcome> => {
    await recordReturnLabelFailure(db, { shopId: rma.shopId, returnId: rma.id, orderId: rma.orderId, reason, message, raiseException: options.raiseException ?? true, ...(options.purchaseId ? { purchaseId: options.purchaseId } : {}) });
    return { status: "failed", reason };
  };

  const account = await findCarrierAccount(db, context.cipher ?? credentialCipher(), rma.shopId);
  if (!account) {
    // Not a fault: shops without a label provider send their own labels (recorded by hand).
    await appendReturnEvents(db, rma.shopId, rma.id, [{ kind: "label_manual", message: "No label provider is connected: record the return label by hand", actor: "system:label" }]);
    return { status: "not_needed", because: "no carrier account" };
  }
  const built = (context.carrierGateways ?? carrierGatewayFor)(account);
  if (!built.ok) return fail(built.reason, `The label provider cannot be used: ${built.detail ?? built.reason}`);
  const gateway = built.value;

  if (step.step === "reconcile_then_buy") {
    const record = latest!;
    const found = await gateway.findLabel(record.providerShipmentId);
    if (!found.ok) {
      if (isTransientCarrierFailure(found.reason)) throw new LabelPurchaseRetry(found);
      return fail(found.reason, `Could not check the interrupted return label purchase: ${found.detail ?? found.reason}`, { purchaseId: record.id });
    }
    if (found.value) {
      await recordReturnLabelPurchased(db, { shopId: rma.shopId, returnId: rma.id, purchaseId: record.id, label: found.value, reconciled: true });
      return { status: "purchased", reconciled: true };
    }
    return buy(context, gateway, rma, record.id, record.providerShipmentId, record.rateId, record.idempotencyKey, fail);
  }

  if (!rma.customer) return fail("no_address", "The order has no address to send the return label from");
  if (!rma.destination) return fail("no_destination", "The return has no receiving location");
  const parcel = buildParcel(rma.items, policies.shipping.parcel);
  if (!parcel.ok) return fail(parcel.reason, `No parcel: ${parcel.detail ?? parcel.reason}`);
  // EasyPost takes the outbound parcel's addresses and swaps them for a return (is_return).
  const rates = await gateway.rates({ from: rma.destination, to: rma.customer, parcel: parcel.value, reference: `return:${rma.id}`, isReturn: true });
  if (!rates.ok) {
    if (isTransientCarrierFailure(rates.reason)) throw new LabelPurchaseRetry(rates);
    return fail(rates.reason, `No return label rates: ${rates.detail ?? rates.reason}`);
  }
  // A return has no shipping method of its own: the shop's standard promise applies.
  const promise = deliveryPromiseFor(null, policies.shipping.promiseRules, policies.shipping.standardPromise);
  const decision = policies.rateShopping.choose(rates.value, { promise, carriers: policies.shipping.carriers });
  if (!decision.ok) return fail(decision.reason, `No return label rate chosen: ${decision.detail ?? decision.reason}`);
  const key = returnLabelIdempotencyKey(rma.id, step.attempt);
  const began = await beginReturnLabelPurchase(db, {
    shopId: rma.shopId,
    returnId: rma.id,
    attempt: step.attempt,
    idempotencyKey: key,
    provider: account.provider,
    quote: decision.value.chosen,
    explanation: decision.value.explanation,
  });
  // Another run recorded this attempt first and owns the purchase; a later run reconciles.
  if (!began) throw new LabelPurchaseRetry({ reason: "purchase_in_progress", detail: key });
  const record = (await latestReturnLabelPurchase(db, rma.id))!;
  return buy(context, gateway, rma, record.id, decision.value.chosen.providerShipmentId, decision.value.chosen.rateId, key, fail);
}

async function buy(
  context: TaskContext,
  gateway: CarrierGateway,
  rma: ReturnForLabel,
  purchaseId: string,
  providerShipmentId: string,
  rateId: string,
  idempotencyKey: string,
  fail: (reason: string, message: string, options?: { purchaseId?: string }) => Promise<ReturnLabelOutcome>,
): Promise<ReturnLabelOutcome> {
  const bought = await gateway.buyLabel({ providerShipmentId, rateId, idempotencyKey });
  if (!bought.ok) {
    // The record stays `buying`: the provider may have bought before the answer was lost.
    if (isTransientCarrierFailure(bought.reason)) throw new LabelPurchaseRetry(bought);
    // A refusal may be the provider's "already bought" (another run got there first): the
    // provider's shipment says whether a label exists, and then it is this return's label.
    const found = await gateway.findLabel(providerShipmentId);
    if (found.ok && found.value) {
      await recordReturnLabelPurchased(context.db, { shopId: rma.shopId, returnId: rma.id, purchaseId, label: found.value, reconciled: true });
      return { status: "purchased", reconciled: true };
    }
    // Bought, but the label is not readable yet: the concurrent purchase is still finishing.
    if (bought.reason === "already_bought") throw new LabelPurchaseRetry(bought);
    if (bought.reason === "rate_expired") {
      await fail(bought.reason, "The chosen return label rate expired; shopping again", { purchaseId });
      throw new LabelPurchaseRetry(bought);
    }
    return fail(bought.reason, `The carrier refused the return label: ${bought.detail ?? bought.reason}`, { purchaseId });
  }
  await recordReturnLabelPurchased(context.db, { shopId: rma.shopId, returnId: rma.id, purchaseId, label: bought.value, reconciled: false });
  return { status: "purchased", reconciled: false };
}

/** returns/buy-label: one return's label (job key per return). */
export function returnsBuyLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/buy-label"].parse(rawPayload);
    const outcome = await purchaseReturnLabel(context, payload);
    helpers.logger.info(`return label for ${payload.returnId}: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : outcome.status === "not_needed" ? ` (${outcome.because})` : ""}`);
  };
}
