import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { KitComponentStock, LocationBalance } from "../../core/inventory/available-to-sell";
import type { ChannelAllocationStrategy } from "../../core/inventory/channel-allocation-strategy";
import { planLocationStockPush, planStockPush, type ListingStock, type LocationListingStock } from "../../core/inventory/stock-sync-plan";
import type { ChannelFailureReason } from "../../core/ports/channel-connector-port";
import type { StockPushItemStatus } from "../../core/ports/stock-pusher-port";
import type { Database, DbOrTx } from "../client";
import { incomingReturnsSql, loadIncomingReturnsPercent } from "../queries/incoming-returns-queries";
import { channelConnections, channelListings, exceptions } from "../schema";

/**
 * What the stock sync reads and writes: the connections to push to, the listings whose
 * available-to-sell may have moved, and the outcome of each push.
 */

export interface SyncLocation {
  id: string;
  /** The location's id in the channel (Shopify Location GID); null when it mirrors none. */
  externalId: string | null;
  priority: number;
}

export interface SyncConnection {
  id: string;
  shopId: string;
  shopDomain: string;
  channel: string;
  name: string;
  credentialsEncrypted: string | null;
  settings: Record<string, unknown>;
  /** Active locations feeding this channel's available-to-sell, highest priority first. */
  locationIds: string[];
  /** The same locations with their channel ids and priorities, in the same order. */
  locations: SyncLocation[];
}

/**
 * The connections of a shop that stock is pushed to: status 'connected' only, and none at all
 * when the shop has sync turned off (uninstalled). Paused, errored or awaiting connections are
 * left alone.
 */
export async function listConnectionsToSync(db: DbOrTx, shopId: string): Promise<SyncConnection[]> {
  const result = await db.execute<{
    id: string;
    shop_id: string;
    shop_domain: string;
    channel: string;
    name: string;
    credentials_encrypted: string | null;
    settings: Record<string, unknown>;
    locations: SyncLocation[];
  }>(sql`
    SELECT c.id, c.shop_id, s.domain AS shop_domain, c.channel, c.name, c.credentials_encrypted, c.settings,
           coalesce((SELECT json_agg(json_build_object('id', l.id, 'externalId', l.external_id, 'priority', l.priority)
                                     ORDER BY l.priority, l.name, l.id)
                       FROM channel_locations f JOIN locations l ON l.id = f.location_id
                      WHERE f.connection_id = c.id AND l.active), '[]'::json) AS locations
      FROM channel_connections c
      JOIN shops s ON s.id = c.shop_id
     WHERE c.shop_id = ${shopId} AND s.sync_enabled AND c.status = 'connected'
     ORDER BY c.channel, c.name`);
  return result.rows.map((row) => ({
    id: row.id,
    shopId: row.shop_id,
    shopDomain: row.shop_domain,
    channel: row.channel,
    name: row.name,
    credentialsEncrypted: row.credentials_encrypted,
    settings: row.settings ?? {},
    locationIds: row.locations.map((l) => l.id),
    locations: row.locations,
  }));
}

/** One figure to push: a listing's (pooled channels), or a listing's at one location (per-location channels). */
export interface StockToPush {
  listingId: string;
  /** Present for per-location channels: where the figure goes. */
  location?: { id: string; externalId: string };
  variantId: string;
  externalId: string;
  sku: string | null;
  /** The figure the channel should show (there). */
  available: number;
  /** What the channel was last told (there); null: never, or it must be re-told without a check. */
  lastPushedAvailable: number | null;
}

export interface ConnectionStockChanges {
  /** The database time the levels were read; recorded as last_pushed_at of what is pushed. */
  observedAt: Date;
  /** In a stable order (SKU, listing, location priority), so a retried run rebuilds the same batches. */
  changed: StockToPush[];
  /** Figures recomputed and found already right on the channel (their last_pushed_at was bumped). */
  unchangedCount: number;
}

type CandidateRow = {
  listing_id: string;
  variant_id: string;
  external_id: string;
  sku: string | null;
  allocation_percent: number;
  buffer: number;
  last_pushed_available: number | null;
  last_pushed_by_location: Record<string, number | null>;
  expected_by_location: Record<string, number | null>;
  levels: LocationBalance[];
  kit_components: KitComponentStock[];
  observed_at: Date | string;
};

