import type { Task } from "graphile-worker";
import { defaultPolicies } from "../../core/config/default-policies";
import type { CarrierFailure, CarrierGateway } from "../../core/ports/carrier-gateway-port";
import { deliveryPromiseFor } from "../../core/shipping/delivery-promise";
import { labelIdempotencyKey, nextLabelPurchaseStep } from "../../core/shipping/label-purchase-decision";
import { buildParcel } from "../../core/shipping/parcel-builder";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { beginLabelPurchase, latestLabelPurchase, recordLabelFailure, recordLabelPurchased } from "../../db/repositories/label-purchase-repository";
import { loadShipmentForLabel, type ShipmentForLabel } from "../../db/repositories/shipment-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";

/**
 * Buys one shipment's label, at most once whatever retries or crashes happen:
 * verify the address, build the parcel, shop rates, let the policy choose, write the purchase
 * record and commit it, then buy. A run that finds a `buying` record (the last run crashed or
 * lost the answer) looks the provider's shipment up before buying anything.
 */

export type LabelOutcome =
  | { status: "purchased"; reconciled: boolean }
  | { status: "already_purchased" }
  | { status: "not_pending"; shipmentStatus: string }
  | { status: "failed"; reason: string }
  | { status: "gone" };

/** Thrown for transport trouble so graphile-worker retries with backoff; the record makes the retry safe. */
export class LabelPurchaseRetry extends Error {
  constructor(failure: CarrierFailure | { reason: string; detail?: string }) {
    super(`label purchase will be retried: ${failure.reason}${failure.detail ? `: ${failure.detail}` : ""}`);
    this.name = "LabelPurchaseRetry";
  }
}

export async function purchaseLabel(context: TaskContext, payload: ParsedJobPayload<"shipping/buy-label">): Promise<LabelOutcome> {
  const { db } = context;
  const policies = context.policies ?? defaultPolicies;
  const shipment = await loadShipmentForLabel(db, payload.shopId, payload.shipmentId);
  if (!shipment) return { status: "gone" };
  const latest = await latestLabelPurchase(db, shipment.id);
  const step = nextLabelPurchaseStep(latest);
  if (step.step === "already_purchased") return { status: "already_purchased" };
  if (shipment.status !== "pending") return { status: "not_pending", shipmentStatus: shipment.status };

  const fail = async (kind: "label_purchase_failed" | "address_invalid", reason: string, message: string, purchaseId?: string): Promise<LabelOutcome> => {
    await recordLabelFailure(db, { shopId: shipment.shopId, shipmentId: shipment.id, orderId: shipment.orderId, kind, reason, message, ...(purchaseId ? { purchaseId } : {}) });
    return { status: "failed", reason };
  };

  const account = await findCarrierAccount(db, context.cipher ?? credentialCipher(), shipment.shopId);
  if (!account) return fail("label_purchase_failed", "no_carrier_account", "No label provider is connected (connect EasyPost to buy labels)");
  const built = (context.carrierGateways ?? carrierGatewayFor)(account);
  if (!built.ok) return fail("label_purchase_failed", built.reason, `The label provider cannot be used: ${built.detail ?? built.reason}`);
  const gateway = built.value;

  if (step.step === "reconcile_then_buy") {
    const record = latest!;
    const found = await gateway.findLabel(record.providerShipmentId);
    if (!found.ok) {
      if (isTransientCarrierFailure(found.reason)) throw new LabelPurchaseRetry(found);
      return fail("label_purchase_failed", found.reason, `Could not check the interrupted purchase: ${found.detail ?? found.reason}`, record.id);
    }
    if (found.value) {
      await recordLabelPurchased(db, { shopId: shipment.shopId, shipmentId: shipment.id, purchaseId: record.id, label: found.value, explanation: record.explanation, reconciled: true });
      return { status: "purchased", reconciled: true };
    }
    // The provider never bought it: buying the same provider shipment is safe (it is bought once).
    return buy(db, gateway, shipment, record.id, record.providerShipmentId, record.rateId, record.idempotencyKey, record.explanation, fail);
  }

  if (!shipment.to) return fail("address_invalid", "no_address", "The order has no shipping address");
  const verified = await gateway.verifyAddress(shipment.to);
  if (!verified.ok) {
    if (isTransientCarrierFailure(verified.reason)) throw new LabelPurchaseRetry(verified);
    return fail("label_purchase_failed", verified.reason, `Address check failed: ${verified.detail ?? verified.reason}`);
  }
  if (!verified.value.verified) {
    return fail("address_invalid", "address_invalid", `The carrier cannot deliver to this address: ${verified.value.problems.join("; ") || "not found"}`);
  }
  const parcel = buildParcel(shipment.items, policies.shipping.parcel);
  if (!parcel.ok) return fail("label_purchase_failed", parcel.reason, `No parcel: ${parcel.detail ?? parcel.reason}`);
  const rates = await gateway.rates({ from: shipment.from, to: verified.value.corrected ?? shipment.to, parcel: parcel.value, reference: shipment.id });
  if (!rates.ok) {
    if (isTransientCarrierFailure(rates.reason)) throw new LabelPurchaseRetry(rates);
    return fail(rates.reason === "address_invalid" ? "address_invalid" : "label_purchase_failed", rates.reason, `No rates: ${rates.detail ?? rates.reason}`);
  }
  const promise = deliveryPromiseFor(shipment.shippingMethod, policies.shipping.promiseRules, policies.shipping.standardPromise);
  const decision = policies.rateShopping.choose(rates.value, { promise, carriers: policies.shipping.carriers });
  if (!decision.ok) return fail("label_purchase_failed", decision.reason, `No rate chosen: ${decision.detail ?? decision.reason}`);
  const chosen = decision.value.chosen;
  const key = labelIdempotencyKey(shipment.id, step.attempt);
  const began = await beginLabelPurchase(db, {
    shopId: shipment.shopId,
    shipmentId: shipment.id,
    attempt: step.attempt,
    idempotencyKey: key,
    provider: account.provider,
    quote: chosen,
    explanation: decision.value.explanation,
  });
  // Another run recorded this attempt first; it owns the purchase. Retry later to reconcile.
  if (!began) throw new LabelPurchaseRetry({ reason: "purchase_in_progress", detail: key });
  const record = (await latestLabelPurchase(db, shipment.id))!;
  return buy(db, gateway, shipment, record.id, chosen.providerShipmentId, chosen.rateId, key, decision.value.explanation, fail);
}

