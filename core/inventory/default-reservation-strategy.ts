import type {
  FulfilmentLocation,
  LineAllocation,
  ProposedLineAllocation,
  ReservationStrategy,
  ReservationStrategyInput,
} from "./reservation-strategy.js";

interface LocationFill {
  readonly location: FulfilmentLocation;
  readonly allocations: ReadonlyMap<string, LineAllocation[]>;
  readonly unitsTaken: number;
  /** Lines with something outstanding that this location alone would finish. */
  readonly linesCompleted: number;
  readonly remainingAfter: ReadonlyMap<string, number>;
  readonly outstandingAfter: ReadonlyMap<string, number>;
}

/**
 * Ship from as few places as possible, preferring the merchant's priority order:
 *
 * 1. If one location can serve every line in full, use it — lowest priority number first,
 *    then the one holding the most stock for the order (it will run dry last).
 * 2. Otherwise split greedily: repeatedly take the location that finishes the most
 *    outstanding lines (then covers the most units, then priority), and draw everything it
 *    can. Every eligible location is considered, so stock is reserved across locations rather
 *    than only from the first one that had some (Medusa #14987).
 *
 * Whatever stays uncovered is the shortfall; nothing here hides partial availability.
 */
export class DefaultReservationStrategy implements ReservationStrategy {
  readonly name = "fewest-locations-by-priority";

  allocate(input: ReservationStrategyInput): readonly ProposedLineAllocation[] {
    const remaining = new Map(input.levels.map((level) => [level.levelId, level.available]));
    const outstanding = new Map(input.lines.map((line) => [line.lineId, line.quantity]));
    const locations = rankLocations(input);
    const result = new Map<string, LineAllocation[]>(input.lines.map((line) => [line.lineId, []]));

    const linesWithDemand = input.lines.filter((line) => line.quantity > 0).length;
    const single = locations
      .map((location) => fillFromLocation(location, input, remaining, outstanding))
      .find((fill) => fill.linesCompleted === linesWithDemand);
    if (single !== undefined) {
      commit(single, result);
      return toProposal(result);
    }

    const unused = [...locations];
    let currentRemaining: ReadonlyMap<string, number> = remaining;
    let currentOutstanding: ReadonlyMap<string, number> = outstanding;
    while (unused.length > 0 && [...currentOutstanding.values()].some((quantity) => quantity > 0)) {
      let best: { fill: LocationFill; index: number } | undefined;
      for (const [index, location] of unused.entries()) {
        const fill = fillFromLocation(location, input, currentRemaining, currentOutstanding);
        // `unused` is already in priority order, so strict > keeps the higher-priority location on ties.
        if (
          best === undefined ||
          fill.linesCompleted > best.fill.linesCompleted ||
          (fill.linesCompleted === best.fill.linesCompleted && fill.unitsTaken > best.fill.unitsTaken)
        ) {
          best = { fill, index };
        }
      }
      if (best === undefined || best.fill.unitsTaken === 0) break;
      commit(best.fill, result);
      currentRemaining = best.fill.remainingAfter;
      currentOutstanding = best.fill.outstandingAfter;
      unused.splice(best.index, 1);
    }
    return toProposal(result);
  }
}

/** Priority first, then the most stock for this order's variants, then id for stable output. */
function rankLocations(input: ReservationStrategyInput): FulfilmentLocation[] {
  const wantedVariants = new Set(input.lines.map((line) => line.variantId));
  const stockAt = new Map<string, number>();
  for (const level of input.levels) {
    if (wantedVariants.has(level.variantId)) {
      stockAt.set(level.locationId, (stockAt.get(level.locationId) ?? 0) + level.available);
    }
  }
  return [...input.locations].sort(
    (a, b) =>
      a.priority - b.priority ||
      (stockAt.get(b.id) ?? 0) - (stockAt.get(a.id) ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * What one location would give, lines in order. Lines sharing a variant draw on the same
 * remaining counts, so two lines of one SKU can never both claim the last unit.
 */
function fillFromLocation(
  location: FulfilmentLocation,
  input: ReservationStrategyInput,
  remaining: ReadonlyMap<string, number>,
  outstanding: ReadonlyMap<string, number>,
): LocationFill {
  const remainingAfter = new Map(remaining);
  const outstandingAfter = new Map(outstanding);
  const allocations = new Map<string, LineAllocation[]>();
  const levelsHere = input.levels
    .filter((level) => level.locationId === location.id)
    .sort((a, b) => b.available - a.available || (a.levelId < b.levelId ? -1 : 1));
  let unitsTaken = 0;
  let linesCompleted = 0;

  for (const line of input.lines) {
    const wanted = outstandingAfter.get(line.lineId) ?? 0;
    if (wanted <= 0) continue;
    let stillWanted = wanted;
    for (const level of levelsHere) {
      if (stillWanted === 0) break;
      if (level.variantId !== line.variantId) continue;
      const free = remainingAfter.get(level.levelId) ?? 0;
      const take = Math.min(free, stillWanted);
      if (take <= 0) continue;
      remainingAfter.set(level.levelId, free - take);
      stillWanted -= take;
      unitsTaken += take;
      const list = allocations.get(line.lineId) ?? [];
      list.push({ locationId: location.id, levelId: level.levelId, quantity: take });
      allocations.set(line.lineId, list);
    }
    outstandingAfter.set(line.lineId, stillWanted);
    if (stillWanted === 0) linesCompleted += 1;
  }
  return { location, allocations, unitsTaken, linesCompleted, remainingAfter, outstandingAfter };
}

function commit(fill: LocationFill, into: Map<string, LineAllocation[]>): void {
  for (const [lineId, allocations] of fill.allocations) {
    into.set(lineId, [...(into.get(lineId) ?? []), ...allocations]);
  }
}

function toProposal(result: ReadonlyMap<string, LineAllocation[]>): ProposedLineAllocation[] {
  return [...result].map(([lineId, allocations]) => ({ lineId, allocations }));
}
