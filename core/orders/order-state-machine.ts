import { z } from "zod";
import type { Err } from "../shared/result.js";
import { ORDER_STATUSES, type OrderStatus } from "./order-status.js";

/**
 * The order process as data (rule 7, Vendure-style): each event names the statuses it may
 * fire from and the one status it leads to. Anything not in the table is refused with a
 * reason a merchant can read, so the admin never has to guess why a button did nothing.
 */

export const ORDER_EVENTS = [
  "reserve_all",
  "reserve_partial",
  "hold",
  "release_hold",
  "release_reservation",
  "allocate",
  "deallocate",
  "ready_for_pickup",
  "pick_up",
  "ship_partial",
  "ship_all",
  "deliver",
  "cancel",
] as const;
export const orderEventSchema = z.enum(ORDER_EVENTS);
export type OrderEvent = z.infer<typeof orderEventSchema>;

export const ORDER_TRANSITION_REFUSALS = [
  "order_cancelled",
  "order_already_cancelled",
  "order_already_delivered",
  "order_already_shipped",
  "order_partially_shipped",
  "cannot_cancel_shipped_order",
  "cannot_cancel_partially_shipped_order",
  "order_on_hold",
  "order_already_on_hold",
  "order_not_on_hold",
  "holds_still_open",
  "order_already_reserved",
  "order_already_allocated",
  "order_not_reserved",
  "order_not_fully_reserved",
  "nothing_reserved",
  "order_not_allocated",
  "order_not_shipped",
  "order_not_fully_shipped",
  "lines_remain_unshipped",
  "no_lines_remain_unshipped",
  "order_not_ready_for_pickup",
  "order_already_ready_for_pickup",
  "order_already_picked_up",
] as const;
export type OrderTransitionRefusal = (typeof ORDER_TRANSITION_REFUSALS)[number];

/**
 * Facts about the order that some guards need. Each is optional: a guard only checks a fact
 * the caller supplied, so callers that do not track holds or shipped units can still move
 * orders through the table.
 */
export interface OrderTransitionContext {
  /** Holds still open after this event (risk, payment, address are cleared one by one). */
  readonly openHoldsAfter?: number;
  /** Units across all lines still unshipped once this shipment is counted. */
  readonly unshippedUnitsAfter?: number;
}

export interface OrderTransitionRule {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  /** Why the event is refused from a status not in `from`, unless that status says more. */
  readonly refusedBecause: OrderTransitionRefusal;
  readonly guard?: (context: OrderTransitionContext) => OrderTransitionRefusal | undefined;
}

export const ORDER_TRANSITIONS: { readonly [E in OrderEvent]: OrderTransitionRule } = {
  // Reservation outcome is decided by decideReservation; the order only records it.
  // Re-running it on a backordered order after a receipt is how a backorder fills.
  reserve_all: {
    from: ["received", "backordered"],
    to: "reserved",
    refusedBecause: "order_already_reserved",
  },
  reserve_partial: {
    from: ["received", "backordered"],
    to: "backordered",
    refusedBecause: "order_already_reserved",
  },
  // Holds stop an order before anything leaves a location; after dispatch a hold could not
  // stop the parcel, so it would only mislead.
  hold: {
    from: ["received", "backordered", "reserved", "allocated", "ready_for_pickup"],
    to: "on_hold",
    refusedBecause: "order_already_shipped",
  },
  // Back to `received` rather than the pre-hold status: stock may have moved while the order
  // was parked, so it re-enters the reservation decision (which keeps what it already holds).
  release_hold: {
    from: ["on_hold"],
    to: "received",
    refusedBecause: "order_not_on_hold",
    guard: (context) =>
      context.openHoldsAfter !== undefined && context.openHoldsAfter > 0 ? "holds_still_open" : undefined,
  },
  // A count found the reserved stock missing, or a merchant freed it for another order.
  release_reservation: {
    from: ["backordered", "reserved", "allocated", "ready_for_pickup"],
    to: "received",
    refusedBecause: "nothing_reserved",
  },
  allocate: {
    from: ["reserved"],
    to: "allocated",
    refusedBecause: "order_not_reserved",
  },
  // A location could not pick after all (damage, capacity), or the pickup store rejected the
  // order; route again from the reservation.
  deallocate: {
    from: ["allocated", "ready_for_pickup"],
    to: "reserved",
    refusedBecause: "order_not_allocated",
  },
  // Pickup and curbside: the store has picked the order and the customer can come.
  ready_for_pickup: {
    from: ["allocated"],
    to: "ready_for_pickup",
    refusedBecause: "order_not_allocated",
  },
  // The handover is the pickup order's shipment; nothing follows it but a return.
  pick_up: {
    from: ["ready_for_pickup"],
    to: "picked_up",
    refusedBecause: "order_not_ready_for_pickup",
  },
  ship_partial: {
    from: ["allocated", "partially_shipped"],
    to: "partially_shipped",
    refusedBecause: "order_not_allocated",
    // A "partial" shipment that ships the last unit would strand the order in partially_shipped.
    guard: (context) => (context.unshippedUnitsAfter === 0 ? "no_lines_remain_unshipped" : undefined),
  },
  ship_all: {
    from: ["allocated", "partially_shipped"],
    to: "shipped",
    refusedBecause: "order_not_allocated",
    guard: (context) =>
      context.unshippedUnitsAfter !== undefined && context.unshippedUnitsAfter > 0
        ? "lines_remain_unshipped"
        : undefined,
  },
  deliver: {
    from: ["shipped"],
    to: "delivered",
    refusedBecause: "order_not_shipped",
  },
  // Once goods have left, the way back is a return (core/returns), not a cancellation.
  cancel: {
    from: ["received", "on_hold", "backordered", "reserved", "allocated", "ready_for_pickup"],
    to: "cancelled",
    refusedBecause: "cannot_cancel_shipped_order",
  },
};

