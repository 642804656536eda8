import { sql, type SQL } from "drizzle-orm";

/**
 * The variant an order line is for, as a scalar subquery over SQL expressions of the line's
 * shop, channel, channelVariantRef and SKU, so an insert of many lines resolves them all in
 * one statement. Channel identity first (it survives SKU edits and blank SKUs), then the SKU:
 *   1. a mapping the merchant made for this channel identity (line_mappings "ref:")
 *   2. the channel's listing that carries this identity (channel_listings.external_variant_ref)
 *   3. for Shopify, the home catalogue: the variant imported from that ProductVariant GID
 *   4. a mapping the merchant made for this SKU (line_mappings "sku:")
 *   5. the catalogue variant with this SKU
 * Null when nothing matches: the line is kept unmatched for the merchant to map.
 */
export function lineVariantMatch(e: { shopId: SQL; channel: SQL; ref: SQL; sku: SQL }): SQL {
  return sql`(
    SELECT c.variant_id FROM (
      SELECT m.variant_id, 1 AS rank FROM line_mappings m
       WHERE m.shop_id = ${e.shopId} AND m.channel = ${e.channel} AND m.match_key = 'ref:' || ${e.ref}
      UNION ALL
      SELECT cl.variant_id, 2 FROM channel_listings cl JOIN channel_connections cc ON cc.id = cl.connection_id
       WHERE cl.shop_id = ${e.shopId} AND cl.external_variant_ref = ${e.ref} AND cc.channel = ${e.channel}
      UNION ALL
      SELECT v.id, 3 FROM variants v
       WHERE ${e.channel} = 'shopify' AND v.shop_id = ${e.shopId} AND v.external_id = ${e.ref}
      UNION ALL
      SELECT m.variant_id, 4 FROM line_mappings m
       WHERE m.shop_id = ${e.shopId} AND m.channel = ${e.channel} AND m.match_key = 'sku:' || ${e.sku}
      UNION ALL
      SELECT v.id, 5 FROM variants v WHERE v.shop_id = ${e.shopId} AND v.sku = ${e.sku}
    ) c ORDER BY c.rank, c.variant_id LIMIT 1)`;
}

/** The key a merchant's mapping of a line is remembered under; null when the line has no identity. */
export function lineMatchKey(line: { channelVariantRef?: string | null; sku?: string | null }): string | null {
  if (line.channelVariantRef) return `ref:${line.channelVariantRef}`;
  if (line.sku) return `sku:${line.sku}`;
  return null;
}
