import type { ReservationPlan } from "../inventory/reservation-decision.js";
import type { HoldReason, OrderStatus } from "./order-status.js";
import { transition, type OrderEvent } from "./order-state-machine.js";
import type { UnifiedOrder } from "./unified-order.js";

/**
 * What a newly arrived order needs from the merchant, decided from the order itself and the
 * reservation that was possible for it. Nothing is hidden: every shortfall, unknown SKU and
 * hold becomes an exception the merchant sees in the queue.
 */

export const EXCEPTION_KINDS = [
  "partial_stock",
  "unknown_sku",
  "payment_declined",
  "address_invalid",
  "high_risk",
  "invalid_payload",
  "sync_failed",
  "transition_refused",
  // Raised from Shopify webhooks (jobs/webhook-handlers/shopify).
  "stock_drift",
  "sku_conflict",
  "data_request",
  // A fulfillment or cancellation the source channel refused (jobs/tasks/channel-*.task.ts).
  "channel_write_failed",
  // Shipping (jobs/tasks/shipping-*.task.ts): no label could be bought, the carrier reported a
  // delivery problem, or a WMS never acknowledged a shipment to pick.
  "label_purchase_failed",
  "delivery_problem",
  "wms_handoff_failed",
  // A label bought but not used (a second label for one shipment or return, a cancelled
  // shipment's label) that the provider would not refund: money spent for nothing (ADR 0009).
  "label_refund_failed",
  // An order cancelled after a WMS was told to pick its shipment (shipment-cancellation-repository):
  // there is no cancellation message for a WMS, so a person stops the pick.
  "wms_pick_cancel",
  // Raised by routing (db/repositories/routing-repository.ts) and our own risk and payment rules.
  "unroutable",
  "payment_pending",
  // A channel edited lines of an order whose goods have left or that is cancelled
  // (db/repositories/order-edit-repository.ts): stock is not moved, a person decides.
  "order_edit_refused",
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

export interface RaisedException {
  readonly kind: ExceptionKind;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

export interface IntakeAssessment {
  readonly status: OrderStatus;
  /** The events applied, in order, for the timeline. */
  readonly events: readonly OrderEvent[];
  readonly holds: readonly HoldReason[];
  readonly exceptions: readonly RaisedException[];
}

export interface LineOutcome {
  /** What a person reads for the line: its SKU, or its title when it has none. */
  readonly sku: string;
  readonly requested: number;
  readonly reserved: number;
}

/** A stock-carrying line that matched no variant: kept on the order for the merchant to map. */
export interface UnmatchedLine {
  readonly lineId: string;
  readonly title: string;
  readonly sku?: string | null;
  readonly channelVariantRef?: string | null;
}

export function describeUnmatchedLine(line: UnmatchedLine): string {
  const ids = [line.sku ? `SKU ${line.sku}` : "no SKU", ...(line.channelVariantRef ? [line.channelVariantRef] : [])];
  return `"${line.title}" (${ids.join(", ")})`;
}

/**
 * The exception an order carries while lines of it match no variant. Kind `unknown_sku` is
 * kept (the queue and its filters know it) though the line may have no SKU at all.
 */
export function unmatchedLinesException(lines: readonly UnmatchedLine[]): RaisedException {
  return {
    kind: "unknown_sku",
    message: `${lines.length === 1 ? "A line matches" : `${lines.length} lines match`} no variant in the catalogue: ${lines
      .slice(0, 10)
      .map(describeUnmatchedLine)
      .join(", ")}${lines.length > 10 ? ", …" : ""}. Map ${lines.length === 1 ? "it" : "them"} to a variant from the order page.`,
    details: {
      skus: [...new Set(lines.flatMap((line) => (line.sku ? [line.sku] : [])))],
      lines: lines.map((line) => ({ lineId: line.lineId, title: line.title, sku: line.sku ?? null, channelVariantRef: line.channelVariantRef ?? null })),
    },
  };
}

export function holdReasonsFor(order: Pick<UnifiedOrder, "risk" | "financialStatus" | "shippingAddress">): HoldReason[] {
  const holds: HoldReason[] = [];
  if (order.risk?.level === "high") holds.push("risk");
  if (order.financialStatus === "declined" || order.financialStatus === "voided") holds.push("payment");
  if (!order.shippingAddress) holds.push("address");
  return holds;
}

/**
 * `lines` are the matched lines that needed stock (what was asked of the ledger and what it
 * gave); `unmatched` the stock-carrying lines that matched no variant. Lines that carry no
 * stock appear in neither: they never hold an order back.
 */
export function assessNewOrder(
  order: UnifiedOrder,
  plan: ReservationPlan | undefined,
  lines: readonly LineOutcome[],
  unmatched: readonly UnmatchedLine[],
): IntakeAssessment {
  if (order.cancelled) return { status: "cancelled", events: ["cancel"], holds: [], exceptions: [] };

  const exceptions: RaisedException[] = [];
  const events: OrderEvent[] = [];
  const planComplete = plan === undefined ? lines.length === 0 : plan.status === "complete";
  const complete = unmatched.length === 0 && planComplete;
  const reserveEvent: OrderEvent = complete ? "reserve_all" : "reserve_partial";
  let status = step("received", reserveEvent, events);

  if (unmatched.length > 0) exceptions.push(unmatchedLinesException(unmatched));
  const shortKnown = lines.filter((line) => line.reserved < line.requested);
  if (shortKnown.length > 0) {
    exceptions.push({
      kind: "partial_stock",
      message: `Short: ${shortKnown.map((l) => `${l.sku} ${l.reserved}/${l.requested}`).join(", ")}`,
      details: { lines: shortKnown },
    });
  }

  const holds = holdReasonsFor(order);
  if (holds.length > 0) status = step(status, "hold", events);
  if (holds.includes("risk")) {
    exceptions.push({
      kind: "high_risk",
      message: `High fraud risk: ${order.risk?.reasons.join("; ") || "flagged by the channel"}`,
      details: { reasons: order.risk?.reasons ?? [] },
    });
  }
  if (holds.includes("payment")) {
    exceptions.push({
      kind: "payment_declined",
      message: `Payment ${order.financialStatus}`,
      details: { financialStatus: order.financialStatus },
    });
  }
  if (holds.includes("address")) {
    exceptions.push({ kind: "address_invalid", message: "No shipping address on the order", details: {} });
  }
  return { status, events, holds, exceptions };
}

function step(status: OrderStatus, event: OrderEvent, events: OrderEvent[]): OrderStatus {
  const outcome = transition(status, event);
  // The intake path only fires events the table allows from fresh statuses; a refusal is a bug.
  if (!outcome.ok) throw new Error(`intake: ${event} refused from ${status}: ${outcome.reason}`);
  events.push(event);
  return outcome.to;
}