/**
 * Refusals that depend on where the order is rather than what was asked: these read better
 * than the event's generic reason ("order_cancelled" beats "order_not_allocated" when someone
 * tries to ship a cancelled order). `all` covers every refused event; `byEvent` is more specific.
 */
const STATUS_REFUSALS: {
  readonly [S in OrderStatus]?: {
    readonly all?: OrderTransitionRefusal;
    readonly byEvent?: { readonly [E in OrderEvent]?: OrderTransitionRefusal };
  };
} = {
  cancelled: { all: "order_cancelled", byEvent: { cancel: "order_already_cancelled" } },
  delivered: { all: "order_already_delivered", byEvent: { cancel: "cannot_cancel_shipped_order" } },
  shipped: { all: "order_already_shipped", byEvent: { cancel: "cannot_cancel_shipped_order" } },
  partially_shipped: {
    all: "order_partially_shipped",
    byEvent: { cancel: "cannot_cancel_partially_shipped_order", deliver: "order_not_fully_shipped" },
  },
  on_hold: { all: "order_on_hold", byEvent: { hold: "order_already_on_hold" } },
  picked_up: { all: "order_already_picked_up", byEvent: { cancel: "cannot_cancel_shipped_order" } },
  ready_for_pickup: { byEvent: { ready_for_pickup: "order_already_ready_for_pickup" } },
  backordered: { byEvent: { allocate: "order_not_fully_reserved" } },
  allocated: { byEvent: { allocate: "order_already_allocated" } },
};

export type OrderTransitionOutcome =
  | { readonly ok: true; readonly to: OrderStatus }
  | Err<OrderTransitionRefusal>;

export function transition(
  status: OrderStatus,
  event: OrderEvent,
  context: OrderTransitionContext = {},
): OrderTransitionOutcome {
  const rule = ORDER_TRANSITIONS[event];
  if (!rule.from.includes(status)) {
    const byStatus = STATUS_REFUSALS[status];
    const reason = byStatus?.byEvent?.[event] ?? byStatus?.all ?? rule.refusedBecause;
    return { ok: false, reason, detail: `${event} is not allowed from ${status}` };
  }
  const guardRefusal = rule.guard?.(context);
  if (guardRefusal !== undefined) {
    return { ok: false, reason: guardRefusal, detail: `${event} from ${status} refused by guard` };
  }
  return { ok: true, to: rule.to };
}

export function canTransition(
  status: OrderStatus,
  event: OrderEvent,
  context: OrderTransitionContext = {},
): boolean {
  return transition(status, event, context).ok;
}

/** Events the table allows from a status, ignoring guards; drives which actions the admin offers. */
export function eventsAllowedFrom(status: OrderStatus): OrderEvent[] {
  return ORDER_EVENTS.filter((event) => ORDER_TRANSITIONS[event].from.includes(status));
}

/** Statuses that can be reached from `status` in one event. */
export function statusesReachableFrom(status: OrderStatus): OrderStatus[] {
  const reachable = new Set(eventsAllowedFrom(status).map((event) => ORDER_TRANSITIONS[event].to));
  return ORDER_STATUSES.filter((candidate) => reachable.has(candidate));
}
