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
 * variant in the same statement as at intake (channel identity, then SKU: line-variant-match.ts).
 * A line matching nothing is kept with no variant, for the merchant to map.
 */
export async function insertMatchedLines(
  tx: Tx,
  input: { shopId: string; orderId: string; channel: string; lines: readonly UnifiedOrderLine[] },
): Promise<InsertedLine[]> {
  return insertOrdersLines(tx, input.shopId, [input]);
}

/**
 * The lines of many orders of one shop in one statement (a batch of new orders at intake), each
 * matched to its variant in the statement. Returned in the order given, each with its order's id.
 */
export async function insertOrdersLines(
  tx: Tx,
  shopId: string,
  orders: readonly { orderId: string; channel: string; lines: readonly UnifiedOrderLine[] }[],
): Promise<(InsertedLine & { orderId: string })[]> {
  const given = orders.flatMap((order) => order.lines.map((line) => ({ order, line })));
  if (given.length === 0) return [];
  const rows = JSON.stringify(
    given.map(({ order, line }) => ({
      order_id: order.orderId,
      channel: order.channel,
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
  const match = lineVariantMatch({ shopId: sql`${shopId}::uuid`, channel: sql`n.channel`, ref: sql`n.channel_variant_ref`, sku: sql`n.sku` });
  const result = await tx.execute<{
    id: string;
    order_id: string;
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
    SELECT ${shopId}::uuid, n.order_id, n.external_line_id, CASE WHEN n.carries_stock THEN ${match} END, n.sku,
           n.channel_variant_ref, n.carries_stock, n.title, n.quantity, n.fulfilled_quantity, n.unit_price_minor, n.discount_minor, n.tax_minor
      FROM jsonb_to_recordset(${rows}::jsonb) AS n(order_id uuid, channel text, external_line_id text, sku text, channel_variant_ref text,
                                                  carries_stock boolean, title text, quantity int, fulfilled_quantity int,
                                                  unit_price_minor bigint, discount_minor bigint, tax_minor bigint)
    ON CONFLICT (order_id, external_line_id) DO NOTHING
    RETURNING ol.id, ol.order_id, ol.external_line_id, ol.variant_id, ol.sku, ol.channel_variant_ref, ol.carries_stock, ol.title, ol.quantity, ol.fulfilled_quantity`);
  const position = new Map(given.map(({ order, line }, i) => [`${order.orderId}/${line.externalLineId}`, i]));
  return result.rows
    .map((row) => ({
      id: row.id,
      orderId: row.order_id,
      externalLineId: row.external_line_id,
      variantId: row.variant_id,
      sku: row.sku,
      channelVariantRef: row.channel_variant_ref,
      carriesStock: row.carries_stock,
      title: row.title,
      quantity: row.quantity,
      fulfilledQuantity: row.fulfilled_quantity,
    }))
    .sort((a, b) => position.get(`${a.orderId}/${a.externalLineId}`)! - position.get(`${b.orderId}/${b.externalLineId}`)!);
}

/**
 * The variant each line is for, resolved as insertOrdersLines resolves it (channel identity, then
 * SKU) but without storing anything: for a caller that decides stock before it writes the lines.
 * Null for a line that carries no stock or matches nothing. Returned in the order given.
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

/** Lines whose ids and variants the caller already decided (matchLineVariants), in one statement. */
export async function insertResolvedLines(
  tx: Tx,
  shopId: string,
  lines: readonly { id: string; orderId: string; variantId: string | null; line: UnifiedOrderLine }[],
): Promise<void> {
  await insertJsonRows(
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
  );
}
