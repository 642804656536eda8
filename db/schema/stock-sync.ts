import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { variants } from "./catalog";
import { channelConnections } from "./channels";

/**
 * The stock sync's work list. A ledger change marks each affected variant dirty for every
 * connection listing it, in the change's own transaction; the connection's sync job removes a
 * row only after the channel confirmed the push, and only if the row was not marked again
 * meanwhile (same generation), so a change made during a push is never lost.
 */
export const stockSyncGeneration = pgSequence("stock_sync_generation");

export const stockSyncDirty = pgTable(
  "stock_sync_dirty",
  {
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id").notNull().references(() => variants.id, { onDelete: "cascade" }),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** Bumped on every mark; the sync deletes only the generation it read. */
    generation: bigint("generation", { mode: "number" }).notNull().default(sql`nextval('stock_sync_generation')`),
    /** The first unpushed change (kept across re-marks): what push latency is measured from. */
    firstMarkedAt: timestamp("first_marked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.variantId] }), index("stock_sync_dirty_shop_idx").on(t.shopId)],
);

/**
 * Pushes the channel accepted for later processing (Amazon's listings feed): settled by the
 * connection's next sync runs through StockPusher.settle; an item that fails is marked dirty again.
 */
export const stockSyncPending = pgTable(
  "stock_sync_pending",
  {
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    pendingId: text("pending_id").notNull(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** What was sent, by result key: { key: { listingId, locationId?, variantId, available, firstMarkedAt, channelRef? } }. */
    items: jsonb("items").$type<Record<string, PendingStockItem>>().notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
    /** When the channel was last asked about it; null until then. In the database, so the backoff holds across workers and restarts. */
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.pendingId] })],
);

export interface PendingStockItem {
  listingId: string;
  locationId?: string;
  variantId: string;
  available: number;
  firstMarkedAt: string;
  /** The channel's handle of the item inside the submission (an Amazon feed's message number). */
  channelRef?: string;
}

/**
 * Shortfalls reconciliation is holding: the channel showed less than we pushed, most likely a
 * sale of its own not captured yet (core/inventory/reconcile-reading.ts). Rewritten by each
 * reconciliation of the connection; a shortfall still there once capture would have ended it
 * is drift.
 */
export const stockReconcileShortfalls = pgTable(
  "stock_reconcile_shortfalls",
  {
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    /** The figure's key: the listing, or `listing@location`. */
    figureKey: text("figure_key").notNull(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    /** What we had pushed when the shortfall was first seen. */
    pushed: integer("pushed").notNull(),
    /** What the channel showed at the last reading. */
    shown: integer("shown").notNull(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.figureKey] })],
);

/** One line per sync run and per reconciliation, for the channel health page (latency chart, drift). */
export const stockSyncRuns = pgTable(
  "stock_sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    /** sync | reconcile */
    kind: text("kind").notNull(),
    /** pushed | up_to_date | rate_limited | failed | no_connector | drift_corrected | no_drift */
    outcome: text("outcome").notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().defaultNow(),
    /** Figures pushed (sync) or read (reconcile). */
    items: integer("items").notNull().default(0),
    /** Channel calls made. */
    calls: integer("calls").notNull().default(0),
    /** From the oldest change pushed to the channel's answer. */
    latencyMaxMs: integer("latency_max_ms"),
    latencyP50Ms: integer("latency_p50_ms"),
    /** Reconciliation: figures the channel showed differently from what we pushed. */
    drift: integer("drift").notNull().default(0),
    error: text("error"),
  },
  (t) => [index("stock_sync_runs_connection_idx").on(t.connectionId, t.finishedAt)],
);
