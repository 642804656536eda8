import { sql } from "drizzle-orm";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
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
 * variant in the same statement as at intake (channel identity, then SKU: line-variant-match.ts).
 * A line matching nothing is kept with no variant, for the merchant to map.
 */
export async function insertMatchedLines(
  tx: Tx,
  input: { shopId: string; orderId: string; channel: string; lines: readonly UnifiedOrderLine[] },
): Promise<InsertedLine[]> {
  if (input.lines.length === 0) return [];
  const rows = JSON.stringify(
    input.lines.map((line) => ({
      external_line_id: line.externalLineId,
      sku: line.sku ?? null,
      channel_variant_ref: line.channelVariantRef ?? null,
      carries_stock: line.carriesStock,
      title: line.title,
      quantity: line.quantity,
      fulfilled_quantity: line.fulfilledQuantity,
      unit_price_minor: line.unitPriceMinor,
      discount_minor: line.discountMinor,
      tax_minor: line.taxMinor,
    })),
  );
  const match = lineVariantMatch({ shopId: sql`${input.shopId}::uuid`, channel: sql`${input.channel}::text`, ref: sql`n.channel_variant_ref`, sku: sql`n.sku` });
  const result = await tx.execute<{
    id: string;
    external_line_id: string;
    variant_id: string | null;
    sku: string | null;
    channel_variant_ref: string | null;
    carries_stock: boolean;
    title: string;
    quantity: number;
    fulfilled_quantity: number;
  }>(sql`
    INSERT INTO order_lines AS ol (shop_id, order_id, external_line_id, variant_id, sku, channel_variant_ref, carries_stock, title,
                                   quantity, fulfilled_quantity, unit_price_minor, discount_minor, tax_minor)
    SELECT ${input.shopId}::uuid, ${input.orderId}::uuid, n.external_line_id, CASE WHEN n.carries_stock THEN ${match} END, n.sku,
           n.channel_variant_ref, n.carries_stock, n.title, n.quantity, n.fulfilled_quantity, n.unit_price_minor, n.discount_minor, n.tax_minor
      FROM jsonb_to_recordset(${rows}::jsonb) AS n(external_line_id text, sku text, channel_variant_ref text, carries_stock boolean,
                                                  title text, quantity int, fulfilled_quantity int,
                                                  unit_price_minor bigint, discount_minor bigint, tax_minor bigint)
    ON CONFLICT (order_id, external_line_id) DO NOTHING
    RETURNING ol.id, ol.external_line_id, ol.variant_id, ol.sku, ol.channel_variant_ref, ol.carries_stock, ol.title, ol.quantity, ol.fulfilled_quantity`);
  return result.rows.map((row) => ({
    id: row.id,
    externalLineId: row.external_line_id,
    variantId: row.variant_id,
    sku: row.sku,
    channelVariantRef: row.channel_variant_ref,
    carriesStock: row.carries_stock,
    title: row.title,
    quantity: row.quantity,
    fulfilledQuantity: row.fulfilled_quantity,
  }));
}
