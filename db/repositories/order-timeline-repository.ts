import type { DbOrTx } from "../client";
import { exceptions, orderEvents } from "../schema";
import type { RaisedException } from "../../core/orders/order-intake";

export interface TimelineEntry {
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  actor?: string;
}

export async function appendTimeline(db: DbOrTx, shopId: string, orderId: string, entries: readonly TimelineEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(orderEvents).values(
    entries.map((entry) => ({ shopId, orderId, kind: entry.kind, message: entry.message, data: entry.data ?? {}, actor: entry.actor ?? "system" })),
  );
}

export async function raiseExceptions(
  db: DbOrTx,
  shopId: string,
  raised: readonly RaisedException[],
  link: { orderId?: string; deliveryRowId?: number } = {},
): Promise<void> {
  if (raised.length === 0) return;
  await db.insert(exceptions).values(
    raised.map((exception) => ({
      shopId,
      orderId: link.orderId ?? null,
      deliveryId: link.deliveryRowId ?? null,
      kind: exception.kind,
      message: exception.message,
      details: exception.details,
    })),
  );
}