/**
 * The listings of one connection for the dirty variants, with their levels at `locationsSql`
 * (a one-column `location_id` subquery) and, per location, what each was last told — in one
 * statement. Only the dirty set is read: no time window, no scan of listings that did not move.
 */
async function readCandidates(
  db: DbOrTx,
  connection: Pick<SyncConnection, "id" | "shopId">,
  locationsSql: SQL,
  variantIds: readonly string[],
  incomingReturnsPercent = 0,
): Promise<CandidateRow[]> {
  if (variantIds.length === 0) return [];
  // Returns on their way back are read only for a channel that offers a share of them.
  const incoming = incomingReturnsPercent > 0 ? incomingReturnsSql(sql`il.variant_id`, sql`il.location_id`) : sql`0`;
  const result = await db.execute<CandidateRow>(sql`
    WITH feed AS (${locationsSql}),
    candidates AS (
      SELECT cl.*
        FROM channel_listings cl
       WHERE cl.connection_id = ${connection.id} AND cl.shop_id = ${connection.shopId}
         AND cl.variant_id IN (SELECT x::uuid FROM jsonb_array_elements_text(${JSON.stringify(variantIds)}::jsonb) x))
    SELECT c.id AS listing_id, c.variant_id, c.external_id, coalesce(c.external_sku, v.sku) AS sku,
           c.allocation_percent, c.buffer, c.last_pushed_available,
           (SELECT coalesce(json_object_agg(cll.location_id, cll.last_pushed_available), '{}'::json)
              FROM channel_listing_locations cll
             WHERE cll.listing_id = c.id AND cll.location_id IN (SELECT location_id FROM feed)) AS last_pushed_by_location,
           (SELECT coalesce(json_object_agg(cll.location_id, cll.expected_available), '{}'::json)
              FROM channel_listing_locations cll
             WHERE cll.listing_id = c.id AND cll.expected_available IS NOT NULL) AS expected_by_location,
           (SELECT coalesce(json_agg(json_build_object('locationId', il.location_id, 'onHand', il.on_hand,
                                                       'reserved', il.reserved, 'safetyStock', il.safety_stock, 'incomingReturns', ${incoming})), '[]'::json)
              FROM inventory_levels il
             WHERE il.variant_id = c.variant_id AND il.location_id IN (SELECT location_id FROM feed)) AS levels,
           (SELECT coalesce(json_agg(json_build_object(
                     'quantityPerKit', kc.quantity,
                     'levels', (SELECT coalesce(json_agg(json_build_object('locationId', il.location_id, 'onHand', il.on_hand,
                                                                           'reserved', il.reserved, 'safetyStock', il.safety_stock, 'incomingReturns', ${incoming})), '[]'::json)
                                  FROM inventory_levels il
                                 WHERE il.variant_id = kc.component_variant_id AND il.location_id IN (SELECT location_id FROM feed)))), '[]'::json)
              FROM kit_components kc WHERE kc.kit_variant_id = c.variant_id) AS kit_components,
           now() AS observed_at
      FROM candidates c
      JOIN variants v ON v.id = c.variant_id
     -- A stable order: a retried run rebuilds the same batches (and so the same idempotency keys).
     ORDER BY coalesce(c.external_sku, v.sku), c.id`);
  return result.rows;
}

/**
 * Pooled channels (one figure per listing): the candidates' available-to-sell over the
 * connection's active locations, computed by the core. Listings already showing the right
 * figure only get last_pushed_at bumped, so they are not looked at again until their stock moves.
 */
export async function collectStockChanges(
  db: DbOrTx,
  connection: Pick<SyncConnection, "id" | "shopId" | "locationIds" | "channel">,
  strategy: ChannelAllocationStrategy,
  variantIds: readonly string[],
): Promise<ConnectionStockChanges> {
  const incomingReturnsPercent = variantIds.length > 0 ? await loadIncomingReturnsPercent(db, connection.shopId, connection.channel) : 0;
  const rows = await readCandidates(
    db,
    connection,
    sql`SELECT f.location_id FROM channel_locations f JOIN locations l ON l.id = f.location_id
         WHERE f.connection_id = ${connection.id} AND l.active`,
    variantIds,
    incomingReturnsPercent,
  );
  const observedAt = rows[0] ? new Date(rows[0].observed_at) : new Date();
  const listings: (ListingStock & { row: CandidateRow })[] = rows.map((row) => ({
    listingId: row.listing_id,
    allocationPercent: row.allocation_percent,
    buffer: row.buffer,
    levels: row.levels,
    kitComponents: row.kit_components,
    lastPushedAvailable: row.last_pushed_available,
    incomingReturnsPercent,
    row,
  }));
  const plan = planStockPush(listings, connection.locationIds, strategy);

  return {
    observedAt,
    unchangedCount: plan.unchanged.length,
    changed: plan.changed.map(({ listing, available }) => ({
      listingId: listing.listingId,
      variantId: listing.row.variant_id,
      externalId: listing.row.external_id,
      sku: listing.row.sku,
      available,
      lastPushedAvailable: listing.lastPushedAvailable,
    })),
  };
}

