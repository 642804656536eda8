import type { OrderEditOutcome } from "../../db/repositories/order-edit-repository";

/** What a version's lines did to the order, for the delivery's note; empty when they changed nothing. */
export function describeOrderEditOutcome(edit: OrderEditOutcome | undefined): string {
  switch (edit?.kind) {
    case undefined:
    case "unchanged":
      return "";
    case "noted":
      return `fewer units on a closed order (${edit.summary}): a refund or return, no stock moved`;
    case "refused":
      return `line edit not applied (${edit.reason}); order_edit_refused raised`;
    case "applied":
      return `lines edited (${edit.summary}): released ${edit.released}, reserved ${edit.reserved}, short ${edit.shortfall}`;
  }
}
