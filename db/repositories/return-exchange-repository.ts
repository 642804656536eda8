import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Policies } from "../../core/config/default-policies";
import { exchangeOrderExternalId } from "../../core/returns/exchange-order";
import { unifiedOrderSchema, type UnifiedOrder } from "../../core/orders/unified-order";
import type { Database } from "../client";
import { orders, returnLines, returns, variants } from "../schema";
import { ingestOrder } from "./order-ingest-repository";
import { appendReturnEvents } from "./return-request-repository";

/**
 * Creates (once) the order that ships an exchange's new items, through the same ingest path as
 * every order so it is reserved, routed and shipped like one. Its external id is derived from
 * the return, so running this again finds the same order instead of making a second one.
 */
export async function createExchangeOrder(
  db: Database,
  input: { shopId: string; returnId: string },
  policies?: Policies,
): Promise<{ orderId: string; created: boolean } | { skipped: string }> {
  const [rma] = await db
    .select({ id: returns.id, rmaNumber: returns.rmaNumber, resolution: returns.resolution, orderId: returns.orderId, exchangeOrderId: returns.exchangeOrderId, status: returns.status })
    .from(returns)
    .where(and(eq(returns.shopId, input.shopId), eq(returns.id, input.returnId)));
  if (!rma) return { skipped: "return not found" };
  if (rma.resolution !== "exchange") return { skipped: "not an exchange" };
  if (rma.status === "declined" || rma.status === "cancelled") return { skipped: `return is ${rma.status}` };
  if (rma.exchangeOrderId) return { orderId: rma.exchangeOrderId, created: false };

  const [original] = await db.select().from(orders).where(eq(orders.id, rma.orderId));
  if (!original) return { skipped: "original order not found" };
  const lines = await db
    .select({ id: returnLines.id, quantity: returnLines.quantity, sku: variants.sku, title: variants.title })
    .from(returnLines)
    .innerJoin(variants, eq(variants.id, returnLines.exchangeVariantId))
    .where(and(eq(returnLines.returnId, rma.id), isNotNull(returnLines.exchangeVariantId)))
    .orderBy(asc(returnLines.id));
  if (lines.length === 0) return { skipped: "no exchange lines" };

  const now = new Date();
  const order: UnifiedOrder = unifiedOrderSchema.parse({
    channel: original.channel,
    externalId: exchangeOrderExternalId(rma.id),
    number: `${rma.rmaNumber}-X`,
    placedAt: now,
    sourceUpdatedAt: now,
    currency: original.currency,
    financialStatus: "paid",
    customer: {
      ...(original.customerEmail ? { email: original.customerEmail } : {}),
      ...(original.customerName ? { name: original.customerName } : {}),
      ...(original.customerPhone ? { phone: original.customerPhone } : {}),
    },
    ...(original.shippingAddress ? { shippingAddress: original.shippingAddress } : {}),
    lines: lines.map((line) => ({ externalLineId: line.id, sku: line.sku, title: line.title, quantity: line.quantity, unitPriceMinor: 0 })),
    subtotalMinor: 0,
    totalMinor: 0,
    tags: ["exchange", rma.rmaNumber],
    note: `Exchange for return ${rma.rmaNumber} of order ${original.number}`,
  });
  const result = await ingestOrder(db, { shopId: input.shopId, order, actor: `system:returns` }, policies);
  await db.transaction(async (tx) => {
    await tx.update(returns).set({ exchangeOrderId: result.orderId }).where(eq(returns.id, rma.id));
    if (result.outcome === "created") {
      await appendReturnEvents(tx, input.shopId, rma.id, [
        { kind: "exchange_order", message: `Exchange order ${order.number} created (${result.status})`, actor: "system:returns", data: { orderId: result.orderId } },
      ]);
    }
  });
  return { orderId: result.orderId, created: result.outcome === "created" };
}
