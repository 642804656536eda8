import { RMA_PROGRESS, type RmaEvent, type RmaStatus } from "./rma-state-machine.js";

/**
 * Keeping a return and its mirror on the sales channel (a Shopify Return) in step, both ways,
 * as pure decisions:
 *
 * - inbound: the channel says what happened to its return (a webhook); `decideChannelSignal`
 *   answers which RMA event that is, or that the RMA already reflects it (a redelivery, or a
 *   signal overtaken by a later one), or that the two disagree (kept and shown, never forced);
 * - outbound: `nextChannelReturnAction` compares the RMA with what the channel shows now and
 *   answers the ONE next call that brings the channel closer (level-triggered: a job runs it,
 *   reads the channel again and asks again, so a retry, a crash or a webhook that already did
 *   the work all end in the same place and nothing is sent twice).
 */

// ---------- inbound ----------

export const CHANNEL_RETURN_SIGNALS = ["requested", "approved", "declined", "processed", "cancelled", "closed", "reopened"] as const;
export type ChannelReturnSignal = (typeof CHANNEL_RETURN_SIGNALS)[number];

/** The RMA events a channel's signal can cause. */
export type ChannelSignalEvent = Extract<RmaEvent, "approve" | "decline" | "cancel" | "receive" | "close">;

export type ChannelSignalDecision =
  | { readonly kind: "apply"; readonly event: ChannelSignalEvent }
  | { readonly kind: "already"; readonly detail: string }
  | { readonly kind: "conflict"; readonly detail: string };


const RESOLVED: readonly RmaStatus[] = ["refunded", "exchanged", "credited"];

export function decideChannelSignal(status: RmaStatus, signal: ChannelReturnSignal): ChannelSignalDecision {
  const already = (detail: string): ChannelSignalDecision => ({ kind: "already", detail });
  const conflict = (detail: string): ChannelSignalDecision => ({ kind: "conflict", detail });
  switch (signal) {
    case "requested":
      return already(`the return is ${status}`);
    case "approved":
      if (status === "requested") return { kind: "apply", event: "approve" };
      if (status === "declined" || status === "cancelled") return conflict(`approved on the channel, but ${status} here`);
      return already(`the return is ${status}`);
    case "declined":
      if (status === "requested") return { kind: "apply", event: "decline" };
      if (status === "declined") return already("the return is declined");
      return conflict(`declined on the channel, but ${status} here`);
    case "cancelled":
      if (status === "requested" || status === "approved" || status === "label_issued") return { kind: "apply", event: "cancel" };
      if (status === "cancelled") return already("the return is cancelled");
      return conflict(`cancelled on the channel, but ${status} here`);
    case "processed":
      // The channel confirmed the items came back; inspection and disposition stay ours.
      if (status === "approved" || status === "label_issued" || status === "in_transit") return { kind: "apply", event: "receive" };
      if (status === "requested" || status === "declined" || status === "cancelled") return conflict(`processed on the channel, but ${status} here`);
      return already(`the return is ${status}`);
    case "closed":
      if (RESOLVED.includes(status) || status === "declined") return { kind: "apply", event: "close" };
      if (status === "closed" || status === "cancelled") return already(`the return is ${status}`);
      return conflict(`closed on the channel, but ${status} here (inspect and resolve it here to finish it)`);
    case "reopened":
      // Our table has no way back from closed: the merchant decides what the reopening means.
      return RMA_PROGRESS[status] >= RMA_PROGRESS.closed ? conflict(`reopened on the channel, but ${status} here`) : already(`the return is ${status}`);
  }
}

// ---------- outbound ----------

export type ChannelReturnStatus = "requested" | "open" | "declined" | "cancelled" | "closed";

/** What the job read from the channel about the mirrored return (null: there is none yet). */
export interface ChannelReturnState {
  readonly status: ChannelReturnStatus;
  /** The reverse fulfillment order exists (the return is open) and has no delivery with our label yet. */
  readonly awaitingLabel: boolean;
  /** Return and exchange units not processed yet. */
  readonly unprocessedQuantity: number;
}

export interface RmaForChannelSync {
  readonly status: RmaStatus;
  readonly resolution: "refund" | "store_credit" | "exchange";
  /** A return label exists (bought or entered), so the channel can get a reverse delivery. */
  readonly hasLabel: boolean;
  /** The channel cannot hold this return (nothing returnable there): money goes back as a plain refund. */
  readonly unmirrorable: boolean;
  /** A plain refund was already recorded for this RMA. */
  readonly plainRefundDone: boolean;
  /** The channel does not have the order at all: nothing can be mirrored. */
  readonly orderMissing?: boolean;
}

export type ChannelReturnAction =
  | "request"
  | "create"
  | "approve"
  | "decline"
  | "cancel"
  | "attach_label"
  | "process"
  | "close"
  | "plain_refund"
  | "none";

export interface ChannelReturnPlan {
  readonly action: ChannelReturnAction;
  /** Why, in words for the timeline and the tests. */
  readonly because: string;
}

const plan = (action: ChannelReturnAction, because: string): ChannelReturnPlan => ({ action, because });

export function nextChannelReturnAction(rma: RmaForChannelSync, channel: ChannelReturnState | null): ChannelReturnPlan {
  const { status } = rma;
  const resolved = RESOLVED.includes(status) || status === "closed";
  if (rma.orderMissing) return plan("none", "the channel does not have the order");
  if (rma.unmirrorable) {
    if (resolved && rma.resolution !== "exchange" && !rma.plainRefundDone) return plan("plain_refund", "the channel holds no return for it; the money goes back as a refund");
    return plan("none", "the channel cannot hold this return");
  }
  if (!channel) {
    if (status === "declined" || status === "cancelled") return plan("none", `a ${status} return is not mirrored`);
    // An exchange needs its new items on the channel's return, which only a created (open) return carries.
    if (rma.resolution === "exchange") return status === "requested" ? plan("none", "an exchange is mirrored once approved") : plan("create", "approved exchange");
    return status === "requested" ? plan("request", "requested here") : plan("create", `already ${status} here`);
  }
  switch (channel.status) {
    case "requested":
      if (status === "requested") return plan("none", "awaiting the merchant's decision");
      if (status === "declined") return plan("decline", "declined here");
      if (status === "cancelled") return plan("cancel", "cancelled here");
      return plan("approve", `${status} here`);
    case "open":
      if (status === "cancelled") return channel.unprocessedQuantity > 0 ? plan("cancel", "cancelled here") : plan("none", "processed on the channel already");
      if (rma.hasLabel && channel.awaitingLabel) return plan("attach_label", "the return label exists");
      if (resolved && channel.unprocessedQuantity > 0) return plan("process", `${status} here`);
      if (status === "closed" && channel.unprocessedQuantity === 0) return plan("close", "closed here");
      return plan("none", "in step");
    case "declined":
    case "cancelled":
    case "closed":
      return plan("none", `${channel.status} on the channel`);
  }
}
