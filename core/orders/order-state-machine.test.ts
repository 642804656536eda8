import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, ORDER_STATUS_INFO, isTerminalStatus, type OrderStatus } from "./order-status.js";
import {
  ORDER_EVENTS,
  ORDER_TRANSITIONS,
  ORDER_TRANSITION_REFUSALS,
  canTransition,
  eventsAllowedFrom,
  statusesReachableFrom,
  transition,
  type OrderEvent,
} from "./order-state-machine.js";

/**
 * The whole table written out by hand, one cell per status × event. "-> x" means the event
 * moves the order to x; anything else is the refusal reason. Changing the machine means
 * changing this matrix on purpose.
 */
const EXPECTED: { [S in OrderStatus]: { [E in OrderEvent]: string } } = {
  received: {
    reserve_all: "-> reserved",
    reserve_partial: "-> backordered",
    hold: "-> on_hold",
    release_hold: "order_not_on_hold",
    release_reservation: "nothing_reserved",
    allocate: "order_not_reserved",
    deallocate: "order_not_allocated",
    ready_for_pickup: "order_not_allocated",
    pick_up: "order_not_ready_for_pickup",
    ship_partial: "order_not_allocated",
    ship_all: "order_not_allocated",
    deliver: "order_not_shipped",
    cancel: "-> cancelled",
  },
  on_hold: {
    reserve_all: "order_on_hold",
    reserve_partial: "order_on_hold",
    hold: "order_already_on_hold",
    release_hold: "-> received",
    release_reservation: "order_on_hold",
    allocate: "order_on_hold",
    deallocate: "order_on_hold",
    ready_for_pickup: "order_on_hold",
    pick_up: "order_on_hold",
    ship_partial: "order_on_hold",
    ship_all: "order_on_hold",
    deliver: "order_on_hold",
    cancel: "-> cancelled",
  },
  backordered: {
    reserve_all: "-> reserved",
    reserve_partial: "-> backordered",
    hold: "-> on_hold",
    release_hold: "order_not_on_hold",
    release_reservation: "-> received",
    allocate: "order_not_fully_reserved",
    deallocate: "order_not_allocated",
    ready_for_pickup: "order_not_allocated",
    pick_up: "order_not_ready_for_pickup",
    ship_partial: "order_not_allocated",
    ship_all: "order_not_allocated",
    deliver: "order_not_shipped",
    cancel: "-> cancelled",
  },
  reserved: {
    reserve_all: "order_already_reserved",
    reserve_partial: "order_already_reserved",
    hold: "-> on_hold",
    release_hold: "order_not_on_hold",
    release_reservation: "-> received",
    allocate: "-> allocated",
    deallocate: "order_not_allocated",
    ready_for_pickup: "order_not_allocated",
    pick_up: "order_not_ready_for_pickup",
    ship_partial: "order_not_allocated",
    ship_all: "order_not_allocated",
    deliver: "order_not_shipped",
    cancel: "-> cancelled",
  },
  allocated: {
    reserve_all: "order_already_reserved",
    reserve_partial: "order_already_reserved",
    hold: "-> on_hold",
    release_hold: "order_not_on_hold",
    release_reservation: "-> received",
    allocate: "order_already_allocated",
    deallocate: "-> reserved",
    ready_for_pickup: "-> ready_for_pickup",
    pick_up: "order_not_ready_for_pickup",
    ship_partial: "-> partially_shipped",
    ship_all: "-> shipped",
    deliver: "order_not_shipped",
    cancel: "-> cancelled",
  },
  ready_for_pickup: {
    reserve_all: "order_already_reserved",
    reserve_partial: "order_already_reserved",
    hold: "-> on_hold",
    release_hold: "order_not_on_hold",
    release_reservation: "-> received",
    allocate: "order_not_reserved",
    deallocate: "-> reserved",
    ready_for_pickup: "order_already_ready_for_pickup",
    pick_up: "-> picked_up",
    ship_partial: "order_not_allocated",
    ship_all: "order_not_allocated",
    deliver: "order_not_shipped",
    cancel: "-> cancelled",
  },
  picked_up: {
    reserve_all: "order_already_picked_up",
    reserve_partial: "order_already_picked_up",
    hold: "order_already_picked_up",
    release_hold: "order_already_picked_up",
    release_reservation: "order_already_picked_up",
    allocate: "order_already_picked_up",
    deallocate: "order_already_picked_up",
    ready_for_pickup: "order_already_picked_up",
    pick_up: "order_already_picked_up",
    ship_partial: "order_already_picked_up",
    ship_all: "order_already_picked_up",
    deliver: "order_already_picked_up",
    cancel: "cannot_cancel_shipped_order",
  },
  partially_shipped: {
    reserve_all: "order_partially_shipped",
    reserve_partial: "order_partially_shipped",
    hold: "order_partially_shipped",
    release_hold: "order_partially_shipped",
    release_reservation: "order_partially_shipped",
    allocate: "order_partially_shipped",
    deallocate: "order_partially_shipped",
    ready_for_pickup: "order_partially_shipped",
    pick_up: "order_partially_shipped",
    ship_partial: "-> partially_shipped",
    ship_all: "-> shipped",
    deliver: "order_not_fully_shipped",
    cancel: "cannot_cancel_partially_shipped_order",
  },
  shipped: {
    reserve_all: "order_already_shipped",
    reserve_partial: "order_already_shipped",
    hold: "order_already_shipped",
    release_hold: "order_already_shipped",
    release_reservation: "order_already_shipped",
    allocate: "order_already_shipped",
    deallocate: "order_already_shipped",
    ready_for_pickup: "order_already_shipped",
    pick_up: "order_already_shipped",
    ship_partial: "order_already_shipped",
    ship_all: "order_already_shipped",
    deliver: "-> delivered",
    cancel: "cannot_cancel_shipped_order",
  },
  delivered: {
    reserve_all: "order_already_delivered",
    reserve_partial: "order_already_delivered",
    hold: "order_already_delivered",
    release_hold: "order_already_delivered",
    release_reservation: "order_already_delivered",
    allocate: "order_already_delivered",
    deallocate: "order_already_delivered",
    ready_for_pickup: "order_already_delivered",
    pick_up: "order_already_delivered",
    ship_partial: "order_already_delivered",
    ship_all: "order_already_delivered",
    deliver: "order_already_delivered",
    cancel: "cannot_cancel_shipped_order",
  },
  cancelled: {
    reserve_all: "order_cancelled",
    reserve_partial: "order_cancelled",
    hold: "order_cancelled",
    release_hold: "order_cancelled",
    release_reservation: "order_cancelled",
    allocate: "order_cancelled",
    deallocate: "order_cancelled",
    ready_for_pickup: "order_cancelled",
    pick_up: "order_cancelled",
    ship_partial: "order_cancelled",
    ship_all: "order_cancelled",
    deliver: "order_cancelled",
    cancel: "order_already_cancelled",
  },
};

