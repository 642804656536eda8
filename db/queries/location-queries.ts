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

export async function listLocations(db: DbOrTx, shopId: string): Promise<LocationListRow[]> {
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
      skusStocked: sql<number>`(select count(*)::int from ${inventoryLevels} l where l.location_id = ${outer(locations, locations.id)} and l.on_hand > 0)`,
      unitsOnHand: sql<number>`(select coalesce(sum(l.on_hand), 0)::int from ${inventoryLevels} l where l.location_id = ${outer(locations, locations.id)})`,
      unitsReserved: sql<number>`(select coalesce(sum(l.reserved), 0)::int from ${inventoryLevels} l where l.location_id = ${outer(locations, locations.id)})`,
    })
    .from(locations)
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
