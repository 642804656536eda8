import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../client";
import { exceptions } from "../schema";
import { recordExceptionRetry, resolveException } from "./exception-repository";
import { applyMerchantOrderAction } from "./order-action-repository";

/**
 * One action on many exceptions from the queue. Each exception is handled in its own
 * transaction with the same code as the single action, so one refusal (already resolved, order
 * already shipped) never undoes the others, and the merchant is told which ones it was.
 */
export const BULK_EXCEPTION_ACTIONS = ["retry", "resolve", "cancel_order"] as const;
export type BulkExceptionAction = (typeof BULK_EXCEPTION_ACTIONS)[number];

export interface BulkExceptionOutcome {
  exceptionId: string;
  ok: boolean;
  /** Why it was refused, in the machine's words (shown humanised). */
  reason?: string;
}

export async function applyBulkExceptionAction(
  db: Database,
  input: { shopId: string; exceptionIds: readonly string[]; action: BulkExceptionAction; actor: string },
): Promise<BulkExceptionOutcome[]> {
  const found = await db
    .select({ id: exceptions.id, orderId: exceptions.orderId })
    .from(exceptions)
    .where(and(eq(exceptions.shopId, input.shopId), inArray(exceptions.id, [...new Set(input.exceptionIds)])));
  const orderOf = new Map(found.map((row) => [row.id, row.orderId]));
  const outcomes: BulkExceptionOutcome[] = [];
  const cancelled = new Set<string>();
  for (const exceptionId of new Set(input.exceptionIds)) {
    if (!orderOf.has(exceptionId)) {
      outcomes.push({ exceptionId, ok: false, reason: "exception_not_found" });
      continue;
    }
    const one = { shopId: input.shopId, exceptionId, actor: input.actor };
    if (input.action === "retry") {
      const result = await recordExceptionRetry(db, one);
      outcomes.push(result.ok ? { exceptionId, ok: true } : { exceptionId, ok: false, reason: result.reason });
    } else if (input.action === "resolve") {
      const result = await resolveException(db, one);
      outcomes.push(result.ok ? { exceptionId, ok: true } : { exceptionId, ok: false, reason: result.reason });
    } else {
      const orderId = orderOf.get(exceptionId);
      if (!orderId) {
        outcomes.push({ exceptionId, ok: false, reason: "no_order_to_cancel" });
        continue;
      }
      // Several exceptions of one order cancel it once; each is then resolved.
      if (!cancelled.has(orderId)) {
        const cancel = await applyMerchantOrderAction(db, { shopId: input.shopId, orderId, action: "cancel", actor: input.actor, note: "from the exceptions queue" });
        if (!cancel.ok) {
          outcomes.push({ exceptionId, ok: false, reason: cancel.reason });
          continue;
        }
        cancelled.add(orderId);
      }
      const resolved = await resolveException(db, one);
      outcomes.push(resolved.ok ? { exceptionId, ok: true } : { exceptionId, ok: false, reason: resolved.reason });
    }
  }
  return outcomes;
}
