/**
 * Whether a return still needs a label bought for it (ADR 0009). Only an approved return whose
 * parcel comes back and that holds no label does: a label bought for any other (the customer
 * keeps the item, the return was cancelled, declined, received or resolved meanwhile, a label was
 * recorded by hand or issued on the channel) is money spent for nothing, and is refunded.
 */

export interface ReturnLabelFacts {
  readonly status: string;
  readonly keepItem: boolean;
  /** The return holds a label (a tracking number), whoever issued it. */
  readonly hasLabel: boolean;
}

/** Why no label is needed, in words the merchant reads on the return; null while one is. */
export function returnLabelNotNeededBecause(rma: ReturnLabelFacts): string | null {
  if (rma.keepItem) return "the customer keeps the item";
  if (rma.status === "approved") return rma.hasLabel ? "the return already has its label" : null;
  // A channel can issue the label without telling its tracking number: label_issued is enough.
  if (rma.status === "label_issued") return "the return already has its label";
  return `the return is ${rma.status.replace(/_/g, " ")}`;
}
