import { defaultPolicies } from "../../core/config/default-policies";
import type { CarrierFailure, CarrierGateway, PurchasedLabel, RateRequest } from "../../core/ports/carrier-gateway-port";
import { deliveryPromiseFor } from "../../core/shipping/delivery-promise";
import { nextLabelPurchaseStep, type LabelPurchaseStep } from "../../core/shipping/label-purchase-decision";
import { buildParcel, type ParcelItem } from "../../core/shipping/parcel-builder";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccount, type CarrierAccount } from "../../db/repositories/carrier-account-repository";
import type { LabelPurchaseRecord, LabelPurchaseStart } from "../../db/repositories/label-purchase-records";
import type { TaskContext } from "../task-context";

/**
 * The one "buy a label exactly once, then reconcile" flow (ADR 0009), for an order's shipment
 * and for a return alike. What differs between them is a `LabelPurchaseSubject`: the records it
 * claims and finishes, its idempotency key, where the parcel goes from and to, when it needs no
 * label, and how a failure is told to the merchant.
 *
 * The steps: read the latest purchase record; a `buying` one (a run crashed or lost the answer)
 * is looked up at the provider before anything is bought; otherwise shop rates, let the policy
 * choose, commit the `buying` record on its own, then buy.
 *
 * Two runs can work on one subject at once (a job added again while the first runs starts a
 * second job). Only one of them owns an attempt (the record's unique key), and every buy of that
 * attempt is of the record's provider shipment, which the provider buys once; the other run ends
 * `already_purchased` once the label is recorded, or `in_progress` while the owner is still
 * buying, with a check queued for later in case the owner never finishes. A purchase still
 * under way when the sweep ends its attempt lets a third run buy a second label afresh; whichever
 * label is recorded second is refunded (`second_label_refunding`): the subject keeps the label it
 * already holds.
 */

/** How long an `in_progress` run waits before it checks again: a purchase takes seconds. */
const LABEL_IN_PROGRESS_RECHECK_MS = 60_000;

/** Thrown for transport trouble so graphile-worker retries with backoff; the record makes the retry safe. */
export class LabelPurchaseRetry extends Error {
  constructor(failure: CarrierFailure | { reason: string; detail?: string }) {
    super(`label purchase will be retried: ${failure.reason}${failure.detail ? `: ${failure.detail}` : ""}`);
    this.name = "LabelPurchaseRetry";
  }
}

/**
 * What every label purchase can end in; a subject adds its own reasons to buy nothing.
 * `in_progress`: another run owns the purchase and has not recorded it yet; a check is queued.
 * `not_interrupted`: a settle-only run found no `buying` record (settled meanwhile, or none).
 * `second_label_refunding`: the label this run holds is a second one for the subject, which
 * keeps the label it already holds; this one is recorded and its refund queued (ADR 0009).
 */
export type LabelBought =
  | { status: "purchased"; reconciled: boolean }
  | { status: "already_purchased" }
  | { status: "second_label_refunding" }
  | { status: "in_progress" }
  | { status: "not_interrupted" }
  | { status: "failed"; reason: string };

export interface LabelRunOptions {
  /**
   * Settle an interrupted purchase and buy nothing (the sweep's run, ADR 0009): a `buying`
   * record's label found at the provider is recorded; none ends the attempt failed, and the
   * merchant is asked to buy again. For a subject that no longer wants a label, `settleUnwanted`
   * records the answer instead (a label refunded, nothing asked of the merchant): the attempt
   * ends either way.
   */
  settleOnly?: boolean;
}

/** A refusal worth telling the merchant: the attempt (if recorded) fails and the next run shops again. */
export interface LabelFailure {
  /** `address_invalid` only for an order's shipment; a return raises `label_purchase_failed` for every reason. */
  kind: "label_purchase_failed" | "address_invalid";
  reason: string;
  message: string;
  purchaseId?: string;
}

/** The parcel's journey, before the parcel is built from `items`. */
export interface LabelRoute {
  request: Omit<RateRequest, "parcel">;
  items: readonly ParcelItem[];
  /** Chooses the delivery promise the rate must meet. */
  shippingMethod: string | null;
}

/** The merchant-facing wording of the shared failures: each flow names its own label. */
export interface LabelWording {
  interruptedCheckFailed: string;
  /** An interrupted purchase the provider never bought, settled without buying (the sweep's run). */
  interruptedNotBought: string;
  noRates: string;
  noRateChosen: string;
  rateExpired: string;
  refused: string;
}

