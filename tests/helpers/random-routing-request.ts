import { SeededRandom } from "../../db/seed/seeded-random";
import type { RoutingLocation, RoutingRequest, RoutingStockLevel } from "../../core/routing/routing-types";

/**
 * Random but reproducible routing problems for the bench and the property tests: locations
 * scattered over the contiguous United States, a catalogue with sparse stock (so many orders
 * must split), and orders of a chosen number of lines delivered to a random point.
 */
export interface RoutingWorld {
  readonly locations: readonly RoutingLocation[];
  readonly stock: readonly RoutingStockLevel[];
  readonly variantIds: readonly string[];
}

export function randomWorld(random: SeededRandom, options: { locations: number; variants: number; stockChance: number; maxStock: number }): RoutingWorld {
  const locations: RoutingLocation[] = [];
  for (let i = 0; i < options.locations; i++) {
    locations.push({
      id: `loc-${String(i).padStart(3, "0")}`,
      name: `Location ${i}`,
      priority: random.int(1, 5),
      active: true,
      canShip: true,
      canPickup: random.chance(0.3),
      canCurbside: random.chance(0.15),
      ordersToday: 0,
      point: { latitude: 25 + random.next() * 23, longitude: -123 + random.next() * 53 },
      countryCode: "US",
    });
  }
  const variantIds = Array.from({ length: options.variants }, (_, i) => `var-${String(i).padStart(4, "0")}`);
  const stock: RoutingStockLevel[] = [];
  for (const location of locations) {
    for (const variantId of variantIds) {
      if (!random.chance(options.stockChance)) continue;
      stock.push({ levelId: `${variantId}@${location.id}`, variantId, locationId: location.id, available: random.int(1, options.maxStock) });
    }
  }
  return { locations, stock, variantIds };
}

export function randomOrder(random: SeededRandom, world: RoutingWorld, lineCount: number): RoutingRequest {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(lineCount, world.variantIds.length)) chosen.add(random.pick(world.variantIds));
  return {
    lines: [...chosen].map((variantId, i) => ({ lineId: `line-${i}`, variantId, quantity: random.int(1, 3) })),
    // Only the order's variants, as the repository's query returns them.
    stock: world.stock.filter((level) => chosen.has(level.variantId)),
    locations: world.locations,
    destination: { point: { latitude: 25 + random.next() * 23, longitude: -123 + random.next() * 53 }, source: "postal_code", countryCode: "US" },
    method: "ship",
  };
}
