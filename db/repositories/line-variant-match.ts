import { sql } from "drizzle-orm";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { executePrepared } from "../prepared-statement";

/** What identifies an order line's variant: the selling channel, its own identity of the item, the SKU. */
export interface LineIdentity {
  channel: string;
  sku?: UnifiedOrderLine["sku"] | null;
  channelVariantRef?: UnifiedOrderLine["channelVariantRef"] | null;
  carriesStock: boolean;
}

/** A variant some source of truth names for an identity; rank says which source (lower wins). */
type MatchCandidate = {
  rank: number;
  /** Null for the catalogue's SKU, which holds for every channel. */
  channel: string | null;
  key: string;
  variant_id: string;
};

/**
 * The variant each line is for, in the order given; null for a line that carries no stock or
 * matches nothing (kept unmatched for the merchant to map). Channel identity first (it survives
 * SKU edits and blank SKUs), then the SKU:
 *   1. a mapping the merchant made for this channel identity (line_mappings "ref:")
 *   2. the channel's listing that carries this identity (channel_listings.external_variant_ref)
 *   3. for Shopify, the home catalogue: the variant imported from that ProductVariant GID
 *   4. a mapping the merchant made for this SKU (line_mappings "sku:")
 *   5. the catalogue variant with this SKU
 * Within one source the lowest variant id wins, so the answer never depends on a plan.
 *
 * One statement for any number of lines: each source is read by its own index with the batch's
 * distinct keys as an array (`= ANY`), and the ranking happens here. The plan therefore holds on
 * tables PostgreSQL has no statistics for yet (a new shop's first burst), where a join against
 * the lines as a record set was planned as sequential scans repeated per line.
 */
export async function matchLineVariants(tx: Tx, shopId: string, lines: readonly LineIdentity[]): Promise<(string | null)[]> {
  const wanted = lines.filter((line) => line.carriesStock);
  if (wanted.length === 0) return lines.map(() => null);
  const distinct = (values: (string | null | undefined)[]) => [...new Set(values.filter((value): value is string => Boolean(value)))];
  const refs = distinct(wanted.map((line) => line.channelVariantRef));
  const skus = distinct(wanted.map((line) => line.sku));
  const channels = distinct(wanted.map((line) => line.channel));
  const shopifyRefs = distinct(wanted.filter((line) => line.channel === "shopify").map((line) => line.channelVariantRef));
  const mappingKeys = [...refs.map((ref) => `ref:${ref}`), ...skus.map((sku) => `sku:${sku}`)];
  const result = await executePrepared<MatchCandidate>(tx, sql`
    SELECT CASE WHEN left(m.match_key, 4) = 'ref:' THEN 1 ELSE 4 END AS rank, m.channel, substr(m.match_key, 5) AS key, m.variant_id
      FROM line_mappings m
     WHERE m.shop_id = ${shopId}::uuid AND m.channel = ANY(${sql.param(channels)}::text[]) AND m.match_key = ANY(${sql.param(mappingKeys)}::text[])
    UNION ALL
    SELECT 2, cc.channel, cl.external_variant_ref, cl.variant_id
      FROM channel_listings cl JOIN channel_connections cc ON cc.id = cl.connection_id
     WHERE cl.shop_id = ${shopId}::uuid AND cl.external_variant_ref = ANY(${sql.param(refs)}::text[])
    UNION ALL
    SELECT 3, 'shopify', v.external_id, v.id
      FROM variants v
     WHERE v.shop_id = ${shopId}::uuid AND v.external_id = ANY(${sql.param(shopifyRefs)}::text[])
    UNION ALL
    SELECT 5, NULL, v.sku, v.id
      FROM variants v
     WHERE v.shop_id = ${shopId}::uuid AND v.sku = ANY(${sql.param(skus)}::text[])`);
  return rankLineVariants(lines, result.rows);
}

/** The best candidate per line (lowest rank, then lowest variant id); pure, so it is tested on its own. */
export function rankLineVariants(lines: readonly LineIdentity[], candidates: readonly MatchCandidate[]): (string | null)[] {
  const best = new Map<string, MatchCandidate>();
  for (const candidate of candidates) {
    const slot = `${candidate.rank}\u0000${candidate.channel ?? ""}\u0000${candidate.key}`;
    const held = best.get(slot);
    if (!held || candidate.variant_id < held.variant_id) best.set(slot, candidate);
  }
  const at = (rank: number, channel: string | null, key: string | null | undefined) => (key ? best.get(`${rank}\u0000${channel ?? ""}\u0000${key}`)?.variant_id : undefined);
  return lines.map((line) => {
    if (!line.carriesStock) return null;
    const ref = line.channelVariantRef;
    return (
      at(1, line.channel, ref) ??
      at(2, line.channel, ref) ??
      (line.channel === "shopify" ? at(3, "shopify", ref) : undefined) ??
      at(4, line.channel, line.sku) ??
      at(5, null, line.sku) ??
      null
    );
  });
}

/** The key a merchant's mapping of a line is remembered under; null when the line has no identity. */
export function lineMatchKey(line: { channelVariantRef?: string | null; sku?: string | null }): string | null {
  if (line.channelVariantRef) return `ref:${line.channelVariantRef}`;
  if (line.sku) return `sku:${line.sku}`;
  return null;
}
