import { and, eq, sql } from "drizzle-orm";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database } from "../client";
import { locations } from "../schema";
import { scheduleStockSync } from "./stock-ledger-repository";

export interface LocationSettings {
  name: string;
  kind: "warehouse" | "store" | "3pl";
  address1: string;
  address2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  countryCode: string;
  latitude: number | null;
  longitude: number | null;
  canShip: boolean;
  canPickup: boolean;
  canCurbside: boolean;
  dailyCapacity: number | null;
  priority: number;
  active: boolean;
}

export type LocationSaveRefusal = "location_not_found" | "name_taken";

/**
 * Creates a location (no id) or updates one of the shop's locations. Stock is untouched: a
 * location's balances only move through the ledger.
 */
export async function saveLocationSettings(
  db: Database,
  input: { shopId: string; locationId?: string; settings: LocationSettings },
): Promise<Result<{ id: string }, LocationSaveRefusal>> {
  try {
    if (input.locationId) {
      const locationId = input.locationId;
      const updated = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(locations)
          .set({ ...input.settings, updatedAt: sql`now()` })
          .where(and(eq(locations.shopId, input.shopId), eq(locations.id, locationId)))
          .returning({ id: locations.id });
        // Opening, closing or re-mapping a location changes what every channel it feeds may sell.
        if (row) await scheduleStockSync(tx, input.shopId);
        return row;
      });
      return updated ? ok(updated) : err("location_not_found");
    }
    const [created] = await db
      .insert(locations)
      .values({ shopId: input.shopId, ...input.settings })
      .returning({ id: locations.id });
    return ok(created!);
  } catch (error) {
    if (isUniqueViolation(error, "locations_shop_name")) {
      return err("name_taken", `a location named ${input.settings.name} already exists`);
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  // drizzle wraps the driver error; the pg error (code 23505) is the cause.
  for (let current: unknown = error; current && typeof current === "object"; current = (current as { cause?: unknown }).cause) {
    const candidate = current as { code?: string; constraint?: string };
    if (candidate.code === "23505" && candidate.constraint === constraint) return true;
  }
  return false;
}
