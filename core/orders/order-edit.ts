import type { OrderStatus } from "./order-status.js";
import type { UnifiedOrderLine } from "./unified-order.js";

/**
 * A channel changed the lines of an order Switchyard already holds (Shopify order edits:
 * units removed, quantities raised, items added). This decides, from the stored lines and
 * what each still holds, what the edit means for stock: which units go back to the shelf
 * (release), which lines are new, and whether the order has to re-enter reservation for
 * units it did not hold before. The database layer applies the plan through ledger
 * movements; nothing here touches stock.
 *
 * Quantities are compared on what the customer still orders (Shopify `current_quantity`),
 * never on fulfilled counts: Switchyard's own shipments, confirmed back to the channel, come
 * back as fulfilled units in the next orders/updated and are not an edit.
 */

/** A stored line with what the ledger holds for it. */
export interface StoredEditLine {
  readonly lineId: string;
  readonly externalLineId: string;
  readonly title: string;
  readonly variantId: string | null;
  readonly carriesStock: boolean;
  readonly quantity: number;
  /** Units the channel fulfilled before Switchyard took the order (never reserved here). */
  readonly fulfilledQuantity: number;
  /** Units held for the line right now (allocations in status reserved). */
  readonly reserved: number;
  /** Of `reserved`, units already planned on a shipment whose label is bought or being bought. */
  readonly reservedOnShipment: number;
  /** Units Switchyard shipped for the line. */
  readonly shipped: number;
}

/** What the channel says the line is now. */
export type IncomingEditLine = Pick<UnifiedOrderLine, "externalLineId" | "quantity" | "title">;

export interface LineQuantityChange {
  readonly lineId: string;
  readonly externalLineId: string;
  readonly title: string;
  readonly from: number;
  readonly to: number;
}

export interface LineRelease {
  readonly lineId: string;
  readonly variantId: string;
  readonly units: number;
}

export const ORDER_EDIT_REFUSALS = ["order_cancelled", "order_dispatched", "labels_bought"] as const;
export type OrderEditRefusal = (typeof ORDER_EDIT_REFUSALS)[number];

export type OrderEditPlan<L extends IncomingEditLine = IncomingEditLine> =
  | { readonly kind: "unchanged" }
  | {
      /**
       * Fewer units than were shipped, or than a closed order had: a refund or a return in the
       * channel, not an edit to follow. Nothing is held for those units, so nothing moves; the
       * timeline says so and returns go through Returns.
       */
      readonly kind: "noted";
      readonly changes: readonly LineQuantityChange[];
    }
  | {
      readonly kind: "refused";
      readonly reason: OrderEditRefusal;
      /** The line (by title) the refusal is about, when it is about one. */
      readonly line?: string;
      readonly changes: readonly LineQuantityChange[];
      readonly added: readonly L[];
    }
  | {
      readonly kind: "apply";
      readonly changes: readonly LineQuantityChange[];
      /** Lines the order did not have: inserted (and matched to variants) by the caller. */
      readonly added: readonly L[];
      readonly releases: readonly LineRelease[];
      /** Units now wanted that no allocation holds yet: the caller tops the reservation up. */
      readonly wantsMoreStock: boolean;
      /**
       * A reserved or routed order that now wants more stock goes back to `received` first
       * (event release_reservation: its reservation no longer covers the order), so the
       * reservation decision and routing run again on the whole order. What it holds stays.
       */
      readonly reenterReservation: boolean;
      readonly unitsRemoved: number;
      readonly unitsAdded: number;
    };

/** Every unit has left (or the order is over): nothing is held that an edit could move. */
const CLOSED: readonly OrderStatus[] = ["shipped", "delivered", "picked_up", "cancelled"];
/** Statuses whose reservation is complete: wanting more units sends them back through reservation. */
const FULLY_RESERVED: readonly OrderStatus[] = ["reserved", "allocated", "ready_for_pickup"];

/**
 * Units a line still needs held: ordered, less what the channel fulfilled before Switchyard
 * and what Switchyard shipped. Lines that carry no stock need none.
 */
