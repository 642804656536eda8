/**
 * The reservation extension point (rule 6, Vendure-style): a strategy proposes which levels
 * serve which lines; decideReservation checks the proposal against stock and reports the
 * shortfall. Strategies never see unreservable stock, and a proposal that over-allocates is
 * rejected as a bug, so a custom strategy cannot oversell.
 */

export interface ReservationLineRequest {
  readonly lineId: string;
  readonly variantId: string;
  readonly quantity: number;
}

/** One inventory level as stored: a variant at a location. */
export interface StockLevelSnapshot {
  readonly variantId: string;
  readonly locationId: string;
  readonly levelId: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly safetyStock: number;
}

export interface FulfilmentLocation {
  readonly id: string;
  /** Lower number is preferred; 1 is the merchant's first choice. */
  readonly priority: number;
  /** Whether the location ships to customers (a store-only location may not). */
  readonly canShip: boolean;
  readonly active: boolean;
  /** Orders the location can still take today; undefined means no limit. */
  readonly dailyCapacity?: number;
}

/** A level the order could draw on, with what is reservable there right now. */
export interface ReservableLevel {
  readonly levelId: string;
  readonly variantId: string;
  readonly locationId: string;
  /** max(0, onHand - reserved - safetyStock); always > 0 for levels handed to a strategy. */
  readonly available: number;
}

export interface LineAllocation {
  readonly locationId: string;
  readonly levelId: string;
  readonly quantity: number;
}

export interface ReservationStrategyInput {
  readonly lines: readonly ReservationLineRequest[];
  /** Only levels at eligible locations with something reservable. */
  readonly levels: readonly ReservableLevel[];
  /** Only active, shipping locations with capacity left. */
  readonly locations: readonly FulfilmentLocation[];
}

export interface ProposedLineAllocation {
  readonly lineId: string;
  readonly allocations: readonly LineAllocation[];
}

export interface ReservationStrategy {
  readonly name: string;
  /** Lines missing from the result are treated as having nothing allocated. */
  allocate(input: ReservationStrategyInput): readonly ProposedLineAllocation[];
}
