import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

export const INBOX_RETENTION_DAYS = { processed: 30, failed: 30, unknownShop: 7 } as const;

/**
 * Deletes deliveries past their retention (see the prune task), except those an order names as
 * where its payload is kept; returns how many of each kind.
 */
export async function pruneInbox(db: DbOrTx, retention = INBOX_RETENTION_DAYS): Promise<{ processed: number; failed: number; unknownShop: number }> {
  const result = await db.execute<{ processed: number; failed: number; unknown_shop: number }>(sql`
    WITH gone AS (
      DELETE FROM webhook_deliveries
       WHERE ((shop_id IS NULL AND received_at < now() - make_interval(days => ${retention.unknownShop}))
          OR (status IN ('processed', 'ignored_stale') AND received_at < now() - make_interval(days => ${retention.processed}))
          OR (status = 'failed' AND received_at < now() - make_interval(days => ${retention.failed})))
         -- A delivery whose body is an order's payload lives as long as the order names it (docs/adr/0022).
         AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.source_delivery_id = webhook_deliveries.id)
      RETURNING shop_id, status
    )
    SELECT count(*) FILTER (WHERE shop_id IS NOT NULL AND status <> 'failed')::int AS processed,
           count(*) FILTER (WHERE shop_id IS NOT NULL AND status = 'failed')::int AS failed,
           count(*) FILTER (WHERE shop_id IS NULL)::int AS unknown_shop
      FROM gone`);
  const row = result.rows[0]!;
  return { processed: row.processed, failed: row.failed, unknownShop: row.unknown_shop };
}
