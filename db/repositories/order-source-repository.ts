import { and, isNotNull, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { orders } from "../schema";
import { loadDeliveryBody, type DeliveryBody } from "./webhook-inbox-repository";

/**
 * Where an order's channel payload is kept (docs/adr/0022): as the body of the delivery it
 * arrived in, stored once by the ingress and named by the order; on the order itself when it
 * arrived no other way (a Shopify import) or was written before orders named their delivery; or
 * nowhere (a redacted customer, an order Switchyard made itself). Turning a body back into a
 * payload is the channel's parse, so the jobs layer does it (jobs/intake/order-source.ts).
 */
export type StoredOrderSource = { kind: "delivery"; body: DeliveryBody } | { kind: "order"; payload: unknown } | { kind: "none" };

export async function loadOrderSource(db: DbOrTx, order: { sourceDeliveryId: number | null; sourcePayload: unknown }): Promise<StoredOrderSource> {
  if (order.sourceDeliveryId !== null) {
    const body = await loadDeliveryBody(db, order.sourceDeliveryId);
    if (body) return { kind: "delivery", body };
  }
  return order.sourcePayload === null || order.sourcePayload === undefined ? { kind: "none" } : { kind: "order", payload: order.sourcePayload };
}

/**
 * The inbox rows holding the payloads of the orders `where` picks: redaction reads them before
 * it clears the orders' pointers, so those rows are redacted with the orders.
 */
export async function sourceDeliveryIdsOf(db: DbOrTx, where: SQL | undefined): Promise<number[]> {
  const rows = await db.select({ id: orders.sourceDeliveryId }).from(orders).where(and(where, isNotNull(orders.sourceDeliveryId)));
  return rows.map((row) => row.id!);
}
