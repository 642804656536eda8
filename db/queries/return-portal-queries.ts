import { and, asc, desc, eq, inArray, or, sql } from "drizzle-orm";
import { RMA_ACTIVE_STATUSES } from "../../core/returns/rma-state-machine";
import type { DbOrTx } from "../client";
import { inventoryLevels, locations, orderLines, orders, returns, shops, variants } from "../schema";

/**
 * What a customer sees of their own order when asking for a return: the lines they can send
 * back (delivered minus already returning), what each could be exchanged for, and the returns
 * already made. Read by the storefront portal and the customer-account extension alike.
 */

export async function shopByDomain(db: DbOrTx, domain: string): Promise<{ id: string; name: string } | null> {
  const [shop] = await db.select({ id: shops.id, name: shops.name }).from(shops).where(eq(shops.domain, domain.toLowerCase()));
  return shop ?? null;
}

/** Guests identify an order by its number and the email it was placed with; both must match. */
export async function findOrderForGuest(db: DbOrTx, shopId: string, number: string, email: string): Promise<string | null> {
  const bare = number.trim().replace(/^#/, "");
  const [order] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        or(eq(orders.number, bare), eq(orders.number, `#${bare}`)),
        sql`lower(${orders.customerEmail}) = ${email.trim().toLowerCase()}`,
      ),
    )
    .limit(1);
  return order?.id ?? null;
}

/** A Shopify order by its GID, only when it belongs to this customer. */
export async function findOrderForCustomer(db: DbOrTx, shopId: string, orderGid: string, customerGid: string): Promise<string | null> {
  const [order] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, "shopify"), eq(orders.externalId, orderGid), eq(orders.customerExternalId, customerGid)));
  return order?.id ?? null;
}

export interface ReturnableLine {
  id: string;
  title: string;
  sku: string | null;
  unitNetMinor: number;
  returnable: number;
  exchangeOptions: { variantId: string; title: string; sku: string; available: number }[];
}

export interface CustomerReturnSummary {
  id: string;
  rmaNumber: string;
  status: string;
  resolution: string;
  payoutMinor: number;
  labelUrl: string | null;
  trackingNumber: string | null;
  /** The carrier's tracking page for the return label, once bought. */
  trackingUrl: string | null;
  carrier: string | null;
  explanation: string[];
}

export interface CustomerOrderReturnView {
  orderId: string;
  number: string;
  currency: string;
  lines: ReturnableLine[];
  returns: CustomerReturnSummary[];
}

export async function customerOrderReturnView(db: DbOrTx, shopId: string, orderId: string): Promise<CustomerOrderReturnView | null> {
  const [order] = await db
    .select({ id: orders.id, number: orders.number, currency: orders.currency })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.id, orderId)));
  if (!order) return null;
  const active = sql.join(RMA_ACTIVE_STATUSES.map((s) => sql`${s}`), sql`, `);
  const lines = await db
    .select({
      id: orderLines.id,
      title: orderLines.title,
      sku: orderLines.sku,
      quantity: orderLines.quantity,
      unitPriceMinor: orderLines.unitPriceMinor,
      discountMinor: orderLines.discountMinor,
      productId: variants.productId,
      variantId: orderLines.variantId,
      delivered: sql<number>`coalesce((SELECT sum(a.quantity) FROM allocations a WHERE a.order_line_id = ${orderLines.id} AND a.status = 'shipped'), 0)::int`,
      returning: sql<number>`coalesce((SELECT sum(rl.quantity) FROM return_lines rl JOIN returns r ON r.id = rl.return_id WHERE rl.order_line_id = ${orderLines.id} AND r.status IN (${active})), 0)::int`,
    })
    .from(orderLines)
    .leftJoin(variants, eq(variants.id, orderLines.variantId))
    .where(eq(orderLines.orderId, order.id))
    .orderBy(asc(orderLines.id));

  const productIds = [...new Set(lines.map((l) => l.productId).filter((id): id is string => Boolean(id)))];
  const siblings =
    productIds.length === 0
      ? []
      : await db
          .select({
            productId: variants.productId,
            variantId: variants.id,
            title: variants.title,
            sku: variants.sku,
            available: sql<number>`coalesce((SELECT sum(greatest(l.on_hand - l.reserved - l.safety_stock, 0)) FROM ${inventoryLevels} l JOIN ${locations} loc ON loc.id = l.location_id
              WHERE l.variant_id = "variants"."id" AND loc.active AND loc.can_ship), 0)::int`,
          })
          .from(variants)
          .where(and(eq(variants.shopId, shopId), inArray(variants.productId, productIds)))
          .orderBy(asc(variants.title))
          .limit(500);

  const rmas = await db
    .select({
      id: returns.id,
      rmaNumber: returns.rmaNumber,
      status: returns.status,
      resolution: returns.resolution,
      payoutMinor: returns.payoutMinor,
      labelUrl: returns.labelUrl,
      trackingNumber: returns.trackingNumber,
      trackingUrl: returns.trackingUrl,
      carrier: returns.carrier,
      explanation: returns.explanation,
    })
    .from(returns)
    .where(eq(returns.orderId, order.id))
    .orderBy(desc(returns.requestedAt))
    .limit(50);

  return {
    orderId: order.id,
    number: order.number,
    currency: order.currency,
    lines: lines.map((line) => ({
      id: line.id,
      title: line.title,
      sku: line.sku,
      unitNetMinor: Math.max(0, line.unitPriceMinor - Math.floor(line.discountMinor / Math.max(1, line.quantity))),
      returnable: Math.max(0, line.delivered - line.returning),
      exchangeOptions: siblings
        .filter((s) => s.productId === line.productId && s.variantId !== line.variantId && s.available > 0)
        .map(({ variantId, title, sku, available }) => ({ variantId, title, sku, available })),
    })),
    returns: rmas,
  };
}