export function unitsStillNeeded(line: Pick<StoredEditLine, "carriesStock" | "fulfilledQuantity" | "shipped">, quantity: number): number {
  if (!line.carriesStock) return 0;
  return Math.max(0, quantity - line.fulfilledQuantity - line.shipped);
}

/**
 * Diffs the stored lines against the channel's lines. A stored line the channel no longer
 * lists is taken as removed (quantity 0): Shopify lists removed lines with current_quantity 0,
 * and a channel that drops a line has removed it.
 */
export function planOrderEdit<L extends IncomingEditLine>(
  status: OrderStatus,
  stored: readonly StoredEditLine[],
  incoming: readonly L[],
): OrderEditPlan<L> {
  const incomingById = new Map(incoming.map((line) => [line.externalLineId, line]));
  const storedIds = new Set(stored.map((line) => line.externalLineId));
  const changes: LineQuantityChange[] = stored.flatMap((line) => {
    const to = incomingById.get(line.externalLineId)?.quantity ?? 0;
    return to === line.quantity ? [] : [{ lineId: line.lineId, externalLineId: line.externalLineId, title: line.title, from: line.quantity, to }];
  });
  const added = incoming.filter((line) => !storedIds.has(line.externalLineId));
  if (changes.length === 0 && added.length === 0) return { kind: "unchanged" };

  const refuse = (reason: OrderEditRefusal, line?: string): OrderEditPlan<L> => ({ kind: "refused", reason, ...(line ? { line } : {}), changes, added });
  if (CLOSED.includes(status)) {
    // Units taken away from a closed order are a refund or a return; units added to it would
    // need goods Switchyard no longer holds for it: a person decides (a new order, a reopen).
    const grows = added.some((line) => line.quantity > 0) || changes.some((change) => change.to > change.from);
    if (!grows) return { kind: "noted", changes };
    return refuse(status === "cancelled" ? "order_cancelled" : "order_dispatched");
  }

  const storedById = new Map(stored.map((line) => [line.lineId, line]));
  const releases: LineRelease[] = [];
  let wantsMoreStock = added.some((line) => line.quantity > 0);
  for (const change of changes) {
    const line = storedById.get(change.lineId)!;
    // Below what already left (a refund or return of shipped units): the line needs nothing more.
    const need = unitsStillNeeded(line, change.to);
    const release = Math.max(0, line.reserved - need);
    if (release > 0) {
      // Units on a shipment with a bought label cannot silently leave it: the parcel would be wrong.
      if (release > line.reserved - line.reservedOnShipment) return refuse("labels_bought", line.title);
      releases.push({ lineId: line.lineId, variantId: line.variantId!, units: release });
    }
    if (need > line.reserved && change.to > change.from) wantsMoreStock = true;
  }

  const unitsRemoved = changes.reduce((sum, change) => sum + Math.max(0, change.from - change.to), 0);
  const unitsAdded =
    changes.reduce((sum, change) => sum + Math.max(0, change.to - change.from), 0) + added.reduce((sum, line) => sum + line.quantity, 0);
  return {
    kind: "apply",
    changes,
    added,
    releases,
    wantsMoreStock,
    reenterReservation: wantsMoreStock && FULLY_RESERVED.includes(status),
    unitsRemoved,
    unitsAdded,
  };
}

/** One line a person reads on the timeline: "−2 Tee (3 → 1), +1 Mug (new)". */
export function describeOrderEdit(changes: readonly LineQuantityChange[], added: readonly IncomingEditLine[]): string {
  const parts = [
    ...changes.map((c) => `${c.to > c.from ? "+" : "−"}${Math.abs(c.to - c.from)} ${c.title} (${c.from} → ${c.to})`),
    ...added.map((line) => `+${line.quantity} ${line.title} (new line)`),
  ];
  return parts.join(", ");
}

export const ORDER_EDIT_REFUSAL_MESSAGES: { readonly [R in OrderEditRefusal]: string } = {
  order_cancelled: "the order is cancelled in Switchyard: the added units are not held for it",
  order_dispatched: "the order has shipped: the added units are not held for it (send them as a new order)",
  labels_bought: "labels are bought for units the edit removes; void those labels first",
};
