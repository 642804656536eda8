import type { DbOrTx } from "../client";
import { insertJsonRows } from "../json-rows-insert";
import { exceptions, orderEvents } from "../schema";
import type { RaisedException } from "../../core/orders/order-intake";

export interface TimelineEntry {
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  actor?: string;
}

export async function appendTimeline(db: DbOrTx, shopId: string, orderId: string, entries: readonly TimelineEntry[]): Promise<void> {
  await appendTimelines(db, shopId, entries.map((entry) => ({ ...entry, orderId })));
}

/** Timeline entries of many orders in one statement (a batch of new orders). */
export async function appendTimelines(db: DbOrTx, shopId: string, entries: readonly (TimelineEntry & { orderId: string })[]): Promise<void> {
  if (entries.length === 0) return;
  await insertJsonRows(
    db,
    orderEvents,
    entries.map((entry) => ({ shopId, orderId: entry.orderId, kind: entry.kind, message: entry.message, data: entry.data ?? {}, actor: entry.actor ?? "system" })),
  );
}

export async function raiseExceptions(
  db: DbOrTx,
  shopId: string,
  raised: readonly RaisedException[],
  link: { orderId?: string; deliveryRowId?: number } = {},
): Promise<void> {
  await raiseOrderExceptions(db, shopId, raised.map((exception) => ({ ...exception, ...link })));
}

/** Exceptions of many orders (or deliveries) in one statement. */
export async function raiseOrderExceptions(
  db: DbOrTx,
  shopId: string,
  raised: readonly (RaisedException & { orderId?: string; deliveryRowId?: number })[],
): Promise<void> {
  if (raised.length === 0) return;
  await insertJsonRows(
    db,
    exceptions,
    raised.map((exception) => ({
      shopId,
      orderId: exception.orderId ?? null,
      deliveryId: exception.deliveryRowId ?? null,
      kind: exception.kind,
      message: exception.message,
      details: exception.details,
    })),
  );
}