/**
 * Per-location channels (Shopify): each candidate's figure split over the connection's active
 * locations that mirror a channel location (others cannot be addressed there and are left out
 * of the split), compared per location with channel_listing_locations. Locations already right
 * only get last_pushed_at bumped; listings entirely right get their summary refreshed.
 */
export async function collectLocationStockChanges(
  db: DbOrTx,
  connection: Pick<SyncConnection, "id" | "shopId" | "locations" | "channel">,
  strategy: ChannelAllocationStrategy,
  variantIds: readonly string[],
): Promise<ConnectionStockChanges> {
  const pushable = connection.locations.filter((l): l is SyncLocation & { externalId: string } => l.externalId !== null);
  if (pushable.length === 0) return { observedAt: new Date(), changed: [], unchangedCount: 0 };
  const incomingReturnsPercent = variantIds.length > 0 ? await loadIncomingReturnsPercent(db, connection.shopId, connection.channel) : 0;
  const rows = await readCandidates(db, connection, pushableLocationsSql(connection.id), variantIds, incomingReturnsPercent);
  const observedAt = rows[0] ? new Date(rows[0].observed_at) : new Date();
  const listings: (LocationListingStock & { row: CandidateRow })[] = rows.map((row) => ({
    listingId: row.listing_id,
    allocationPercent: row.allocation_percent,
    buffer: row.buffer,
    levels: row.levels,
    kitComponents: row.kit_components,
    lastPushedByLocation: row.last_pushed_by_location ?? {},
    incomingReturnsPercent,
    row,
  }));
  const plan = planLocationStockPush(
    listings,
    pushable.map((l) => ({ locationId: l.id, priority: l.priority })),
    strategy,
  );

  const externalIdOf = new Map(pushable.map((l) => [l.id, l.externalId]));
  return {
    observedAt,
    unchangedCount: plan.unchanged.length,
    changed: plan.changed.map(({ listing, locationId, available, lastPushedAvailable }) => ({
      listingId: listing.listingId,
      location: { id: locationId, externalId: externalIdOf.get(locationId)! },
      variantId: listing.row.variant_id,
      externalId: listing.row.external_id,
      sku: listing.row.sku,
      available,
      // Shopify's own sales captured since the last push came off there: the compare-and-set expects them.
      lastPushedAvailable: lastPushedAvailable === null ? null : (listing.row.expected_by_location?.[locationId] ?? lastPushedAvailable),
    })),
  };
}

/** The connection's active locations that mirror a channel location. */
function pushableLocationsSql(connectionId: string): SQL {
  return sql`SELECT f.location_id FROM channel_locations f JOIN locations l ON l.id = f.location_id
              WHERE f.connection_id = ${connectionId} AND l.active AND l.external_id IS NOT NULL`;
}

/**
 * A per-location listing's row in channel_listings summarises its locations, for the admin and
 * for change detection: last_pushed_available is the sum the channel was told (null while any
 * location's figure is unknown), last_pushed_at the oldest location push (so a location left
 * behind keeps the listing a candidate), last_push_error each failing location's reason.
 */
