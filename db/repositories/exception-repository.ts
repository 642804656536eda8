import { and, eq, sql } from "drizzle-orm";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database } from "../client";
import { exceptions } from "../schema";
import { appendTimeline } from "./order-timeline-repository";

export type ExceptionActionRefusal = "exception_not_found" | "exception_not_open";

export interface ExceptionRecord {
  id: string;
  kind: string;
  orderId: string | null;
  retryCount: number;
}

/** The merchant dealt with it: the exception leaves the open queue, with who and when. */
export async function resolveException(
  db: Database,
  input: { shopId: string; exceptionId: string; actor: string },
): Promise<Result<ExceptionRecord, ExceptionActionRefusal>> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ id: exceptions.id, status: exceptions.status, kind: exceptions.kind, orderId: exceptions.orderId })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, input.shopId), eq(exceptions.id, input.exceptionId)))
      .for("update");
    if (!current) return err("exception_not_found");
    if (current.status !== "open") return err("exception_not_open", `exception is ${current.status}`);
    const [updated] = await tx
      .update(exceptions)
      .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: input.actor })
      .where(eq(exceptions.id, current.id))
      .returning({ id: exceptions.id, kind: exceptions.kind, orderId: exceptions.orderId, retryCount: exceptions.retryCount });
    if (current.orderId) {
      await appendTimeline(tx, input.shopId, current.orderId, [
        { kind: "exception_resolved", message: `Exception ${current.kind} resolved`, actor: input.actor, data: { exceptionId: current.id } },
      ]);
    }
    return ok(updated!);
  });
}

/**
 * Counts a retry on an open exception. The work itself (re-running a reservation, re-pushing
 * stock) belongs to the caller, which runs it after this commits; the count stays visible so a
 * merchant can tell a stuck problem from a fresh one.
 */
export async function recordExceptionRetry(
  db: Database,
  input: { shopId: string; exceptionId: string; actor: string },
): Promise<Result<ExceptionRecord, ExceptionActionRefusal>> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ id: exceptions.id, status: exceptions.status, kind: exceptions.kind, orderId: exceptions.orderId })
      .from(exceptions)
      .where(and(eq(exceptions.shopId, input.shopId), eq(exceptions.id, input.exceptionId)))
      .for("update");
    if (!current) return err("exception_not_found");
    if (current.status !== "open") return err("exception_not_open", `exception is ${current.status}`);
    const [updated] = await tx
      .update(exceptions)
      .set({ retryCount: sql`${exceptions.retryCount} + 1` })
      .where(eq(exceptions.id, current.id))
      .returning({ id: exceptions.id, kind: exceptions.kind, orderId: exceptions.orderId, retryCount: exceptions.retryCount });
    if (current.orderId) {
      await appendTimeline(tx, input.shopId, current.orderId, [
        {
          kind: "exception_retry",
          message: `Retry ${updated!.retryCount} requested for ${current.kind}`,
          actor: input.actor,
          data: { exceptionId: current.id },
        },
      ]);
    }
    return ok(updated!);
  });
}