async function buy(
  db: TaskContext["db"],
  gateway: CarrierGateway,
  shipment: ShipmentForLabel,
  purchaseId: string,
  providerShipmentId: string,
  rateId: string,
  idempotencyKey: string,
  explanation: string | null,
  fail: (kind: "label_purchase_failed", reason: string, message: string, purchaseId?: string) => Promise<LabelOutcome>,
): Promise<LabelOutcome> {
  const bought = await gateway.buyLabel({ providerShipmentId, rateId, idempotencyKey });
  if (!bought.ok) {
    // The record stays `buying`: the provider may have bought before the answer was lost.
    if (isTransientCarrierFailure(bought.reason)) throw new LabelPurchaseRetry(bought);
    // An expired rate bought nothing: the attempt fails and the retry shops afresh.
    if (bought.reason === "rate_expired") {
      await fail("label_purchase_failed", bought.reason, `The chosen rate expired; shopping again`, purchaseId);
      throw new LabelPurchaseRetry(bought);
    }
    return fail("label_purchase_failed", bought.reason, `The carrier refused the purchase: ${bought.detail ?? bought.reason}`, purchaseId);
  }
  await recordLabelPurchased(db, { shopId: shipment.shopId, shipmentId: shipment.id, purchaseId, label: bought.value, explanation, reconciled: false });
  return { status: "purchased", reconciled: false };
}


/** shipping/buy-label: one shipment's label (job key per shipment). */
export function shippingBuyLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["shipping/buy-label"].parse(rawPayload);
    const outcome = await purchaseLabel(context, payload);
    helpers.logger.info(`label for shipment ${payload.shipmentId}: ${outcome.status}${outcome.status === "failed" ? ` (${outcome.reason})` : ""}`);
  };
}
