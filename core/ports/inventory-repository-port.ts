import type { Result } from "../shared/result.js";
import type { Balance, MovementRefusal } from "../inventory/stock-balance.js";
import type { Movement, MovementCause } from "../inventory/stock-movement.js";
import type { FulfilmentLocation, StockLevelSnapshot } from "../inventory/reservation-strategy.js";

/**
 * Inventory storage as the core sees it: locations, level snapshots and the movement ledger.
 * Implemented in db/.
 */

export interface LevelMovement {
  readonly levelId: string;
  readonly movement: Movement;
}

export interface LevelBalance extends Balance {
  readonly levelId: string;
  readonly variantId: string;
  readonly locationId: string;
}

export type RecordMovementsRefusal = MovementRefusal | "level_not_found";

export interface InventoryRepository {
  /** All of the shop's locations, including inactive ones (callers filter). */
  listLocations(shopId: string): Promise<readonly FulfilmentLocation[]>;

  /** Current levels for the variants at every location that stocks them. */
  stockForVariants(shopId: string, variantIds: readonly string[]): Promise<readonly StockLevelSnapshot[]>;

  /**
   * Appends movements to the ledger and updates the balances, all or nothing. Each movement
   * is checked with `applyMovement` against the row as locked (rows locked in levelId order,
   * rule 3), so two orders racing for the last unit cannot both succeed; the loser gets
   * `insufficient_available` and can re-plan. A repeated `idempotencyKey` returns the first
   * outcome without writing again (rule 5).
   */
  recordMovements(
    shopId: string,
    entries: readonly LevelMovement[],
    options: { readonly idempotencyKey: string },
  ): Promise<Result<readonly LevelBalance[], RecordMovementsRefusal>>;

  /** What a cause (usually an order line) still holds reserved, per level; used to release on cancel. */
  reservedFor(shopId: string, cause: MovementCause): Promise<readonly { readonly levelId: string; readonly quantity: number }[]>;
}
