import { and, desc, eq, like, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { allocations, orders } from "../schema";

/**
 * What the demo's customer-account extension harness shows: Shopify orders placed by a customer
 * with a Shopify customer id (the only orders a customer account can see) that have shipped
 * units, newest first, so a return can be started on them.
 */
export interface CustomerAccountOrder {
  orderGid: string;
  number: string;
  customerGid: string;
  customerName: string | null;
  placedAt: Date;
}

const CUSTOMER_GID_PREFIX = "gid://shopify/Customer/";

export async function customerAccountOrders(db: DbOrTx, shopId: string, limit = 10): Promise<CustomerAccountOrder[]> {
  const rows = await db
    .select({
      orderGid: orders.externalId,
      number: orders.number,
      customerGid: orders.customerExternalId,
      customerName: orders.customerName,
      placedAt: orders.placedAt,
    })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        eq(orders.channel, "shopify"),
        like(orders.customerExternalId, `${CUSTOMER_GID_PREFIX}%`),
        sql`exists (select 1 from ${allocations} a where a.order_id = ${orders.id} and a.status = 'shipped')`,
      ),
    )
    .orderBy(desc(orders.placedAt))
    .limit(limit);
  return rows.map((row) => ({ ...row, customerGid: row.customerGid! }));
}

/** The Shopify customer who placed this Shopify order, or null for no such order or a guest. */
export async function customerOfShopifyOrder(db: DbOrTx, shopId: string, orderGid: string): Promise<string | null> {
  const [row] = await db
    .select({ customerGid: orders.customerExternalId })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, "shopify"), eq(orders.externalId, orderGid)))
    .limit(1);
  return row?.customerGid?.startsWith(CUSTOMER_GID_PREFIX) ? row.customerGid : null;
}
