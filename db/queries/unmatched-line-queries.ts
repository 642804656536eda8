import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { orderLines, orders } from "../schema";
import { lineMatchKey } from "../repositories/line-variant-match";
import { MAPPABLE_ORDER_STATUSES, waitingLinesFor, type IdentityKey } from "../repositories/line-mapping-repository";

export interface UnmatchedLineView {
  lineId: string;
  title: string;
  sku: string | null;
  channelVariantRef: string | null;
  /** Units the line still waits for. */
  units: number;
  /** What a mapping is remembered under; null when the line carries no identity at all. */
  identity: IdentityKey | null;
  /** Other open orders waiting on the same identity, which a mapping can match at once. */
  otherOrders: { orderId: string; number: string }[];
}

/**
 * The order's stock-carrying lines that matched no variant, with the other open orders that
 * wait on the same identity: what the order page offers to map. Empty for closed orders.
 */
export async function unmatchedLinesOfOrder(db: DbOrTx, shopId: string, orderId: string): Promise<UnmatchedLineView[]> {
  const rows = await db
    .select({
      lineId: orderLines.id,
      title: orderLines.title,
      sku: orderLines.sku,
      channelVariantRef: orderLines.channelVariantRef,
      units: sql<number>`(${orderLines.quantity} - ${orderLines.fulfilledQuantity})::int`,
      channel: orders.channel,
      status: orders.status,
    })
    .from(orderLines)
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .where(
      and(
        eq(orderLines.shopId, shopId),
        eq(orderLines.orderId, orderId),
        isNull(orderLines.variantId),
        eq(orderLines.carriesStock, true),
        sql`${orderLines.quantity} > ${orderLines.fulfilledQuantity}`,
      ),
    )
    .orderBy(orderLines.externalLineId);
  const open = rows.filter((row) => MAPPABLE_ORDER_STATUSES.includes(row.status as (typeof MAPPABLE_ORDER_STATUSES)[number]));
  return Promise.all(
    open.map(async (row) => {
      const matchKey = lineMatchKey(row);
      const identity = matchKey ? { channel: row.channel, matchKey } : null;
      const waiting = identity ? await waitingLinesFor(db, shopId, identity) : [];
      const otherOrders = [...new Map(waiting.filter((w) => w.orderId !== orderId).map((w) => [w.orderId, { orderId: w.orderId, number: w.number }])).values()];
      return { lineId: row.lineId, title: row.title, sku: row.sku, channelVariantRef: row.channelVariantRef, units: row.units, identity, otherOrders };
    }),
  );
}
