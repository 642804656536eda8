import { sql } from "drizzle-orm";
import type { DbOrTx, Database, Tx } from "../client";
import { markStockDirty } from "./stock-sync-dirty-repository";

/**
 * Reconciliation's reads and corrections: what we last told a channel (per listing, or per
 * listing and location), and, where the channel shows something else, forgetting that figure
 * and marking the variant dirty so the sync re-tells it without a compare-and-set.
 */

export interface PushedFigure {
  /** The result key: the listing, or `listing@location` for per-location channels. */
  key: string;
  listingId: string;
  locationId: string | null;
  variantId: string;
  externalId: string;
  locationExternalId: string | null;
  sku: string | null;
  lastPushedAvailable: number;
}

/**
 * Figures we told the channel, leaving out variants with a push still to come or in flight
 * (dirty or pending): what the channel shows for them may be the previous figure or the echo
 * of a push being made, and neither is drift.
 */
export async function listPushedFigures(db: DbOrTx, connectionId: string, perLocation: boolean): Promise<PushedFigure[]> {
  const inFlight = sql`cl.variant_id NOT IN (SELECT variant_id FROM stock_sync_dirty WHERE connection_id = ${connectionId})
       AND NOT EXISTS (SELECT 1 FROM stock_sync_pending p, jsonb_each(p.items) e
                        WHERE p.connection_id = ${connectionId} AND (e.value->>'listingId')::uuid = cl.id)`;
  const result = perLocation
    ? await db.execute<Record<string, unknown>>(sql`
        SELECT cl.id || '@' || cll.location_id AS key, cl.id AS listing_id, cll.location_id, cl.variant_id, cl.external_id,
               l.external_id AS location_external_id, coalesce(cl.external_sku, v.sku) AS sku, cll.last_pushed_available
          FROM channel_listings cl
          JOIN channel_listing_locations cll ON cll.listing_id = cl.id
          JOIN locations l ON l.id = cll.location_id AND l.external_id IS NOT NULL
          JOIN variants v ON v.id = cl.variant_id
         WHERE cl.connection_id = ${connectionId} AND cll.last_pushed_available IS NOT NULL AND ${inFlight}`)
    : await db.execute<Record<string, unknown>>(sql`
        SELECT cl.id AS key, cl.id AS listing_id, NULL AS location_id, cl.variant_id, cl.external_id,
               NULL AS location_external_id, coalesce(cl.external_sku, v.sku) AS sku, cl.last_pushed_available
          FROM channel_listings cl
          JOIN variants v ON v.id = cl.variant_id
         WHERE cl.connection_id = ${connectionId} AND cl.last_pushed_available IS NOT NULL AND ${inFlight}`);
  return result.rows.map((r) => ({
    key: String(r.key),
    listingId: String(r.listing_id),
    locationId: (r.location_id as string | null) ?? null,
    variantId: String(r.variant_id),
    externalId: String(r.external_id),
    locationExternalId: (r.location_external_id as string | null) ?? null,
    sku: (r.sku as string | null) ?? null,
    lastPushedAvailable: Number(r.last_pushed_available),
  }));
}

/** A shortfall reconciliation holds as a sale of the channel's own not captured yet. */
export interface HeldShortfall {
  key: string;
  pushed: number;
  shown: number;
  firstSeenAt: Date;
}

/** The shortfalls the connection's previous reconciliation held, by figure key. */
export async function listHeldShortfalls(db: DbOrTx, connectionId: string): Promise<Map<string, { pushed: number; firstSeenAt: Date }>> {
  const rows = await db.execute<{ figure_key: string; pushed: number; first_seen_at: Date | string }>(sql`
    SELECT figure_key, pushed, first_seen_at FROM stock_reconcile_shortfalls WHERE connection_id = ${connectionId}`);
  return new Map(rows.rows.map((r) => [r.figure_key, { pushed: Number(r.pushed), firstSeenAt: new Date(r.first_seen_at) }]));
}