async function refreshListingSummaries(db: DbOrTx, connectionId: string, listingIds: readonly string[]): Promise<void> {
  if (listingIds.length === 0) return;
  await db.execute(sql`
    WITH feed AS (${pushableLocationsSql(connectionId)}),
    summary AS (
      SELECT x.id AS listing_id,
             CASE WHEN bool_and(cll.last_pushed_available IS NOT NULL) THEN sum(cll.last_pushed_available)::int END AS total,
             CASE WHEN bool_and(cll.last_pushed_at IS NOT NULL) THEN min(cll.last_pushed_at) END AS pushed_at,
             string_agg(l.name || ': ' || cll.last_push_error, '; ' ORDER BY l.priority, l.name) AS problem
        FROM (SELECT jsonb_array_elements_text(${JSON.stringify(listingIds)}::jsonb)::uuid AS id) x
        CROSS JOIN feed
        JOIN locations l ON l.id = feed.location_id
        LEFT JOIN channel_listing_locations cll ON cll.listing_id = x.id AND cll.location_id = feed.location_id
       GROUP BY x.id)
    UPDATE channel_listings AS cl
       SET last_pushed_available = summary.total, last_pushed_at = summary.pushed_at, last_push_error = summary.problem
      FROM summary
     WHERE cl.id = summary.listing_id AND cl.connection_id = ${connectionId}`);
}

export interface ListingPushOutcome {
  listingId: string;
  /** Set when the figure went to one location of a per-location channel. */
  locationId?: string;
  /** The figure that was pushed. */
  available: number;
  status: StockPushItemStatus;
  problem?: string;
}

/**
 * Records what the channel answered for one batch, and that the connection works: applied
 * figures are remembered with when they were read; a compare-and-set conflict forgets the
 * last pushed figure (the channel holds something else), so the next sync overwrites it with
 * ours; refusals keep their reason. Per-location answers land in channel_listing_locations and
 * the listing's summary is refreshed from them. The connection's failure streak, if any, ends
 * here and its open sync_failed exception is resolved; `warning` (or nothing) becomes its
 * last_error.
 */
export async function recordPushOutcomes(
  db: Database,
  input: { shopId: string; connectionId: string; observedAt: Date; outcomes: readonly ListingPushOutcome[]; warning?: string | null },
): Promise<void> {
  const observedAt = sql`${input.observedAt.toISOString()}::timestamptz`;
  const problemOf = (o: ListingPushOutcome) => (o.status === "applied" ? null : (o.problem ?? o.status));
  const pooled = input.outcomes.filter((o) => o.locationId === undefined);
  const located = input.outcomes.filter((o) => o.locationId !== undefined);
  await db.transaction(async (tx) => {
    if (pooled.length > 0) {
      const values = sql.join(
        pooled.map((o) => sql`(${o.listingId}::uuid, ${o.status}::text, ${o.available}::int, ${problemOf(o)}::text)`),
        sql`, `,
      );
      await tx.execute(sql`
        UPDATE channel_listings AS cl
           SET last_pushed_available = CASE o.status WHEN 'applied' THEN o.available
                                                     WHEN 'conflict' THEN NULL
                                                     ELSE cl.last_pushed_available END,
               last_pushed_at = CASE WHEN o.status = 'applied' THEN ${observedAt} ELSE cl.last_pushed_at END,
               -- The channel holds the figure from its answer on (this transaction starts after it).
               last_push_settled_at = CASE o.status WHEN 'applied' THEN now()
                                                    WHEN 'conflict' THEN NULL
                                                    ELSE cl.last_push_settled_at END,
               last_push_error = o.problem
          FROM (VALUES ${values}) AS o(id, status, available, problem)
         WHERE cl.id = o.id AND cl.connection_id = ${input.connectionId}`);
    }
    if (located.length > 0) {
      const values = sql.join(
        located.map((o) => sql`(${o.listingId}::uuid, ${o.locationId!}::uuid, ${o.status}::text, ${o.available}::int, ${problemOf(o)}::text)`),
        sql`, `,
      );
      await tx.execute(sql`
        INSERT INTO channel_listing_locations (listing_id, location_id)
        SELECT o.listing_id, o.location_id
          FROM (VALUES ${values}) AS o(listing_id, location_id, status, available, problem)
          JOIN channel_listings cl ON cl.id = o.listing_id AND cl.connection_id = ${input.connectionId}
        ON CONFLICT (listing_id, location_id) DO NOTHING`);
      await tx.execute(sql`
        UPDATE channel_listing_locations AS cll
           SET last_pushed_available = CASE o.status WHEN 'applied' THEN o.available
                                                     WHEN 'conflict' THEN NULL
                                                     ELSE cll.last_pushed_available END,
               last_pushed_at = CASE WHEN o.status = 'applied' THEN ${observedAt} ELSE cll.last_pushed_at END,
               expected_available = CASE WHEN o.status IN ('applied', 'conflict') THEN NULL ELSE cll.expected_available END,
               last_push_error = o.problem
          FROM (VALUES ${values}) AS o(listing_id, location_id, status, available, problem)
         WHERE cll.listing_id = o.listing_id AND cll.location_id = o.location_id`);
      await refreshListingSummaries(tx, input.connectionId, [...new Set(located.map((o) => o.listingId))]);
    }
    const [before] = await tx
      .select({ lastErrorAt: channelConnections.lastErrorAt, lastPushAt: channelConnections.lastPushAt })
      .from(channelConnections)
      .where(eq(channelConnections.id, input.connectionId))
      .for("update");
    await tx
      .update(channelConnections)
      .set({ lastPushAt: sql`now()`, lastError: input.warning ?? null })
      .where(eq(channelConnections.id, input.connectionId));
    if (before && inFailureStreak(before)) await resolveSyncExceptions(tx, input.shopId, input.connectionId);
  });
}

