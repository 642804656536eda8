import { decideReservation, type ReservationPlan } from "./reservation-decision.js";
import type { FulfilmentLocation, ReservationLineRequest, ReservationStrategy, StockLevelSnapshot } from "./reservation-strategy.js";

/** One order of a batch, as far as reserving it goes. */
export interface PlacedOrderRequest {
  /** The caller's handle for the order (its id). */
  readonly key: string;
  readonly placedAt: Date;
  /** Breaks ties between orders placed in the same millisecond: arrival order. */
  readonly sequence: number;
  readonly lines: readonly ReservationLineRequest[];
}

/**
 * Decides a batch of orders one after another against balances held in memory: the stock is
 * locked once for the whole batch, and each order sees what the orders placed before it left.
 * Orders are taken in placement order (then arrival), so when they race for the last units the
 * earliest placed wins, however the deliveries happened to be batched. Every plan goes through
 * decideReservation, which refuses a strategy that draws more than a level holds, and each
 * plan's allocations are taken off the balances before the next order is decided: the batch as
 * a whole can never promise a unit twice.
 */
export function decideInPlacementOrder(
  orders: readonly PlacedOrderRequest[],
  stock: readonly StockLevelSnapshot[],
  locations: readonly FulfilmentLocation[],
  strategy: ReservationStrategy,
): Map<string, ReservationPlan> {
  const balances = new Map(stock.map((level) => [level.levelId, { ...level }]));
  // Each order reads only its variants' levels, in the balances' order (as a filter over all of
  // them would give): a batch holds hundreds of levels, an order a few lines.
  const levelIds = [...balances.keys()];
  const levelsOfVariant = new Map<string, number[]>();
  levelIds.forEach((levelId, at) => {
    const variantId = balances.get(levelId)!.variantId;
    const held = levelsOfVariant.get(variantId);
    if (held) held.push(at);
    else levelsOfVariant.set(variantId, [at]);
  });
  const plans = new Map<string, ReservationPlan>();
  const ordered = [...orders].sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime() || a.sequence - b.sequence);
  for (const order of ordered) {
    if (plans.has(order.key)) throw new RangeError(`order ${order.key} appears twice in the batch`);
    if (order.lines.length === 0) continue;
    const positions = [...new Set(order.lines.map((line) => line.variantId))].flatMap((variantId) => levelsOfVariant.get(variantId) ?? []);
    const candidates = positions.sort((a, b) => a - b).map((at) => balances.get(levelIds[at]!)!);
    const plan = decideReservation(order.lines, candidates, locations, strategy);
    for (const line of plan.lines) {
      for (const allocation of line.allocations) {
        const level = balances.get(allocation.levelId)!;
        balances.set(allocation.levelId, { ...level, reserved: level.reserved + allocation.quantity });
      }
    }
    plans.set(order.key, plan);
  }
  return plans;
}
