import type { FulfilmentMethod, RoutingLocation } from "./routing-types.js";

/** Why a location cannot take this order at all, before stock or cost is looked at. */
export const INELIGIBILITY_CODES = [
  "inactive",
  "cannot_ship",
  "no_pickup",
  "no_curbside",
  "capacity_full",
  "rejected_order",
] as const;
export type IneligibilityCode = (typeof INELIGIBILITY_CODES)[number];

export interface Ineligibility {
  readonly code: IneligibilityCode;
  readonly reason: string;
}

export function ineligibility(
  location: RoutingLocation,
  method: FulfilmentMethod,
  rejected: ReadonlySet<string>,
): Ineligibility | undefined {
  if (rejected.has(location.id)) return { code: "rejected_order", reason: "rejected this order or could not ship it" };
  if (!location.active) return { code: "inactive", reason: "is inactive" };
  if (method === "ship" && !location.canShip) return { code: "cannot_ship", reason: "does not ship to customers" };
  if (method === "pickup" && !location.canPickup) return { code: "no_pickup", reason: "does not offer in-store pickup" };
  if (method === "curbside" && !location.canCurbside) return { code: "no_curbside", reason: "does not offer curbside pickup" };
  if (location.dailyCapacity !== undefined && location.ordersToday >= location.dailyCapacity) {
    return {
      code: "capacity_full",
      reason: `is at its daily capacity (${location.ordersToday} of ${location.dailyCapacity} orders today)`,
    };
  }
  return undefined;
}