export interface LabelPurchaseSubject<NotBought> {
  shopId: string;
  latestRecord(): Promise<LabelPurchaseRecord | null>;
  /** False when another run committed this attempt first. */
  beginRecord(start: LabelPurchaseStart): Promise<boolean>;
  idempotencyKey(attempt: number): string;
  /** Why no label is bought at all, decided once the records are read (null: go on). */
  needsNoLabel(step: Exclude<LabelPurchaseStep, { step: "already_purchased" }>): NotBought | null;
  /** No label provider is connected. */
  withoutCarrierAccount(fail: (failure: LabelFailure) => Promise<LabelBought>): Promise<NotBought | LabelBought>;
  /** From and to, checked (and for a shipment verified at the provider) before any rate is asked. */
  route(gateway: CarrierGateway): Promise<LabelRoute | LabelFailure>;
  /**
   * `already_recorded`: another run recorded this label first, and nothing more is written.
   * `second_label`: the subject already holds another label, which it keeps (the label already
   * recorded wins, ADR 0009); this one is recorded as bought and its refund queued.
   */
  recordPurchased(purchase: { purchaseId: string; label: PurchasedLabel; explanation: string | null; reconciled: boolean }): Promise<"recorded" | "already_recorded" | "second_label">;
  /**
   * `superseded`: the attempt was settled by another run meanwhile (its label recorded, or the
   * same failure already told), or the subject no longer waits for a label; the merchant is told
   * nothing. A `buying` attempt named by the failure still ends failed.
   */
  recordFailure(failure: LabelFailure): Promise<"recorded" | "superseded">;
  /** Queues the subject's label job to run at `runAt` (unless one is already due sooner). */
  checkAgainLater(runAt: Date): Promise<void>;
  /**
   * How an interrupted purchase (a `buying` record) is settled when `needsNoLabel` says no label
   * is wanted any more (an order's shipment cancelled meanwhile, a return whose customer keeps the
   * item): the provider may have bought, and charged for, the label, so it is asked and nothing
   * new is bought (ADR 0009). Every subject has one: a `buying` record left as it is would be
   * swept and settled again, forever.
   */
  settleUnwanted: UnwantedLabelSettlement;
  wording: LabelWording;
}

/** What a subject that no longer wants a label does with an interrupted purchase's answer. */
export interface UnwantedLabelSettlement {
  /**
   * The provider bought it: record the money spent and get it refunded, leaving the subject as
   * it is (a subject waiting for a label again by the time it is recorded takes it instead).
   */
  recordFound(purchase: { purchaseId: string; label: PurchasedLabel; explanation: string | null }): Promise<void>;
  /** The provider never bought it: the attempt ends failed (nothing was spent). */
  recordNotFound(purchaseId: string): Promise<void>;
}

/** A purchase about to be made: the provider shipment and rate, under the attempt's key. */
interface PendingBuy {
  purchaseId: string;
  providerShipmentId: string;
  rateId: string;
  idempotencyKey: string;
  explanation: string | null;
}

