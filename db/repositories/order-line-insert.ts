import { timeOrderedId } from "../time-ordered-id";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { insertJsonRows } from "../json-rows-insert";
import { orderLines } from "../schema";
import { matchLineVariants } from "./line-variant-match";

export interface InsertedLine {
  id: string;
  externalLineId: string;
  variantId: string | null;
  sku: string | null;
  channelVariantRef: string | null;
  carriesStock: boolean;
  title: string;
  quantity: number;
  fulfilledQuantity: number;
}

/**
 * Adds lines to an order we already hold (a channel edit added items), each matched to its
 * variant as at intake (channel identity, then SKU: line-variant-match.ts). A line matching
 * nothing is kept with no variant, for the merchant to map; a line the order already has (same
 * channel line id) is left alone. Returns the lines added, in the order given.
 */
export async function insertMatchedLines(
  tx: Tx,
  input: { shopId: string; orderId: string; channel: string; lines: readonly UnifiedOrderLine[] },
): Promise<InsertedLine[]> {
  if (input.lines.length === 0) return [];
  const variants = await matchLineVariants(tx, input.shopId, input.lines.map((line) => ({ ...line, channel: input.channel })));
  const lines = input.lines.map((line, i) => ({ id: timeOrderedId(), orderId: input.orderId, variantId: variants[i] ?? null, line }));
  const position = new Map<string, number>(lines.map(({ id }, i) => [id, i]));
  return (await insertResolvedLines(tx, input.shopId, lines)).sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

/**
 * Lines whose ids and variants the caller already decided (matchLineVariants), in one statement.
 * A line an order already has (same channel line id) is skipped; returns the lines stored.
 */
export async function insertResolvedLines(
  tx: Tx,
  shopId: string,
  lines: readonly { id: string; orderId: string; variantId: string | null; line: UnifiedOrderLine }[],
): Promise<InsertedLine[]> {
  return insertJsonRows(
    tx,
    orderLines,
    lines.map(({ id, orderId, variantId, line }) => ({
      id,
      shopId,
      orderId,
      externalLineId: line.externalLineId,
      variantId,
      sku: line.sku ?? null,
      channelVariantRef: line.channelVariantRef ?? null,
      carriesStock: line.carriesStock,
      title: line.title,
      quantity: line.quantity,
      fulfilledQuantity: line.fulfilledQuantity,
      unitPriceMinor: line.unitPriceMinor,
      discountMinor: line.discountMinor,
      taxMinor: line.taxMinor,
    })),
    { returning: ["id", "externalLineId", "variantId", "sku", "channelVariantRef", "carriesStock", "title", "quantity", "fulfilledQuantity"], onConflictDoNothing: true },
  );
}
