import { z } from "zod";

/**
 * Where an order stands in Switchyard's own lifecycle. This is independent of the channel's
 * financial status: a paid Amazon order can still be `backordered` here, and that shortfall
 * must stay visible to the merchant (Vendure #3508).
 */
export const ORDER_STATUSES = [
  "received",
  "on_hold",
  "backordered",
  "reserved",
  "allocated",
  "ready_for_pickup",
  "picked_up",
  "partially_shipped",
  "shipped",
  "delivered",
  "cancelled",
] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** Why an order was parked; an order can carry several at once and is released when all clear. */
export const HOLD_REASONS = ["risk", "payment", "address"] as const;
export const holdReasonSchema = z.enum(HOLD_REASONS);
export type HoldReason = z.infer<typeof holdReasonSchema>;

export interface OrderStatusInfo {
  readonly label: string;
  readonly description: string;
  /** No event leaves a terminal status; lists and jobs can stop looking at these orders. */
  readonly terminal: boolean;
  /** Goods have left a location, so the order can no longer be cancelled as a whole. */
  readonly goodsDispatched: boolean;
}

export const ORDER_STATUS_INFO: { readonly [S in OrderStatus]: OrderStatusInfo } = {
  received: {
    label: "Received",
    description: "Ingested from the channel; stock not reserved yet.",
    terminal: false,
    goodsDispatched: false,
  },
  on_hold: {
    label: "On hold",
    description: "Parked for a risk, payment or address exception until a person releases it.",
    terminal: false,
    goodsDispatched: false,
  },
  backordered: {
    label: "Backordered",
    description: "Some lines could not be fully reserved; the shortfall is waiting for stock.",
    terminal: false,
    goodsDispatched: false,
  },
  reserved: {
    label: "Reserved",
    description: "Every line is reserved.",
    terminal: false,
    goodsDispatched: false,
  },
  allocated: {
    label: "Allocated",
    description: "Routed to fulfilment locations and ready to pick.",
    terminal: false,
    goodsDispatched: false,
  },
  ready_for_pickup: {
    label: "Ready for pickup",
    description: "Picked and waiting at the store for the customer (pickup or curbside).",
    terminal: false,
    goodsDispatched: false,
  },
  picked_up: {
    label: "Picked up",
    description: "The customer collected the order at the store.",
    terminal: true,
    goodsDispatched: true,
  },
  partially_shipped: {
    label: "Partially shipped",
    description: "Some shipments have left; the rest are still to ship.",
    terminal: false,
    goodsDispatched: true,
  },
  shipped: {
    label: "Shipped",
    description: "Every line has shipped.",
    terminal: false,
    goodsDispatched: true,
  },
  delivered: {
    label: "Delivered",
    description: "The carrier reported delivery of every shipment.",
    terminal: true,
    goodsDispatched: true,
  },
  cancelled: {
    label: "Cancelled",
    description: "Cancelled before anything shipped; its reservations are released.",
    terminal: true,
    goodsDispatched: false,
  },
};

export function isTerminalStatus(status: OrderStatus): boolean {
  return ORDER_STATUS_INFO[status].terminal;
}
