import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { insertJsonRows } from "../json-rows-insert";
import { orderLines } from "../schema";
import { lineVariantMatch } from "./line-variant-match";

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
  const variants = await matchLineVariants(tx, input.shopId, input.lines.map((line) => ({ channel: input.channel, line })));
  const lines = input.lines.map((line, i) => ({ id: randomUUID(), orderId: input.orderId, variantId: variants[i] ?? null, line }));
  const position = new Map<string, number>(lines.map(({ id }, i) => [id, i]));
  return (await insertResolvedLines(tx, input.shopId, lines)).sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

/**
 * The variant each line is for (channel identity, then SKU: line-variant-match.ts), in one
 * statement and without storing anything, so a caller can decide stock before it writes the
 * lines. Null for a line that carries no stock or matches nothing. Returned in the order given.
 */
export async function matchLineVariants(
  tx: Tx,
  shopId: string,
  lines: readonly { channel: string; line: Pick<UnifiedOrderLine, "sku" | "channelVariantRef" | "carriesStock"> }[],
): Promise<(string | null)[]> {
  if (lines.length === 0) return [];
  const rows = JSON.stringify(
    lines.map(({ channel, line }, i) => ({ i, channel, channel_variant_ref: line.channelVariantRef ?? null, sku: line.sku ?? null, carries_stock: line.carriesStock })),
  );
  const match = lineVariantMatch({ shopId: sql`${shopId}::uuid`, channel: sql`n.channel`, ref: sql`n.channel_variant_ref`, sku: sql`n.sku` });
  const result = await tx.execute<{ i: number; variant_id: string | null }>(sql`
    SELECT n.i, CASE WHEN n.carries_stock THEN ${match} END AS variant_id
      FROM jsonb_to_recordset(${rows}::jsonb) AS n(i int, channel text, channel_variant_ref text, sku text, carries_stock boolean)`);
  const variants: (string | null)[] = lines.map(() => null);
  for (const row of result.rows) variants[row.i] = row.variant_id;
  return variants;
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
