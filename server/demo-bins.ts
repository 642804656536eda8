import { sql } from "drizzle-orm";
import type { Database } from "../db/client";

/**
 * Gives the demo shop's stock a place on the shelves, so its pick lists walk real bins: aisle
 * A–F from the SKU, bay and shelf from a hash of it. Only levels without a bin are touched, so
 * bins a person set survive a restart.
 */
export async function assignDemoBins(db: Database, shopId: string): Promise<void> {
  await db.execute(sql`
    UPDATE inventory_levels AS l
       SET bin = chr(65 + abs(hashtext(v.sku)) % 6) || '-' || lpad((1 + abs(hashtext(v.sku || 'bay')) % 24)::text, 2, '0') || '-' || (1 + abs(hashtext(v.sku || 'shelf')) % 5)::text
      FROM variants v
     WHERE v.id = l.variant_id AND l.shop_id = ${shopId} AND l.bin IS NULL`);
}
