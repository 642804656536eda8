/**
 * Whether a label purchase may call the carrier, and how. The purchase record is written and
 * committed before the carrier is asked to buy, so after a retry or a crash there are only a
 * few situations, and each has one safe answer:
 *
 * - no record: shop for rates, write the record, then buy;
 * - a record still `buying`: an earlier attempt may have bought without recording it, so look
 *   the provider's shipment up first and buy only if it has no label;
 * - `purchased`: the label exists; never buy again;
 * - `failed`: the carrier refused outright (not a transport error); shopping again is safe
 *   because no label exists;
 * - `voided`: the label was refunded; a new purchase needs a new record (a new attempt).
 */

export const LABEL_PURCHASE_STATES = ["buying", "purchased", "failed", "voided"] as const;
export type LabelPurchaseState = (typeof LABEL_PURCHASE_STATES)[number];

export type LabelPurchaseStep =
  | { readonly step: "shop_and_buy"; readonly attempt: number }
  | { readonly step: "reconcile_then_buy"; readonly attempt: number }
  | { readonly step: "already_purchased" };

export function nextLabelPurchaseStep(latest: { readonly state: LabelPurchaseState; readonly attempt: number } | null): LabelPurchaseStep {
  if (!latest) return { step: "shop_and_buy", attempt: 1 };
  switch (latest.state) {
    case "buying":
      return { step: "reconcile_then_buy", attempt: latest.attempt };
    case "purchased":
      return { step: "already_purchased" };
    case "failed":
    case "voided":
      return { step: "shop_and_buy", attempt: latest.attempt + 1 };
  }
}

/** The idempotency key of one return label's purchase attempt (the same decision, per RMA). */
export function returnLabelIdempotencyKey(returnId: string, attempt: number): string {
  return `return-label:${returnId}:${attempt}`;
}

/** The idempotency key of one purchase attempt: the same attempt can never buy twice. */
export function labelIdempotencyKey(shipmentId: string, attempt: number): string {
  return `label:${shipmentId}:${attempt}`;
}
