import { and, asc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { outer } from "./sql-helpers";
import { inventoryLevels, locations } from "../schema";

export interface LocationListRow {
  id: string;
  name: string;
  kind: string;
  city: string;
  region: string | null;
  countryCode: string;
  canShip: boolean;
  canPickup: boolean;
  canCurbside: boolean;
  dailyCapacity: number | null;
  priority: number;
  active: boolean;
  skusStocked: number;
  unitsOnHand: number;
  unitsReserved: number;
}

/**
 * Every location with its stock totals: one aggregate per location over its levels, found
 * through inventory_levels_location_idx (location_id). The index no longer carries the
 * quantities (an index naming them made every stock change a non-HOT update: docs/adr/0025),
 * so the rows themselves are read.
 */
export async function listLocations(db: DbOrTx, shopId: string): Promise<LocationListRow[]> {
  const totals = sql`lateral (
    select count(*) filter (where l.on_hand > 0)::int as skus_stocked,
           coalesce(sum(l.on_hand), 0)::int as units_on_hand,
           coalesce(sum(l.reserved), 0)::int as units_reserved
      from ${inventoryLevels} l where l.location_id = ${outer(locations, locations.id)}) as totals`;
  return db
    .select({
      id: locations.id,
      name: locations.name,
      kind: locations.kind,
      city: locations.city,
      region: locations.region,
      countryCode: locations.countryCode,
      canShip: locations.canShip,
      canPickup: locations.canPickup,
      canCurbside: locations.canCurbside,
      dailyCapacity: locations.dailyCapacity,
      priority: locations.priority,
      active: locations.active,
      skusStocked: sql<number>`totals.skus_stocked`,
      unitsOnHand: sql<number>`totals.units_on_hand`,
      unitsReserved: sql<number>`totals.units_reserved`,
    })
    .from(locations)
    .leftJoin(totals, sql`true`)
    .where(eq(locations.shopId, shopId))
    .orderBy(asc(locations.priority), asc(locations.name));
}

export type LocationRecord = typeof locations.$inferSelect;

export async function getLocation(db: DbOrTx, shopId: string, locationId: string): Promise<LocationRecord | undefined> {
  const [row] = await db
    .select()
    .from(locations)
    .where(and(eq(locations.shopId, shopId), eq(locations.id, locationId)))
    .limit(1);
  return row;
}
