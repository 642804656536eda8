import { and, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import { INCOMING_RETURN_STATUSES, incomingReturnsPercent, type IncomingReturnsToSell } from "../../core/inventory/incoming-returns";
import { returnRulesSchema } from "../../core/returns/return-rules";
import type { DbOrTx } from "../client";
import { returnLines, returns, returnSettings } from "../schema";

/**
 * Returns as incoming stock, read from the database: units of returns in an incoming status
 * (core/inventory/incoming-returns) per variant and destination. Read through the return lines'
 * variant index, so the cost follows the returns of one variant, not the history.
 */

const incomingStatuses = sql.join(INCOMING_RETURN_STATUSES.map((status) => sql`${status}`), sql`, `);

/** Units incoming to one (variant, location), as a correlated subquery over the caller's columns. */
export function incomingReturnsSql(variantId: SQL, locationId: SQL): SQL {
  return sql`(SELECT coalesce(sum(rl.quantity), 0)::int FROM return_lines rl JOIN returns r ON r.id = rl.return_id
               WHERE rl.variant_id = ${variantId} AND r.destination_location_id = ${locationId} AND r.status IN (${incomingStatuses}))`;
}

/** Incoming return units per "variantId|locationId" for a page of variants (one grouped statement). */
export async function incomingReturnsForVariants(db: DbOrTx, shopId: string, variantIds: readonly string[]): Promise<Map<string, number>> {
  if (variantIds.length === 0) return new Map();
  const rows = await db
    .select({ variantId: returnLines.variantId, locationId: returns.destinationLocationId, units: sql<number>`sum(${returnLines.quantity})::int` })
    .from(returnLines)
    .innerJoin(returns, eq(returns.id, returnLines.returnId))
    .where(and(eq(returnLines.shopId, shopId), inArray(returnLines.variantId, [...variantIds]), sql`${returns.status} IN (${incomingStatuses})`, isNotNull(returns.destinationLocationId)))
    .groupBy(returnLines.variantId, returns.destinationLocationId);
  return new Map(rows.map((row) => [`${row.variantId}|${row.locationId}`, row.units]));
}

/** The shop's returns-as-incoming policy (per channel share), from its return rules; off when unset. */
export async function loadIncomingReturnsPolicy(db: DbOrTx, shopId: string): Promise<IncomingReturnsToSell> {
  const [row] = await db.select({ rules: returnSettings.rules }).from(returnSettings).where(eq(returnSettings.shopId, shopId));
  const parsed = returnRulesSchema.safeParse(row?.rules ?? {});
  return parsed.success ? parsed.data.incomingReturnsToSell : {};
}

/** The share of incoming returns a channel offers for sale under the shop's return rules (0: off). */
export async function loadIncomingReturnsPercent(db: DbOrTx, shopId: string, channel: string): Promise<number> {
  return incomingReturnsPercent(await loadIncomingReturnsPolicy(db, shopId), channel);
}