export async function buyLabelOnce<NotBought>(context: TaskContext, subject: LabelPurchaseSubject<NotBought>, options: LabelRunOptions = {}): Promise<LabelBought | NotBought> {
  const policies = context.policies ?? defaultPolicies;
  const latest = await subject.latestRecord();
  const step = nextLabelPurchaseStep(latest);
  if (step.step === "already_purchased") return { status: "already_purchased" };
  if (options.settleOnly && step.step !== "reconcile_then_buy") return { status: "not_interrupted" };
  const outcomes = labelOutcomes(subject);
  const { fail } = outcomes;

  const notBought = subject.needsNoLabel(step);
  if (notBought !== null) {
    // A `buying` record may hide a label the provider bought (and charged for): it is settled,
    // never bought, even though no label is wanted any more.
    if (step.step === "reconcile_then_buy") return (await settleUnwantedPurchase(context, subject, subject.settleUnwanted, latest!, fail)) ?? notBought;
    return notBought;
  }

  const provider = await connectedProvider(context, subject.shopId);
  if (provider === null) return subject.withoutCarrierAccount(fail);
  if (isLabelFailure(provider)) return fail(provider);
  const { account, gateway } = provider;

  if (step.step === "reconcile_then_buy") {
    const record = latest!;
    const found = await interruptedLabel(gateway, record, subject.wording);
    if (isLabelFailure(found)) return fail(found);
    if (found.label) return outcomes.recorded({ purchaseId: record.id, label: found.label, explanation: record.explanation, reconciled: true });
    // The sweep's run: nothing was spent, and no job is left to buy it, so the merchant decides.
    if (options.settleOnly) return fail({ kind: "label_purchase_failed", reason: "interrupted_not_bought", message: subject.wording.interruptedNotBought, purchaseId: record.id });
    // The provider never bought it: buying the same provider shipment is safe (it is bought once).
    return buy(gateway, subject, outcomes, { purchaseId: record.id, providerShipmentId: record.providerShipmentId, rateId: record.rateId, idempotencyKey: record.idempotencyKey, explanation: record.explanation });
  }

  const route = await subject.route(gateway);
  if (isLabelFailure(route)) return fail(route);
  const parcel = buildParcel(route.items, policies.shipping.parcel);
  if (!parcel.ok) return fail({ kind: "label_purchase_failed", reason: parcel.reason, message: `No parcel: ${parcel.detail ?? parcel.reason}` });
  const rates = await gateway.rates({ ...route.request, parcel: parcel.value });
  if (!rates.ok) {
    if (isTransientCarrierFailure(rates.reason)) throw new LabelPurchaseRetry(rates);
    return fail({ kind: rates.reason === "address_invalid" ? "address_invalid" : "label_purchase_failed", reason: rates.reason, message: `${subject.wording.noRates}: ${rates.detail ?? rates.reason}` });
  }
  const promise = deliveryPromiseFor(route.shippingMethod, policies.shipping.promiseRules, policies.shipping.standardPromise);
  const decision = policies.rateShopping.choose(rates.value, { promise, carriers: policies.shipping.carriers });
  if (!decision.ok) return fail({ kind: "label_purchase_failed", reason: decision.reason, message: `${subject.wording.noRateChosen}: ${decision.detail ?? decision.reason}` });
  const chosen = decision.value.chosen;
  const key = subject.idempotencyKey(step.attempt);
  const began = await subject.beginRecord({ shopId: subject.shopId, attempt: step.attempt, idempotencyKey: key, provider: account.provider, quote: chosen, explanation: decision.value.explanation });
  // Another run read "no record" too and committed this attempt first: it owns the purchase (of
  // its own provider shipment; the one shopped here is never bought and costs nothing).
  if (!began) return outcomes.inProgress();
  const record = (await subject.latestRecord())!;
  return buy(gateway, subject, outcomes, { purchaseId: record.id, providerShipmentId: chosen.providerShipmentId, rateId: chosen.rateId, idempotencyKey: key, explanation: decision.value.explanation });
}

/** How a run ends, once what it learnt is recorded through the subject. */
interface LabelOutcomes {
  /** A refusal for the merchant; when another run settled the attempt first, its outcome stands instead. */
  fail: (failure: LabelFailure) => Promise<LabelBought>;
  /** The provider has the label: this run records it, unless another run did first. */
  recorded: (purchase: { purchaseId: string; label: PurchasedLabel; explanation: string | null; reconciled: boolean }) => Promise<LabelBought>;
  /** Another run owns the purchase and has not recorded it: nothing is written, a check is queued. */
  inProgress: () => Promise<LabelBought>;
}

function labelOutcomes<NotBought>(subject: LabelPurchaseSubject<NotBought>): LabelOutcomes {
  return {
    fail: async (failure) => {
      if ((await subject.recordFailure(failure)) === "recorded") return { status: "failed", reason: failure.reason };
      // Settled by another run meanwhile (or no longer wanted): a label recorded there stands.
      const latest = await subject.latestRecord();
      return latest?.state === "purchased" ? { status: "already_purchased" } : { status: "failed", reason: failure.reason };
    },
    recorded: async (purchase) => {
      const written = await subject.recordPurchased(purchase);
      if (written === "second_label") return { status: "second_label_refunding" };
      return written === "recorded" ? { status: "purchased", reconciled: purchase.reconciled } : { status: "already_purchased" };
    },
    inProgress: async () => {
      // The owner normally records the label within seconds. The check covers an owner that stops
      // with no retry left: graphile-worker gives none to a running job whose key a newer job took.
      await subject.checkAgainLater(new Date(Date.now() + LABEL_IN_PROGRESS_RECHECK_MS));
      return { status: "in_progress" };
    },
  };
}