function describeOutcome(status: OrderStatus, event: OrderEvent): string {
  const outcome = transition(status, event);
  return outcome.ok ? `-> ${outcome.to}` : outcome.reason;
}

describe("order state machine table", () => {
  for (const status of ORDER_STATUSES) {
    for (const event of ORDER_EVENTS) {
      it(`${status} × ${event} gives ${EXPECTED[status][event]}`, () => {
        expect(describeOutcome(status, event)).toBe(EXPECTED[status][event]);
        expect(canTransition(status, event)).toBe(EXPECTED[status][event].startsWith("-> "));
      });
    }
  }

  it("uses only declared refusal reasons", () => {
    for (const status of ORDER_STATUSES) {
      for (const event of ORDER_EVENTS) {
        const outcome = transition(status, event);
        if (!outcome.ok) expect(ORDER_TRANSITION_REFUSALS).toContain(outcome.reason);
      }
    }
  });

  it("lets nothing leave delivered, picked up or cancelled", () => {
    expect(eventsAllowedFrom("delivered")).toEqual([]);
    expect(eventsAllowedFrom("picked_up")).toEqual([]);
    expect(eventsAllowedFrom("cancelled")).toEqual([]);
  });

  it("marks as terminal exactly the statuses no event leaves", () => {
    for (const status of ORDER_STATUSES) {
      expect(isTerminalStatus(status)).toBe(eventsAllowedFrom(status).length === 0);
    }
  });

  it("allows cancelling an order exactly when no goods have been dispatched and it is not final", () => {
    for (const status of ORDER_STATUSES) {
      const info = ORDER_STATUS_INFO[status];
      expect(canTransition(status, "cancel")).toBe(!info.goodsDispatched && !info.terminal);
    }
  });

  it("keeps every status reachable from received", () => {
    const seen = new Set<OrderStatus>(["received"]);
    const queue: OrderStatus[] = ["received"];
    while (queue.length > 0) {
      const next = queue.shift() as OrderStatus;
      for (const to of statusesReachableFrom(next)) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it("lists each event's from-statuses in the table export", () => {
    expect(ORDER_TRANSITIONS.cancel.from).not.toContain("shipped");
    expect(ORDER_TRANSITIONS.ship_all.to).toBe("shipped");
  });
});

describe("order state machine guards", () => {
  it("refuses to release a hold while another hold is still open", () => {
    expect(transition("on_hold", "release_hold", { openHoldsAfter: 1 })).toMatchObject({
      ok: false,
      reason: "holds_still_open",
    });
    expect(transition("on_hold", "release_hold", { openHoldsAfter: 0 })).toEqual({ ok: true, to: "received" });
  });

  it("refuses ship_all while units remain unshipped", () => {
    expect(transition("allocated", "ship_all", { unshippedUnitsAfter: 2 })).toMatchObject({
      ok: false,
      reason: "lines_remain_unshipped",
    });
    expect(transition("partially_shipped", "ship_all", { unshippedUnitsAfter: 0 })).toEqual({
      ok: true,
      to: "shipped",
    });
  });

  it("refuses ship_partial for the shipment that ships the last unit", () => {
    expect(transition("partially_shipped", "ship_partial", { unshippedUnitsAfter: 0 })).toMatchObject({
      ok: false,
      reason: "no_lines_remain_unshipped",
    });
    expect(canTransition("allocated", "ship_partial", { unshippedUnitsAfter: 3 })).toBe(true);
  });

  it("checks the table before guards, so a cancelled order reports cancellation", () => {
    expect(transition("cancelled", "ship_all", { unshippedUnitsAfter: 5 })).toMatchObject({
      ok: false,
      reason: "order_cancelled",
    });
  });

  it("explains refusals with a detail naming the event and status", () => {
    const outcome = transition("shipped", "cancel");
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.detail).toBe("cancel is not allowed from shipped");
  });
});
