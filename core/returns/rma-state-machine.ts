import type { Err } from "../shared/result.js";

/**
 * The return (RMA) process as data (rule 7): each event names the statuses it may fire from and
 * the status it leads to; anything else is refused with a reason the merchant and the customer
 * can read. Refund, exchange and credit normally follow inspection; a "keep the item" decision
 * (low value) lets them follow approval directly, which is the only guarded shortcut.
 */

export const RMA_STATUSES = [
  "requested",
  "approved",
  "declined",
  "label_issued",
  "in_transit",
  "received",
  "inspected",
  "refunded",
  "exchanged",
  "credited",
  "closed",
  "cancelled",
] as const;
export type RmaStatus = (typeof RMA_STATUSES)[number];

/** How far along each status is: tells "the channel is ahead" from "we are already further". */
export const RMA_PROGRESS: { readonly [S in RmaStatus]: number } = {
  requested: 0,
  approved: 1,
  declined: 1,
  label_issued: 2,
  in_transit: 3,
  received: 4,
  inspected: 5,
  refunded: 6,
  exchanged: 6,
  credited: 6,
  closed: 7,
  cancelled: 7,
};

export const RMA_EVENTS = [
  "approve",
  "decline",
  "issue_label",
  "mark_in_transit",
  "receive",
  "inspect",
  "refund",
  "exchange",
  "credit",
  "close",
  "cancel",
] as const;
export type RmaEvent = (typeof RMA_EVENTS)[number];

export const RMA_REFUSALS = [
  "not_awaiting_decision",
  "not_approved",
  "no_label_issued",
  "not_on_its_way",
  "not_received",
  "not_inspected",
  "not_resolved",
  "already_finished",
] as const;
export type RmaRefusal = (typeof RMA_REFUSALS)[number];

export interface RmaTransitionContext {
  /** The customer keeps the item (its value is below the keep-the-item threshold). */
  readonly keepItem?: boolean;
}

export interface RmaTransitionRule {
  readonly from: readonly RmaStatus[];
  readonly to: RmaStatus;
  readonly refusedBecause: RmaRefusal;
  /** Extra statuses the event may fire from when the guard allows it. */
  readonly guardedFrom?: { readonly from: readonly RmaStatus[]; readonly when: (c: RmaTransitionContext) => boolean };
}

const resolvedAfterInspection = { from: ["approved"] as const, when: (c: RmaTransitionContext) => c.keepItem === true };

export const RMA_TRANSITIONS: { readonly [E in RmaEvent]: RmaTransitionRule } = {
  approve: { from: ["requested"], to: "approved", refusedBecause: "not_awaiting_decision" },
  decline: { from: ["requested"], to: "declined", refusedBecause: "not_awaiting_decision" },
  issue_label: { from: ["approved"], to: "label_issued", refusedBecause: "not_approved" },
  mark_in_transit: { from: ["label_issued"], to: "in_transit", refusedBecause: "no_label_issued" },
  // A parcel can arrive without a tracker update (dropped off at the store, tracker lagging).
  receive: { from: ["approved", "label_issued", "in_transit"], to: "received", refusedBecause: "not_on_its_way" },
  inspect: { from: ["received"], to: "inspected", refusedBecause: "not_received" },
  refund: { from: ["inspected"], to: "refunded", refusedBecause: "not_inspected", guardedFrom: resolvedAfterInspection },
  exchange: { from: ["inspected"], to: "exchanged", refusedBecause: "not_inspected", guardedFrom: resolvedAfterInspection },
  credit: { from: ["inspected"], to: "credited", refusedBecause: "not_inspected", guardedFrom: resolvedAfterInspection },
  close: { from: ["declined", "refunded", "exchanged", "credited"], to: "closed", refusedBecause: "not_resolved" },
  cancel: { from: ["requested", "approved", "label_issued"], to: "cancelled", refusedBecause: "already_finished" },
};

/** Statuses in which the units still count against what the line may return again. */
export const RMA_ACTIVE_STATUSES: readonly RmaStatus[] = RMA_STATUSES.filter(
  (status) => status !== "declined" && status !== "cancelled",
);

/** Statuses after which nothing more happens. */
export const RMA_FINAL_STATUSES: readonly RmaStatus[] = ["closed", "cancelled"];

export type RmaTransition = { readonly ok: true; readonly from: RmaStatus; readonly to: RmaStatus } | Err<RmaRefusal>;

export function transitionRma(from: RmaStatus, event: RmaEvent, context: RmaTransitionContext = {}): RmaTransition {
  const rule = RMA_TRANSITIONS[event];
  if (rule.from.includes(from)) return { ok: true, from, to: rule.to };
  if (rule.guardedFrom?.from.includes(from as never) && rule.guardedFrom.when(context)) return { ok: true, from, to: rule.to };
  if (RMA_FINAL_STATUSES.includes(from)) return { ok: false, reason: "already_finished", detail: `return is ${from}` };
  return { ok: false, reason: rule.refusedBecause, detail: `cannot ${event} a return that is ${from}` };
}

/** The events a person may fire now: what the admin offers as buttons. */
export function availableRmaEvents(from: RmaStatus, context: RmaTransitionContext = {}): RmaEvent[] {
  return RMA_EVENTS.filter((event) => transitionRma(from, event, context).ok);
}

export function isRmaStatus(value: string): value is RmaStatus {
  return (RMA_STATUSES as readonly string[]).includes(value);
}