/** The shop's label provider: null when none is connected, a failure when it cannot be used. */
async function connectedProvider(context: TaskContext, shopId: string): Promise<{ account: CarrierAccount; gateway: CarrierGateway } | LabelFailure | null> {
  const account = await findCarrierAccount(context.db, context.cipher ?? credentialCipher(), shopId);
  if (!account) return null;
  const built = (context.carrierGateways ?? carrierGatewayFor)(account);
  if (!built.ok) return { kind: "label_purchase_failed", reason: built.reason, message: `The label provider cannot be used: ${built.detail ?? built.reason}` };
  return { account, gateway: built.value };
}

/**
 * What the provider says of an interrupted purchase: the label it bought, or null when it bought
 * none. Transport trouble throws (the job retries, the record stays `buying`); a refusal to
 * answer is a failure for the merchant.
 */
async function interruptedLabel(gateway: CarrierGateway, record: LabelPurchaseRecord, wording: LabelWording): Promise<{ label: PurchasedLabel | null } | LabelFailure> {
  const found = await gateway.findLabel(record.providerShipmentId);
  if (found.ok) return { label: found.value };
  if (isTransientCarrierFailure(found.reason)) throw new LabelPurchaseRetry(found);
  return { kind: "label_purchase_failed", reason: found.reason, message: `${wording.interruptedCheckFailed}: ${found.detail ?? found.reason}`, purchaseId: record.id };
}

/**
 * An interrupted purchase whose subject no longer wants a label: the provider is asked and the
 * answer recorded, nothing is bought (null: settled, the subject's "no label" stands). With no
 * provider connected the record stays `buying`, so a run once one is connected settles it.
 */
async function settleUnwantedPurchase<NotBought>(
  context: TaskContext,
  subject: LabelPurchaseSubject<NotBought>,
  settle: UnwantedLabelSettlement,
  record: LabelPurchaseRecord,
  fail: (failure: LabelFailure) => Promise<LabelBought>,
): Promise<LabelBought | null> {
  const provider = await connectedProvider(context, subject.shopId);
  if (provider === null) return null;
  if (isLabelFailure(provider)) return fail(provider);
  const found = await interruptedLabel(provider.gateway, record, subject.wording);
  if (isLabelFailure(found)) return fail(found);
  if (found.label) await settle.recordFound({ purchaseId: record.id, label: found.label, explanation: record.explanation });
  else await settle.recordNotFound(record.id);
  return null;
}

async function buy<NotBought>(gateway: CarrierGateway, subject: LabelPurchaseSubject<NotBought>, outcomes: LabelOutcomes, pending: PendingBuy): Promise<LabelBought> {
  const { purchaseId, providerShipmentId, rateId, idempotencyKey, explanation } = pending;
  const bought = await gateway.buyLabel({ providerShipmentId, rateId, idempotencyKey });
  if (bought.ok) return outcomes.recorded({ purchaseId, label: bought.value, explanation, reconciled: false });
  // The record stays `buying`: the provider may have bought before the answer was lost.
  if (isTransientCarrierFailure(bought.reason)) throw new LabelPurchaseRetry(bought);
  // A refusal may be the provider's "already bought": another run of the same attempt bought
  // this provider shipment first. A label the provider shows is then this subject's.
  const found = await gateway.findLabel(providerShipmentId);
  if (found.ok && found.value) return outcomes.recorded({ purchaseId, label: found.value, explanation, reconciled: true });
  if (!found.ok && isTransientCarrierFailure(found.reason)) throw new LabelPurchaseRetry(found);
  // Bought, but no label to read yet: the other run's purchase is still under way.
  if (bought.reason === "already_bought") return outcomes.inProgress();
  // An expired rate bought nothing: the attempt fails and the retry shops afresh.
  if (bought.reason === "rate_expired") {
    const failed = await outcomes.fail({ kind: "label_purchase_failed", reason: bought.reason, message: subject.wording.rateExpired, purchaseId });
    if (failed.status === "failed") throw new LabelPurchaseRetry(bought);
    return failed;
  }
  return outcomes.fail({ kind: "label_purchase_failed", reason: bought.reason, message: `${subject.wording.refused}: ${bought.detail ?? bought.reason}`, purchaseId });
}

function isLabelFailure<T extends object>(value: T | LabelFailure): value is LabelFailure {
  return "kind" in value;
}
