import type { CarrierFailure } from "../../core/ports/carrier-gateway-port";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { isTransientCarrierFailure } from "../../connectors/easypost/easypost-failures";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { findCarrierAccount } from "../../db/repositories/carrier-account-repository";
import type { TaskContext } from "../task-context";

/**
 * The one refund request both label refunds make (shipping/void-label, returns/void-label):
 * EasyPost's `POST /v2/shipments/:id/refund`, its answer sorted into what the job does next.
 */

/**
 * - `refunded`: the provider took the request (`submitted`: the carrier confirms later).
 * - `refused`: the provider or the carrier will not refund it (a scanned label, a refusal, no
 *   provider connected to ask); asking again will not change that.
 * - `unreachable`: transport trouble or throttling; the job asks again later.
 */
export type RefundAnswer = { outcome: "refunded"; refundStatus: string } | { outcome: "refused"; reason: string; detail: string } | { outcome: "unreachable"; failure: CarrierFailure };

/** What a label refund job did: refunded it, ended it refused (why), or found nothing to refund. */
export type LabelRefundOutcome = { status: "voided"; refund: string } | { status: "refused"; reason: string } | { status: "gone" };

/** Thrown so graphile-worker retries a refund with backoff; the purchase stays `purchased` meanwhile. */
export class LabelRefundRetry extends Error {
  constructor(failure: CarrierFailure) {
    super(`label refund will be retried: ${failure.reason}${failure.detail ? `: ${failure.detail}` : ""}`);
    this.name = "LabelRefundRetry";
  }
}

export async function refundLabelAtProvider(context: TaskContext, shopId: string, providerShipmentId: string): Promise<RefundAnswer> {
  const account = await findCarrierAccount(context.db, context.cipher ?? credentialCipher(), shopId);
  const built = account ? (context.carrierGateways ?? carrierGatewayFor)(account) : undefined;
  if (!built?.ok) return { outcome: "refused", reason: "no_carrier_account", detail: "no label provider is connected" };
  const refunded = await built.value.refundLabel(providerShipmentId);
  if (!refunded.ok) {
    if (isTransientCarrierFailure(refunded.reason)) return { outcome: "unreachable", failure: refunded };
    return { outcome: "refused", reason: refunded.reason, detail: `the provider refused: ${refunded.detail ?? refunded.reason}` };
  }
  if (refunded.value.status === "rejected" || refunded.value.status === "not_applicable") {
    return { outcome: "refused", reason: refunded.value.status, detail: `the carrier will not refund it (${refunded.value.status}); it was probably scanned` };
  }
  return { outcome: "refunded", refundStatus: refunded.value.status };
}

/** Where a job is in its attempts: the last one gives up instead of asking graphile-worker for another. */
export interface JobAttempt {
  attempts: number;
  maxAttempts: number;
}

function isLastAttempt(attempt: JobAttempt): boolean {
  return attempt.attempts >= attempt.maxAttempts;
}

/**
 * A refund the provider did not take, as the job ends it: transport trouble before the last
 * attempt is thrown for graphile-worker to retry; otherwise the reason and the merchant-facing
 * detail of the refusal (after the last attempt, "could not be reached").
 */
export function finalRefusal(answer: Exclude<RefundAnswer, { outcome: "refunded" }>, attempt: JobAttempt): { reason: string; detail: string } {
  if (answer.outcome === "refused") return { reason: answer.reason, detail: answer.detail };
  if (!isLastAttempt(attempt)) throw new LabelRefundRetry(answer.failure);
  return { reason: answer.failure.reason, detail: `the provider could not be reached: ${answer.failure.detail ?? answer.failure.reason}` };
}