/**
 * A warning about a connection that still works (locations the channel cannot be told about),
 * kept in last_error while no failure is; null clears an earlier warning. A failure's message
 * is never overwritten: it stays until a push succeeds.
 */
export async function recordConnectionWarning(db: DbOrTx, input: { connectionId: string; warning: string | null }): Promise<void> {
  await db.execute(sql`
    UPDATE channel_connections
       SET last_error = ${input.warning}
     WHERE id = ${input.connectionId}
       AND last_error IS DISTINCT FROM ${input.warning}
       AND NOT (last_error_at IS NOT NULL AND (last_push_at IS NULL OR last_error_at > last_push_at))`);
}

/**
 * A failure streak runs from a failure to the next successful push: last_error alone cannot
 * tell, because it also carries warnings about a working connection.
 */
function inFailureStreak(connection: { lastErrorAt: Date | null; lastPushAt: Date | null }): boolean {
  return connection.lastErrorAt !== null && (connection.lastPushAt === null || connection.lastErrorAt > connection.lastPushAt);
}

/**
 * Records that a push to the connection failed as a whole. The error lands on the connection
 * (and on the listings that were not pushed); the merchant's exception is raised once per
 * failure streak — the first failure after a success — not once per item or per retry.
 */
export async function recordConnectionFailure(
  db: Database,
  input: {
    shopId: string;
    connectionId: string;
    reason: ChannelFailureReason | "missing_credentials" | "misconfigured";
    detail: string;
    /** Listings that were due a push and did not get it. */
    listingIds?: readonly string[];
  },
): Promise<{ exceptionRaised: boolean }> {
  const message = `${input.reason}: ${input.detail}`.slice(0, 1000);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({
        lastErrorAt: channelConnections.lastErrorAt,
        lastPushAt: channelConnections.lastPushAt,
        name: channelConnections.name,
        channel: channelConnections.channel,
      })
      .from(channelConnections)
      .where(and(eq(channelConnections.id, input.connectionId), eq(channelConnections.shopId, input.shopId)))
      .for("update");
    if (!before) return { exceptionRaised: false };
    await tx
      .update(channelConnections)
      .set({ lastError: message, lastErrorAt: sql`now()` })
      .where(eq(channelConnections.id, input.connectionId));
    if (input.listingIds && input.listingIds.length > 0) {
      await tx
        .update(channelListings)
        .set({ lastPushError: message })
        .where(and(eq(channelListings.connectionId, input.connectionId), idIn(channelListings.id, input.listingIds)));
    }
    if (inFailureStreak(before)) return { exceptionRaised: false };
    await tx.insert(exceptions).values({
      shopId: input.shopId,
      kind: "sync_failed",
      message: `Stock could not be pushed to ${before.name} (${before.channel}): ${message}`,
      details: { connectionId: input.connectionId, channel: before.channel, reason: input.reason },
    });
    return { exceptionRaised: true };
  });
}

/** `column IN (ids)` as one parameter: a first sync can touch more listings than PostgreSQL takes parameters. */
function idIn(column: PgColumn, ids: readonly string[]): SQL {
  return sql`${column} IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`;
}

async function resolveSyncExceptions(tx: DbOrTx, shopId: string, connectionId: string): Promise<void> {
  await tx
    .update(exceptions)
    .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: "system:stock-sync" })
    .where(
      and(
        eq(exceptions.shopId, shopId),
        eq(exceptions.kind, "sync_failed"),
        eq(exceptions.status, "open"),
        sql`${exceptions.details}->>'connectionId' = ${connectionId}`,
      ),
    );
}
