import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { shops } from "./shops";
import { channelConnections } from "./channels";
import type { ImportTally } from "../../core/imports/import-tally";

export const IMPORT_RESOURCES = ["locations", "products", "inventory_levels", "orders"] as const;
export type ImportResource = (typeof IMPORT_RESOURCES)[number];

export const IMPORT_RUN_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type ImportRunStatus = (typeof IMPORT_RUN_STATUSES)[number];

/** Pages (or chunks) done out of total; total is null while the channel cannot count them. */
export interface ImportResourceProgress {
  done: number;
  total: number | null;
}
export type ImportProgressMap = Partial<Record<ImportResource, ImportResourceProgress>>;

/** What one resource's import did; skipped rows say why, so the merchant can fix them in Shopify. */
export type ImportResourceCounts = ImportTally;
export type ImportCountsMap = Partial<Record<ImportResource, ImportResourceCounts>>;

/**
 * One import of a channel's catalogue, stock and recent orders into Switchyard (today: Shopify).
 * Progress is written while the import runs so the admin can show it; counts at the end.
 */
export const importRuns = pgTable(
  "import_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    shopId: uuid("shop_id").notNull().references(() => shops.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => channelConnections.id, { onDelete: "cascade" }),
    /** queued | running | succeeded | failed */
    status: text("status").$type<ImportRunStatus>().notNull().default("queued"),
    progress: jsonb("progress").$type<ImportProgressMap>().notNull().default({}),
    counts: jsonb("counts").$type<ImportCountsMap>().notNull().default({}),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("import_runs_connection_created_idx").on(t.connectionId, t.createdAt),
    // At most one unfinished import per connection: two clicks (or two installs) cannot race.
    uniqueIndex("import_runs_one_active_per_connection").on(t.connectionId).where(sql`status IN ('queued', 'running')`),
  ],
);
