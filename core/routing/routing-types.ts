import type { GeoPoint } from "./geo-distance.js";
import type { PointSource } from "./postal-geocoder.js";

/** How the customer receives the order: shipped, collected in store, or brought to the car. */
export const FULFILMENT_METHODS = ["ship", "pickup", "curbside"] as const;
export type FulfilmentMethod = (typeof FULFILMENT_METHODS)[number];

export interface RoutingLine {
  readonly lineId: string;
  readonly variantId: string;
  readonly quantity: number;
}

export interface RoutingLocation {
  readonly id: string;
  readonly name: string;
  /** Lower number is preferred by the merchant. */
  readonly priority: number;
  readonly active: boolean;
  readonly canShip: boolean;
  readonly canPickup: boolean;
  readonly canCurbside: boolean;
  /** Orders the location takes a day; undefined means no limit. */
  readonly dailyCapacity?: number;
  /** Orders already routed to the location today (its current workload). */
  readonly ordersToday: number;
  readonly point?: GeoPoint;
  readonly countryCode: string;
}

/**
 * What routing may draw on at one (variant, location): the level's available units plus what
 * this order already holds there, since moving the order's own reservation is allowed.
 */
export interface RoutingStockLevel {
  readonly levelId: string;
  readonly variantId: string;
  readonly locationId: string;
  readonly available: number;
}

export interface RoutingDestination {
  readonly point?: GeoPoint;
  readonly source: PointSource;
  readonly countryCode?: string;
}

export interface RoutingRequest {
  readonly lines: readonly RoutingLine[];
  readonly stock: readonly RoutingStockLevel[];
  readonly locations: readonly RoutingLocation[];
  readonly destination: RoutingDestination;
  readonly method: FulfilmentMethod;
  /** For pickup and curbside: the store the customer chose. */
  readonly pickupLocationId?: string;
  /** Locations that rejected or could not ship this order; never chosen again for it. */
  readonly rejectedLocationIds?: readonly string[];
}

export interface RoutedAllocation {
  readonly lineId: string;
  readonly variantId: string;
  readonly locationId: string;
  readonly levelId: string;
  readonly quantity: number;
}
