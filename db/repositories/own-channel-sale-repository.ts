import { sql } from "drizzle-orm";
import { CHANNELS_COUNTING_THEIR_OWN_SALES, figureAfterOwnSales, type OwnSale } from "../../core/inventory/own-sale-echo";
import type { Channel } from "../../core/orders/unified-order";
import type { Tx } from "../client";

/** One captured line a channel sold itself: it already took `units` of the variant's listing off its quantity. */
export interface CapturedOwnSale extends OwnSale {
  readonly channel: Channel;
  readonly variantId: string;
}

/**
 * Records, in the capture's transaction, that the channels which sold these lines already show
 * them: where the core is certain (core/inventory/own-sale-echo.ts), the listing's last pushed
 * figure moves down by the units, so the sync sees the channel already right and pushes nothing
 * back to it. Only a channel with one connected connection listing the variant is moved (which
 * of two Amazon accounts sold it is not known here). Listings another transaction is writing
 * (a push being recorded) are skipped rather than waited for: the sync then pushes the figure,
 * which is harmless, and no lock is held across the two.
 */
export async function recordOwnChannelSales(tx: Tx, shopId: string, sales: readonly CapturedOwnSale[]): Promise<number> {
  const counted = sales.filter((sale) => CHANNELS_COUNTING_THEIR_OWN_SALES.has(sale.channel) && sale.units > 0);
  if (counted.length === 0) return 0;
  const keys = [...new Set(counted.map((sale) => `${sale.channel}|${sale.variantId}`))].map((key) => {
    const [channel, variantId] = key.split("|");
    return { channel, variant_id: variantId };
  });
  const listings = await tx.execute<{ id: string; channel: string; variant_id: string; last_pushed_available: number | null; last_push_settled_at: Date | string | null }>(sql`
    SELECT cl.id, c.channel, cl.variant_id, cl.last_pushed_available, cl.last_push_settled_at
      FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS k(channel text, variant_id uuid)
      JOIN channel_connections c ON c.shop_id = ${shopId} AND c.channel = k.channel AND c.status = 'connected'
      JOIN channel_listings cl ON cl.connection_id = c.id AND cl.variant_id = k.variant_id
     WHERE (SELECT count(*) FROM channel_listings other
              JOIN channel_connections oc ON oc.id = other.connection_id AND oc.status = 'connected'
             WHERE other.shop_id = ${shopId} AND other.variant_id = k.variant_id AND oc.channel = k.channel) = 1
     ORDER BY cl.id
       FOR UPDATE OF cl SKIP LOCKED`);
  const moves = listings.rows.flatMap((row) => {
    const own = counted.filter((sale) => sale.channel === row.channel && sale.variantId === row.variant_id);
    const figure = figureAfterOwnSales(
      { lastPushedAvailable: row.last_pushed_available, lastPushSettledAt: row.last_push_settled_at === null ? null : new Date(row.last_push_settled_at) },
      own,
    );
    return figure === null ? [] : [{ id: row.id, available: figure }];
  });
  if (moves.length === 0) return 0;
  await tx.execute(sql`
    UPDATE channel_listings cl SET last_pushed_available = m.available
      FROM jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) AS m(id uuid, available int)
     WHERE cl.id = m.id`);
  return moves.length;
}
