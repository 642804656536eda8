import { and, asc, eq, sql } from "drizzle-orm";
import type { Movement } from "../../core/inventory/stock-movement";
import { movementDeltas } from "../../core/inventory/stock-movement";
import type { DbOrTx, Tx } from "../client";
import { executePrepared } from "../prepared-statement";
import { insertJsonRows } from "../json-rows-insert";
import { inventoryLevels, inventoryMovements, locations } from "../schema";
import { enqueueJob } from "../queue/job-queue";
import { markStockDirty } from "./stock-sync-dirty-repository";
import { statementsTogether } from "../statements-together";

export interface LockedLevel {
  id: string;
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  /** The level's location priority (lower is preferred), for reservation strategies. */
  locationPriority: number;
}

export interface LevelMovement {
  level: Pick<LockedLevel, "id" | "variantId" | "locationId">;
  movement: Movement;
}

/**
 * Locks the levels of these variants (row locks, in id order so two transactions never wait
 * on each other in opposite orders) and returns them. Whatever the caller decides from these
 * figures stays true until its transaction ends: this is what makes reservations atomic.
 */
export async function lockLevels(
  tx: Tx,
  shopId: string,
  variantIds: readonly string[],
  options: { shippableOnly?: boolean } = {},
): Promise<LockedLevel[]> {
  if (variantIds.length === 0) return [];
  const query = tx
    .select({
      id: inventoryLevels.id,
      variantId: inventoryLevels.variantId,
      locationId: inventoryLevels.locationId,
      onHand: inventoryLevels.onHand,
      reserved: inventoryLevels.reserved,
      safetyStock: inventoryLevels.safetyStock,
      locationPriority: locations.priority,
    })
    .from(inventoryLevels)
    .innerJoin(locations, eq(locations.id, inventoryLevels.locationId))
    .where(
      and(
        eq(inventoryLevels.shopId, shopId),
        // One array parameter: read through the (variant, location) key whatever the statistics say.
        sql`${inventoryLevels.variantId} = ANY(${sql.param([...new Set(variantIds)])}::uuid[])`,
        options.shippableOnly ? and(eq(locations.active, true), eq(locations.canShip, true)) : undefined,
      ),
    )
    .orderBy(asc(inventoryLevels.id))
    .for("update", { of: inventoryLevels });
  return query;
}

/** Creates the (variant, location) level when missing; existing levels are left untouched. */
export async function ensureLevel(db: DbOrTx, shopId: string, variantId: string, locationId: string): Promise<void> {
  await db.insert(inventoryLevels).values({ shopId, variantId, locationId }).onConflictDoNothing();
}

/**
 * Appends movements to the ledger and moves the cached balances on the level rows by the
 * same deltas, in the caller's transaction. The level's CHECK constraint refuses any result
 * with reserved above on hand, so even a wrong decision cannot oversell.
 */
export async function recordMovements(tx: Tx, shopId: string, entries: readonly LevelMovement[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map(({ level, movement }) => {
    const deltas = movementDeltas(movement);
    return {
      shopId,
      variantId: level.variantId,
      locationId: level.locationId,
      kind: movement.kind,
      quantity: movement.quantity,
      onHandDelta: deltas.onHandDelta,
      reservedDelta: deltas.reservedDelta,
      causeType: movement.cause.type,
      causeId: movement.cause.id,
      actor: movement.actor,
      reason: movement.reason ?? null,
      levelId: level.id,
    };
  });

  const perLevel = new Map<string, { onHand: number; reserved: number }>();
  for (const row of rows) {
    const sum = perLevel.get(row.levelId) ?? { onHand: 0, reserved: 0 };
    sum.onHand += row.onHandDelta;
    sum.reserved += row.reservedDelta;
    perLevel.set(row.levelId, sum);
  }
  const deltas = JSON.stringify([...perLevel].map(([id, d]) => ({ id, on_hand_delta: d.onHand, reserved_delta: d.reserved })));
  // Units became available (receipt, count up, release, restock): backorders may now be filled.
  // Per variant, net: a reservation moved between locations (routing) frees nothing, and so
  // does not take the shop's backorder job row while it holds levels (docs/adr/0003).
  const freed = new Map<string, number>();
  for (const row of rows) freed.set(row.variantId, (freed.get(row.variantId) ?? 0) + row.onHandDelta - row.reservedDelta);
  // Together, one round trip (statements-together.ts): the movements, the balances they add up to.
  await statementsTogether([
    insertJsonRows(tx, inventoryMovements, rows.map(({ levelId: _levelId, ...row }) => row)),
    [...freed.values()].some((units) => units > 0) ? scheduleBackorderFill(tx, shopId) : undefined,
    executePrepared(tx, sql`
    UPDATE inventory_levels AS l
       SET on_hand = l.on_hand + d.on_hand_delta,
           reserved = l.reserved + d.reserved_delta,
           updated_at = now()
      FROM jsonb_to_recordset(${deltas}::jsonb) AS d(id uuid, on_hand_delta int, reserved_delta int)
     WHERE l.id = d.id`),
  ]);
}

/**
 * Every stock change is followed by a push of available-to-sell to the channels: the changed
 * variants are marked dirty for each connection listing them, and one coalesced sync job per
 * connection is queued, all in the caller's transaction (rule 4). Pass the variants the change
 * touched; without them every listing of the shop is marked (for changes not about variants).
 */
export async function scheduleStockSync(
  tx: DbOrTx,
  shopId: string,
  variantIds?: readonly string[],
  options: { delayMs?: number } = {},
): Promise<void> {
  await markStockDirty(tx, { shopId, ...(variantIds ? { variantIds } : {}), ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}) });
}

/** Backordered orders get the freed units in placement order, shortly after the change commits. */
export async function scheduleBackorderFill(tx: DbOrTx, shopId: string, delayMs = 1_000): Promise<void> {
  await enqueueJob(
    tx,
    "orders/fill-backorders",
    { shopId },
    { jobKey: `fill-backorders:${shopId}`, jobKeyMode: "preserve_run_at", runAt: new Date(Date.now() + delayMs) },
  );
}
