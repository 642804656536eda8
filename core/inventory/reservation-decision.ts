import type {
  FulfilmentLocation,
  LineAllocation,
  ReservableLevel,
  ReservationLineRequest,
  ReservationStrategy,
  StockLevelSnapshot,
} from "./reservation-strategy.js";
import { available } from "./stock-balance.js";

/**
 * Turns an order's lines and a stock snapshot into a reservation plan. The plan is advice:
 * the repository still applies it with row locks or conditional updates (rule 3), because
 * the snapshot may be stale by the time it is written.
 */

export type LineReservationStatus = "complete" | "partial" | "none";

export interface LineReservationPlan {
  readonly lineId: string;
  readonly variantId: string;
  readonly requested: number;
  readonly allocations: readonly LineAllocation[];
  readonly reserved: number;
  /** requested − reserved; shown to the merchant, never silently dropped (Vendure #3508). */
  readonly shortfall: number;
  readonly status: LineReservationStatus;
}

export interface ReservationPlan {
  readonly strategy: string;
  /** complete: every line in full; none: nothing at all; partial: anything in between. */
  readonly status: LineReservationStatus;
  readonly lines: readonly LineReservationPlan[];
  /** Distinct locations the plan draws on, in the order they first appear. */
  readonly locationIds: readonly string[];
}

/** Locations a reservation may draw from right now. */
export function isEligibleLocation(location: FulfilmentLocation): boolean {
  return location.active && location.canShip && (location.dailyCapacity === undefined || location.dailyCapacity > 0);
}

export function decideReservation(
  lines: readonly ReservationLineRequest[],
  stock: readonly StockLevelSnapshot[],
  locations: readonly FulfilmentLocation[],
  strategy: ReservationStrategy,
): ReservationPlan {
  assertValidLines(lines);
  const eligible = locations.filter(isEligibleLocation);
  const eligibleIds = new Set(eligible.map((location) => location.id));
  const levels = reservableLevels(stock, eligibleIds);
  const levelsById = new Map(levels.map((level) => [level.levelId, level]));

  const proposal = strategy.allocate({ lines, levels, locations: eligible });
  const byLine = new Map<string, readonly LineAllocation[]>();
  for (const entry of proposal) {
    if (byLine.has(entry.lineId)) throw new Error(`${strategy.name} proposed line ${entry.lineId} twice`);
    byLine.set(entry.lineId, entry.allocations);
  }

  const lineIds = new Set(lines.map((line) => line.lineId));
  for (const lineId of byLine.keys()) {
    if (!lineIds.has(lineId)) throw new Error(`${strategy.name} proposed unknown line ${lineId}`);
  }

  const drawn = new Map<string, number>();
  const planLines: LineReservationPlan[] = [];
  const locationIds: string[] = [];
  for (const line of lines) {
    const allocations = byLine.get(line.lineId) ?? [];
    let reserved = 0;
    for (const allocation of allocations) {
      const level = levelsById.get(allocation.levelId);
      // A strategy that breaks these is a bug; failing loudly is what keeps a custom
      // strategy from overselling.
      if (level === undefined) {
        throw new Error(`${strategy.name} allocated from level ${allocation.levelId}, which is not reservable`);
      }
      if (level.variantId !== line.variantId || level.locationId !== allocation.locationId) {
        throw new Error(`${strategy.name} allocated level ${allocation.levelId} to the wrong variant or location`);
      }
      if (!Number.isSafeInteger(allocation.quantity) || allocation.quantity <= 0) {
        throw new Error(`${strategy.name} allocated a non-positive quantity ${allocation.quantity}`);
      }
      const total = (drawn.get(level.levelId) ?? 0) + allocation.quantity;
      if (total > level.available) {
        throw new Error(`${strategy.name} drew ${total} from level ${level.levelId} with ${level.available} available`);
      }
      drawn.set(level.levelId, total);
      reserved += allocation.quantity;
      if (!locationIds.includes(allocation.locationId)) locationIds.push(allocation.locationId);
    }
    if (reserved > line.quantity) {
      throw new Error(`${strategy.name} reserved ${reserved} for line ${line.lineId} which asked for ${line.quantity}`);
    }
    planLines.push({
      lineId: line.lineId,
      variantId: line.variantId,
      requested: line.quantity,
      allocations,
      reserved,
      shortfall: line.quantity - reserved,
      status: statusOf(reserved, line.quantity),
    });
  }

  return { strategy: strategy.name, status: overallStatus(planLines), lines: planLines, locationIds };
}

function reservableLevels(stock: readonly StockLevelSnapshot[], eligibleIds: ReadonlySet<string>): ReservableLevel[] {
  const seen = new Set<string>();
  const levels: ReservableLevel[] = [];
  for (const row of stock) {
    if (seen.has(row.levelId)) throw new RangeError(`stock snapshot lists level ${row.levelId} twice`);
    seen.add(row.levelId);
    if (!eligibleIds.has(row.locationId)) continue;
    // Safety stock is not reservable, so reservations draw on `available`, not onHand - reserved.
    const free = available(row);
    if (free > 0) {
      levels.push({ levelId: row.levelId, variantId: row.variantId, locationId: row.locationId, available: free });
    }
  }
  return levels;
}

function assertValidLines(lines: readonly ReservationLineRequest[]): void {
  const ids = new Set<string>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0) {
      throw new RangeError(`line ${line.lineId} has non-positive quantity ${line.quantity}`);
    }
    if (ids.has(line.lineId)) throw new RangeError(`line ${line.lineId} appears twice`);
    ids.add(line.lineId);
  }
}

function statusOf(reserved: number, requested: number): LineReservationStatus {
  if (reserved === requested) return "complete";
  return reserved === 0 ? "none" : "partial";
}

function overallStatus(lines: readonly LineReservationPlan[]): LineReservationStatus {
  if (lines.every((line) => line.status === "complete")) return "complete";
  if (lines.every((line) => line.status === "none")) return "none";
  return "partial";
}
