import type { ExceptionKind } from "./order-intake.js";

/**
 * How long each cause may wait for a person before it is late. Money and customers first:
 * payment and risk holds block revenue, unroutable and label failures block parcels already
 * promised, catalogue and sync problems can wait a working day.
 */
export type ExceptionSla = { readonly [K in ExceptionKind]: number };

export const DEFAULT_EXCEPTION_SLA_HOURS: ExceptionSla = {
  partial_stock: 48,
  unknown_sku: 24,
  payment_declined: 4,
  payment_pending: 24,
  address_invalid: 8,
  high_risk: 4,
  invalid_payload: 24,
  sync_failed: 8,
  transition_refused: 24,
  stock_drift: 24,
  sku_conflict: 24,
  data_request: 240,
  channel_write_failed: 8,
  unroutable: 4,
  label_purchase_failed: 4,
  delivery_problem: 8,
  wms_handoff_failed: 4,
  // Carriers take refund requests for weeks; it blocks no parcel.
  label_refund_failed: 24,
  wms_pick_cancel: 2,
  order_edit_refused: 8,
};

export type SlaState = "within" | "due_soon" | "breached";

export interface SlaStanding {
  readonly ageHours: number;
  readonly slaHours: number;
  readonly state: SlaState;
}

/** "due soon" in the last quarter of the allowance, so a person sees it coming. */
export function slaStanding(kind: string, createdAt: Date, now: Date, sla: ExceptionSla = DEFAULT_EXCEPTION_SLA_HOURS): SlaStanding {
  const slaHours = (sla as Record<string, number>)[kind] ?? 24;
  const ageHours = Math.max(0, (now.getTime() - createdAt.getTime()) / 3_600_000);
  const state: SlaState = ageHours >= slaHours ? "breached" : ageHours >= slaHours * 0.75 ? "due_soon" : "within";
  return { ageHours, slaHours, state };
}