/**
 * Holds one shortfall seen outside a reconciliation (Shopify's inventory_levels/update showing
 * less than we pushed there): kept since it was first seen while the pushed figure is the same,
 * and judged by the connection's next reconciliation like one it found itself.
 */
export async function holdShortfall(db: DbOrTx, input: { shopId: string; connectionId: string; key: string; pushed: number; shown: number }): Promise<void> {
  await db.execute(sql`
    INSERT INTO stock_reconcile_shortfalls AS s (connection_id, figure_key, shop_id, pushed, shown, first_seen_at)
    VALUES (${input.connectionId}, ${input.key}, ${input.shopId}, ${input.pushed}, ${input.shown}, now())
    ON CONFLICT (connection_id, figure_key) DO UPDATE
       SET shown = excluded.shown,
           first_seen_at = CASE WHEN s.pushed = excluded.pushed THEN s.first_seen_at ELSE excluded.first_seen_at END,
           pushed = excluded.pushed`);
}

/**
 * Records one reconciliation in one transaction: the drifted figures are forgotten (the channel
 * holds something else) and their variants marked dirty; the shortfalls it holds replace the
 * earlier ones, so a figure not read this time (dirty, pending) starts over.
 */
export async function recordReconciliation(
  db: Database,
  input: { shopId: string; connectionId: string; drifted: readonly PushedFigure[]; held: readonly HeldShortfall[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM stock_reconcile_shortfalls WHERE connection_id = ${input.connectionId}`);
    if (input.held.length > 0) {
      const rows = input.held.map((h) => ({ figure_key: h.key, pushed: h.pushed, shown: h.shown, first_seen_at: h.firstSeenAt.toISOString() }));
      await tx.execute(sql`
        INSERT INTO stock_reconcile_shortfalls (connection_id, figure_key, shop_id, pushed, shown, first_seen_at)
        SELECT ${input.connectionId}::uuid, x.figure_key, ${input.shopId}::uuid, x.pushed, x.shown, x.first_seen_at
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(figure_key text, pushed int, shown int, first_seen_at timestamptz)`);
    }
    await forgetDrifted(tx, input);
  });
}

/** Forgets the drifted figures and marks their variants dirty, so the sync re-tells them without a compare-and-set. */
async function forgetDrifted(tx: Tx, input: { shopId: string; connectionId: string; drifted: readonly PushedFigure[] }): Promise<void> {
  if (input.drifted.length === 0) return;
  const listingIds = [...new Set(input.drifted.map((d) => d.listingId))];
  const located = input.drifted.filter((d) => d.locationId !== null).map((d) => ({ listing_id: d.listingId, location_id: d.locationId }));
  {
    if (located.length > 0) {
      await tx.execute(sql`
        UPDATE channel_listing_locations cll SET last_pushed_available = NULL
          FROM jsonb_to_recordset(${JSON.stringify(located)}::jsonb) AS x(listing_id uuid, location_id uuid)
         WHERE cll.listing_id = x.listing_id AND cll.location_id = x.location_id`);
    }
    await tx.execute(sql`
      UPDATE channel_listings SET last_pushed_available = NULL
       WHERE connection_id = ${input.connectionId}
         AND id IN (SELECT x::uuid FROM jsonb_array_elements_text(${JSON.stringify(listingIds)}::jsonb) x)`);
    await markStockDirty(tx, { shopId: input.shopId, connectionId: input.connectionId, variantIds: [...new Set(input.drifted.map((d) => d.variantId))] });
  }
}

/** Every connected connection (optionally of one shop), for the periodic reconciliation. */
export async function listConnectedConnections(db: DbOrTx, shopId?: string): Promise<{ id: string; shopId: string }[]> {
  const result = await db.execute<{ id: string; shop_id: string }>(sql`
    SELECT c.id, c.shop_id FROM channel_connections c JOIN shops s ON s.id = c.shop_id
     WHERE c.status = 'connected' AND s.sync_enabled ${shopId ? sql`AND c.shop_id = ${shopId}` : sql``}`);
  return result.rows.map((r) => ({ id: r.id, shopId: r.shop_id }));
}
