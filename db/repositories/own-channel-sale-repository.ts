import { sql, type SQL } from "drizzle-orm";
import { CHANNELS_CHECKING_OWN_SALES_ON_PUSH, CHANNELS_COUNTING_THEIR_OWN_SALES, figureAfterOwnSales, type OwnSale } from "../../core/inventory/own-sale-echo";
import type { Channel } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { executePrepared } from "../prepared-statement";
import { statementsTogether } from "../statements-together";

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
  // Two tables, issued together (statements-together.ts).
  let moved = 0;
  let expected = 0;
  await statementsTogether([moveOwnSaleFigures(tx, shopId, sales).then((n) => (moved = n)), expectOwnSalesOnPush(tx, shopId, sales).then((n) => (expected = n))]);
  return moved + expected;
}

async function moveOwnSaleFigures(tx: Tx, shopId: string, sales: readonly CapturedOwnSale[]): Promise<number> {
  const counted = sales.filter((sale) => CHANNELS_COUNTING_THEIR_OWN_SALES.has(sale.channel) && sale.units > 0);
  if (counted.length === 0) return 0;
  const keys = [...new Set(counted.map((sale) => `${sale.channel}|${sale.variantId}`))].map((key) => {
    const [channel, variantId] = key.split("|");
    return { channel, variant_id: variantId };
  });
  const listings = await executePrepared<{ id: string; channel: string; variant_id: string; last_pushed_available: number | null; last_push_settled_at: Date | string | null }>(tx, sql`
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
  await executePrepared(tx, sql`
    UPDATE channel_listings cl SET last_pushed_available = m.available
      FROM jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) AS m(id uuid, available int)
     WHERE cl.id = m.id`);
  return moves.length;
}

/**
 * Shopify: the listing's only Shopify location is expected to show its last figure less the
 * units sold since, and the next push's compare-and-set says so (stock-sync-repository reads
 * `expected_available`). Rows another transaction is writing are skipped: their push is then
 * refused as stale and re-pushed, as without the expectation.
 */
async function expectOwnSalesOnPush(tx: Tx, shopId: string, sales: readonly CapturedOwnSale[]): Promise<number> {
  const units = new Map<string, number>();
  for (const sale of sales) {
    if (!CHANNELS_CHECKING_OWN_SALES_ON_PUSH.has(sale.channel) || sale.units <= 0) continue;
    const key = `${sale.channel}|${sale.variantId}`;
    units.set(key, (units.get(key) ?? 0) + sale.units);
  }
  if (units.size === 0) return 0;
  const rows = [...units].map(([key, sold]) => {
    const [channel, variantId] = key.split("|");
    return { channel, variant_id: variantId, units: sold };
  });
  const mirrored = (connection: SQL) => sql`
    SELECT f.location_id FROM channel_locations f JOIN locations l ON l.id = f.location_id
     WHERE f.connection_id = ${connection} AND l.active AND l.external_id IS NOT NULL`;
  const locked = await executePrepared<{ listing_id: string; location_id: string; units: number }>(tx, sql`
    SELECT cll.listing_id, cll.location_id, x.units
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(channel text, variant_id uuid, units int)
      JOIN channel_connections c ON c.shop_id = ${shopId} AND c.channel = x.channel AND c.status = 'connected'
      JOIN channel_listings cl ON cl.connection_id = c.id AND cl.variant_id = x.variant_id
      JOIN channel_listing_locations cll ON cll.listing_id = cl.id AND cll.last_pushed_available IS NOT NULL
     WHERE cll.location_id IN (${mirrored(sql`c.id`)})
       AND (SELECT count(*) FROM (${mirrored(sql`c.id`)}) m) = 1
       AND (SELECT count(*) FROM channel_listings other
              JOIN channel_connections oc ON oc.id = other.connection_id AND oc.status = 'connected'
             WHERE other.shop_id = ${shopId} AND other.variant_id = x.variant_id AND oc.channel = x.channel) = 1
     ORDER BY cll.listing_id, cll.location_id
       FOR UPDATE OF cll SKIP LOCKED`);
  if (locked.rows.length === 0) return 0;
  await executePrepared(tx, sql`
    UPDATE channel_listing_locations cll
       SET expected_available = coalesce(cll.expected_available, cll.last_pushed_available) - x.units
      FROM jsonb_to_recordset(${JSON.stringify(locked.rows)}::jsonb) AS x(listing_id uuid, location_id uuid, units int)
     WHERE cll.listing_id = x.listing_id AND cll.location_id = x.location_id`);
  return locked.rows.length;
}
