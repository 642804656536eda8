import type { Task } from "graphile-worker";
import { LABEL_REFUND_JOB_MAX_ATTEMPTS } from "../../db/repositories/label-refund-repository";
import { loadReturnLabelRefund, recordReturnLabelRefundFailed, recordReturnLabelVoided } from "../../db/repositories/return-label-refund-repository";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import type { TaskContext } from "../task-context";
import { finalRefusal, refundLabelAtProvider, type JobAttempt, type LabelRefundOutcome } from "./refund-label-at-provider";

/**
 * returns/void-label: refunds a return label bought but never to be used (a second label for a
 * return that keeps the one it holds, or a label for a return that no longer needs one, ADR
 * 0009), through the refund shipping/void-label asks for. Never the label the return holds,
 * never a purchase already voided (a redelivered job): nothing is refunded twice. Transport
 * trouble is retried by the job; a refund that fails for good is an exception for the merchant.
 */
export async function voidReturnLabel(
  context: TaskContext,
  payload: ParsedJobPayload<"returns/void-label">,
  attempt: JobAttempt = { attempts: 1, maxAttempts: LABEL_REFUND_JOB_MAX_ATTEMPTS },
): Promise<LabelRefundOutcome> {
  const found = await loadReturnLabelRefund(context.db, payload);
  if (!found) return { status: "gone" };
  const { rma, purchase } = found;
  if (purchase.state !== "purchased" || rma.providerShipmentId === purchase.providerShipmentId) return { status: "refused", reason: "no_label" };

  const answer = await refundLabelAtProvider(context, payload.shopId, purchase.providerShipmentId);
  if (answer.outcome === "refunded") {
    await recordReturnLabelVoided(context.db, { shopId: payload.shopId, rma, purchase, refundStatus: answer.refundStatus, actor: payload.actor });
    return { status: "voided", refund: answer.refundStatus };
  }
  const { reason, detail } = finalRefusal(answer, attempt);
  await recordReturnLabelRefundFailed(context.db, { shopId: payload.shopId, rma, purchase, detail });
  return { status: "refused", reason };
}

export function returnsVoidLabelTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["returns/void-label"].parse(rawPayload);
    const outcome = await voidReturnLabel(context, payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
    helpers.logger.info(`void return label ${payload.purchaseId} of return ${payload.returnId}: ${outcome.status}${outcome.status === "refused" ? ` (${outcome.reason})` : ""}`);
  };
}
