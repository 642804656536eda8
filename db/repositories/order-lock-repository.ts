import { sql } from "drizzle-orm";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Tx } from "../client";
import { lineVariantMatch } from "./line-variant-match";

/** An order a transaction is about to write: by its channel key, with the lines the channel sent (if any). */
export interface OrderLockScope {
  channel: string;
  externalId: string;
  lines: readonly Pick<UnifiedOrderLine, "sku" | "channelVariantRef" | "carriesStock">[];
}

/**
 * Takes, up front and in the one lock order of docs/adr/0003, every lock a transaction that
 * writes several orders in turn can need: the orders it already holds (one statement, id
 * order), then every inventory level of every variant those orders hold or the channel's lines
 * match (one statement, id order). The writes that follow (createOrders, the update and edit
 * handlers one by one) then lock only rows already held, so they cannot wait crosswise with
 * routing, an edit or another batch, which lock an order, then its levels. Orders not held yet
 * are only created later; their levels are in the set through their lines.
 */
export async function lockOrdersAndLevels(tx: Tx, shopId: string, scopes: readonly OrderLockScope[]): Promise<void> {
  if (scopes.length === 0) return;
  const keys = JSON.stringify(scopes.map((scope) => ({ channel: scope.channel, external_id: scope.externalId })));
  const held = await tx.execute<{ id: string }>(sql`
    SELECT o.id FROM orders o
      JOIN jsonb_to_recordset(${keys}::jsonb) AS k(channel text, external_id text)
        ON o.shop_id = ${shopId}::uuid AND o.channel = k.channel AND o.external_id = k.external_id
     ORDER BY o.id
       FOR UPDATE OF o`);
  const orderIds = JSON.stringify(held.rows.map((row) => row.id));
  const lines = JSON.stringify(
    scopes.flatMap((scope) =>
      scope.lines.filter((line) => line.carriesStock).map((line) => ({ channel: scope.channel, channel_variant_ref: line.channelVariantRef ?? null, sku: line.sku ?? null })),
    ),
  );
  const match = lineVariantMatch({ shopId: sql`${shopId}::uuid`, channel: sql`n.channel`, ref: sql`n.channel_variant_ref`, sku: sql`n.sku` });
  await tx.execute(sql`
    SELECT l.id FROM inventory_levels l
     WHERE l.shop_id = ${shopId}::uuid
       AND l.variant_id IN (
             SELECT ol.variant_id FROM order_lines ol
              WHERE ol.order_id IN (SELECT x::uuid FROM jsonb_array_elements_text(${orderIds}::jsonb) x)
             UNION
             SELECT a.variant_id FROM allocations a
              WHERE a.order_id IN (SELECT x::uuid FROM jsonb_array_elements_text(${orderIds}::jsonb) x) AND a.status = 'reserved'
             UNION
             SELECT ${match} FROM jsonb_to_recordset(${lines}::jsonb) AS n(channel text, channel_variant_ref text, sku text))
     ORDER BY l.id
       FOR UPDATE`);
}
