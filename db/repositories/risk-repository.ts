import { sql } from "drizzle-orm";
import { assessRiskRules, type RiskFinding, type RiskRuleSettings } from "../../core/orders/risk-rules";
import type { FinancialStatus } from "../../core/orders/unified-order";
import type { PostalAddress } from "../../core/orders/unified-order";
import type { Tx } from "../client";

/**
 * Gathers what the risk rules need about one order (the customer's history and recent orders
 * from the same email or address, all in one statement) and applies them. Each count is a range
 * of an index (migration 0017: lower(customer_email), order_ship_to_key(shipping_address)), so
 * the check costs the same at the millionth order as at the first. A person who
 * released a hold on this order has reviewed it: the rules do not hold it again.
 */
export async function assessOrderRisk(
  tx: Tx,
  order: {
    id: string;
    shopId: string;
    currency: string;
    totalMinor: number;
    financialStatus: string;
    customerEmail: string | null;
    shippingAddress: PostalAddress | null;
    billingAddress: PostalAddress | null;
    placedAt: Date;
  },
  settings: RiskRuleSettings,
): Promise<RiskFinding[]> {
  const address = order.shippingAddress
    ? `${order.shippingAddress.line1}|${order.shippingAddress.postalCode ?? ""}|${order.shippingAddress.countryCode}`.toLowerCase()
    : null;
  const windowStart = new Date(order.placedAt.getTime() - settings.velocity.windowHours * 3_600_000);
  // The shop is compared as text on purpose: every other index of orders starts with shop_id, and
  // for a shop newer than the table's statistics the planner thinks any of them finds "one row",
  // then reads the shop's whole sale through it. As text, only the email and street indexes
  // (migration 0017) apply, and each count reads just that customer's or street's orders.
  const shopText = sql`${order.shopId}::text`;
  const result = await tx.execute<{ reviewed: boolean; prior_orders: string; prior_average: string | null; by_email: string; by_address: string }>(sql`
    SELECT
      EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = ${order.id}::uuid AND e.kind = 'release_hold') AS reviewed,
      (SELECT count(*) FROM orders p WHERE p.shop_id::text = ${shopText} AND p.id <> ${order.id}::uuid
          AND ${order.customerEmail}::text IS NOT NULL AND lower(p.customer_email) = lower(${order.customerEmail}::text)
          AND p.currency = ${order.currency} AND p.placed_at < ${order.placedAt.toISOString()}::timestamptz AND p.status <> 'cancelled') AS prior_orders,
      (SELECT avg(p.total_minor) FROM orders p WHERE p.shop_id::text = ${shopText} AND p.id <> ${order.id}::uuid
          AND ${order.customerEmail}::text IS NOT NULL AND lower(p.customer_email) = lower(${order.customerEmail}::text)
          AND p.currency = ${order.currency} AND p.placed_at < ${order.placedAt.toISOString()}::timestamptz AND p.status <> 'cancelled') AS prior_average,
      (SELECT count(*) FROM orders p WHERE p.shop_id::text = ${shopText}
          AND ${order.customerEmail}::text IS NOT NULL AND lower(p.customer_email) = lower(${order.customerEmail}::text)
          AND p.placed_at > ${windowStart.toISOString()}::timestamptz AND p.placed_at <= ${order.placedAt.toISOString()}::timestamptz) AS by_email,
      (SELECT count(*) FROM orders p WHERE p.shop_id::text = ${shopText} AND ${address}::text IS NOT NULL
          AND order_ship_to_key(p.shipping_address) = ${address}::text
          AND p.placed_at > ${windowStart.toISOString()}::timestamptz AND p.placed_at <= ${order.placedAt.toISOString()}::timestamptz) AS by_address`);
  const row = result.rows[0]!;
  if (row.reviewed) return [];
  return assessRiskRules(
    {
      totalMinor: order.totalMinor,
      currency: order.currency,
      financialStatus: order.financialStatus as FinancialStatus,
      ...(order.billingAddress ? { billingCountry: order.billingAddress.countryCode } : {}),
      ...(order.shippingAddress ? { shippingCountry: order.shippingAddress.countryCode } : {}),
      priorOrders: Number(row.prior_orders),
      priorAverageMinor: row.prior_average === null ? 0 : Number(row.prior_average),
      ordersWithEmailInWindow: Number(row.by_email),
      ordersToAddressInWindow: Number(row.by_address),
    },
    settings,
  );
}
