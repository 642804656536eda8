import { and, asc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { orderStatusSchema, type OrderStatus } from "../../core/orders/order-status";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, Tx } from "../client";
import { exceptions, lineMappings, orderLines, orders, products, variants } from "../schema";
import { lineMatchKey } from "./line-variant-match";
import { appendTimeline } from "./order-timeline-repository";
import { topUpReservation } from "./reservation-top-up-repository";
import { lockLevels } from "./stock-ledger-repository";

/**
 * Unmatched lines (a line whose channel identity and SKU matched no variant) are mapped by the
 * merchant, from the order page or the variant's inventory page. A mapping is remembered in
 * line_mappings under the line's identity (see line-variant-match.ts), so later orders match at
 * once, and it is applied to every open order still waiting on that identity when asked: the
 * line gets its variant and the order's reservation is topped up through the ledger, in one
 * transaction with the timeline, the exception and the stock-sync signal.
 */

/** Orders whose stock can still be held: nothing has left, nothing is cancelled. */
export const MAPPABLE_ORDER_STATUSES: readonly OrderStatus[] = ["received", "on_hold", "backordered", "reserved", "allocated", "ready_for_pickup"];

export type LineMappingRefusal =
  | "line_not_found"
  | "line_already_matched"
  | "line_holds_no_stock"
  | "order_not_open"
  | "variant_not_found"
  | "identity_mapped_elsewhere";

export interface IdentityKey {
  channel: string;
  /** "ref:<channel variant ref>" or "sku:<sku>", as line_mappings stores it. */
  matchKey: string;
}

export interface MappedOrder {
  orderId: string;
  number: string;
  lines: number;
  reserved: number;
  shortfall: number;
  status: OrderStatus;
}

export interface MappingOutcome {
  variantId: string;
  sku: string;
  /** The identity remembered for later orders; null when the line carried none (no SKU, no channel id). */
  remembered: IdentityKey | null;
  orders: MappedOrder[];
}

/** The SQL condition for "this unmatched line carries that identity", mirroring line-variant-match.ts. */
function carriesIdentity(key: IdentityKey): SQL {
  const value = key.matchKey.slice(4);
  return key.matchKey.startsWith("ref:") ? eq(orderLines.channelVariantRef, value) : eq(orderLines.sku, value);
}

/** Unmatched stock lines of open orders carrying this identity (any number of orders). */
export async function waitingLinesFor(db: Database | Tx, shopId: string, key: IdentityKey): Promise<{ lineId: string; orderId: string; number: string }[]> {
  return db
    .select({ lineId: orderLines.id, orderId: orderLines.orderId, number: orders.number })
    .from(orderLines)
    .innerJoin(orders, eq(orders.id, orderLines.orderId))
    .where(
      and(
        eq(orderLines.shopId, shopId),
        isNull(orderLines.variantId),
        eq(orderLines.carriesStock, true),
        sql`${orderLines.quantity} > ${orderLines.fulfilledQuantity}`,
        carriesIdentity(key),
        eq(orders.channel, key.channel),
        inArray(orders.status, [...MAPPABLE_ORDER_STATUSES]),
      ),
    )
    .orderBy(asc(orders.placedAt), asc(orders.id));
}

async function variantOfShop(db: Database | Tx, shopId: string, variantId: string) {
  const [variant] = await db
    .select({ id: variants.id, sku: variants.sku, title: variants.title, productTitle: products.title })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(and(eq(variants.shopId, shopId), eq(variants.id, variantId)));
  return variant;
}

/**
 * The merchant maps one unmatched line of an order to a variant. The line's identity is
 * remembered; with `alsoOtherOrders`, every other open order waiting on the same identity is
 * matched and reserved too (the order page says how many before the merchant confirms).
 */
export async function mapUnmatchedLine(
  db: Database,
  input: { shopId: string; orderId: string; lineId: string; variantId: string; actor: string; alsoOtherOrders: boolean },
): Promise<Result<MappingOutcome, LineMappingRefusal>> {
  return db.transaction(async (tx) => {
    const [line] = await tx
      .select({
        id: orderLines.id,
        variantId: orderLines.variantId,
        carriesStock: orderLines.carriesStock,
        sku: orderLines.sku,
        channelVariantRef: orderLines.channelVariantRef,
        channel: orders.channel,
        status: orders.status,
      })
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(and(eq(orderLines.shopId, input.shopId), eq(orderLines.orderId, input.orderId), eq(orderLines.id, input.lineId)));
    if (!line) return err("line_not_found");
    if (!line.carriesStock) return err("line_holds_no_stock", "this line holds no stock (gift card, no shipping or custom item)");
    if (line.variantId !== null) return err("line_already_matched");
    if (!MAPPABLE_ORDER_STATUSES.includes(line.status as OrderStatus)) return err("order_not_open", `the order is ${line.status}`);
    const variant = await variantOfShop(tx, input.shopId, input.variantId);
    if (!variant) return err("variant_not_found");

    const matchKey = lineMatchKey(line);
    const remembered = matchKey ? { channel: line.channel, matchKey } : null;
    const others = remembered && input.alsoOtherOrders ? await waitingLinesFor(tx, input.shopId, remembered) : [];
    const lineIds = [...new Set([input.lineId, ...others.map((other) => other.lineId)])];
    const locked = await lockOrders(tx, input.shopId, [input.orderId, ...others.map((other) => other.orderId)]);
    // Checked again under the lock, before anything is written: another request may have won.
    const [current] = await tx.select({ variantId: orderLines.variantId }).from(orderLines).where(eq(orderLines.id, input.lineId));
    if (current?.variantId !== null) return err("line_already_matched");
    const self = locked.find((order) => order.id === input.orderId);
    if (!self || !MAPPABLE_ORDER_STATUSES.includes(self.status as OrderStatus)) return err("order_not_open", `the order is ${self?.status ?? "gone"}`);
    if (remembered) {
      // The merchant's latest choice for an identity wins: a wrong mapping is corrected by mapping again.
      await tx
        .insert(lineMappings)
        .values({ shopId: input.shopId, channel: remembered.channel, matchKey: remembered.matchKey, variantId: variant.id, createdBy: input.actor })
        .onConflictDoUpdate({
          target: [lineMappings.shopId, lineMappings.channel, lineMappings.matchKey],
          set: { variantId: variant.id, createdBy: input.actor, createdAt: sql`now()` },
        });
    }
    const mapped = await applyVariantToLines(tx, { shopId: input.shopId, variant, lineIds, locked, actor: input.actor, remembered });
    return ok({ variantId: variant.id, sku: variant.sku, remembered, orders: mapped });
  });
}

/**
 * The merchant adds a channel identity or SKU alias to a variant from its inventory page: it is
 * remembered for later orders and applied at once to every open order waiting on it. An
 * identity already mapped to another variant is refused (it is changed from the order page,
 * or removed here first), so one alias never silently moves between variants.
 */
export async function addLineMapping(
  db: Database,
  input: { shopId: string; variantId: string; key: IdentityKey; actor: string },
): Promise<Result<MappingOutcome & { created: boolean }, LineMappingRefusal>> {
  return db.transaction(async (tx) => {
    const variant = await variantOfShop(tx, input.shopId, input.variantId);
    if (!variant) return err("variant_not_found");
    // Orders first, then the mapping row: the lock order mapUnmatchedLine keeps too.
    const waiting = await waitingLinesFor(tx, input.shopId, input.key);
    const locked = await lockOrders(tx, input.shopId, waiting.map((line) => line.orderId));
    const [existing] = await tx
      .select({ variantId: lineMappings.variantId, sku: variants.sku })
      .from(lineMappings)
      .innerJoin(variants, eq(variants.id, lineMappings.variantId))
      .where(and(eq(lineMappings.shopId, input.shopId), eq(lineMappings.channel, input.key.channel), eq(lineMappings.matchKey, input.key.matchKey)))
      .for("update", { of: lineMappings });
    if (existing && existing.variantId !== variant.id) return err("identity_mapped_elsewhere", `already mapped to ${existing.sku}`);
    const inserted = existing
      ? []
      : await tx
          .insert(lineMappings)
          .values({ shopId: input.shopId, channel: input.key.channel, matchKey: input.key.matchKey, variantId: variant.id, createdBy: input.actor })
          .onConflictDoNothing({ target: [lineMappings.shopId, lineMappings.channel, lineMappings.matchKey] })
          .returning({ id: lineMappings.id });
    const mapped = await applyVariantToLines(tx, {
      shopId: input.shopId,
      variant,
      lineIds: waiting.map((line) => line.lineId),
      locked,
      actor: input.actor,
      remembered: input.key,
    });
    return ok({ variantId: variant.id, sku: variant.sku, remembered: input.key, orders: mapped, created: inserted.length > 0 });
  });
}

export async function removeLineMapping(db: Database, input: { shopId: string; variantId: string; mappingId: string }): Promise<boolean> {
  const removed = await db
    .delete(lineMappings)
    .where(and(eq(lineMappings.shopId, input.shopId), eq(lineMappings.variantId, input.variantId), eq(lineMappings.id, input.mappingId)))
    .returning({ id: lineMappings.id });
  return removed.length > 0;
}

export async function listLineMappings(db: Database | Tx, shopId: string, variantId: string) {
  return db
    .select({ id: lineMappings.id, channel: lineMappings.channel, matchKey: lineMappings.matchKey, createdBy: lineMappings.createdBy, createdAt: lineMappings.createdAt })
    .from(lineMappings)
    .where(and(eq(lineMappings.shopId, shopId), eq(lineMappings.variantId, variantId)))
    .orderBy(asc(lineMappings.channel), asc(lineMappings.matchKey));
}

/** Locks the orders in id order, the one order every writer takes them in (docs/adr/0003). */
async function lockOrders(tx: Tx, shopId: string, orderIds: readonly string[]) {
  if (orderIds.length === 0) return [];
  return tx
    .select({ id: orders.id, number: orders.number, status: orders.status })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), inArray(orders.id, [...new Set(orderIds)])))
    .orderBy(asc(orders.id))
    .for("update");
}

/**
 * Gives the lines their variant and tops up each order's reservation. The caller holds the
 * orders' locks (taken in id order); every inventory level their lines can touch is then
 * locked in one id-ordered lock before any reservation decides.
 */
async function applyVariantToLines(
  tx: Tx,
  input: {
    shopId: string;
    variant: { id: string; sku: string };
    lineIds: readonly string[];
    locked: readonly { id: string; number: string; status: string }[];
    actor: string;
    remembered: IdentityKey | null;
  },
): Promise<MappedOrder[]> {
  if (input.lineIds.length === 0) return [];
  const locked = input.locked;
  const open = locked.filter((order) => MAPPABLE_ORDER_STATUSES.includes(order.status as OrderStatus));
  if (open.length === 0) return [];
  // Under the order locks: a line another request mapped meanwhile keeps its variant.
  const matched = await tx
    .update(orderLines)
    .set({ variantId: input.variant.id })
    .where(
      and(
        inArray(orderLines.id, [...input.lineIds]),
        inArray(orderLines.orderId, open.map((order) => order.id)),
        isNull(orderLines.variantId),
        eq(orderLines.carriesStock, true),
      ),
    )
    .returning({ id: orderLines.id, orderId: orderLines.orderId, title: orderLines.title });
  if (matched.length === 0) return [];

  const touched = open.filter((order) => matched.some((line) => line.orderId === order.id));
  const variantRows = await tx
    .selectDistinct({ variantId: orderLines.variantId })
    .from(orderLines)
    .where(and(inArray(orderLines.orderId, touched.map((order) => order.id)), sql`${orderLines.variantId} IS NOT NULL`));
  await lockLevels(tx, input.shopId, [input.variant.id, ...variantRows.map((row) => row.variantId!)]);

  const result: MappedOrder[] = [];
  for (const order of touched) {
    const lines = matched.filter((line) => line.orderId === order.id);
    await appendTimeline(tx, input.shopId, order.id, [
      {
        kind: "line_mapped",
        message: `${lines.map((line) => `"${line.title}"`).join(", ")} mapped to ${input.variant.sku}${
          input.remembered ? `; later ${input.remembered.channel} orders with ${describeKey(input.remembered)} match it at once` : ""
        }`,
        actor: input.actor,
        data: { variantId: input.variant.id, lineIds: lines.map((line) => line.id), mapping: input.remembered },
      },
    ]);
    const status = orderStatusSchema.parse(order.status);
    const topUp = await topUpReservation(tx, { shopId: input.shopId, orderId: order.id, status, actor: input.actor });
    await resolveUnmatchedIfClear(tx, input.shopId, order.id, input.actor);
    result.push({ orderId: order.id, number: order.number, lines: lines.length, reserved: topUp.reserved, shortfall: topUp.shortfall, status: topUp.status });
  }
  return result;
}

/** "variant gid://shopify/ProductVariant/1" or "SKU TEE-1": how a person reads an identity. */
export function describeKey(key: IdentityKey): string {
  return key.matchKey.startsWith("ref:") ? `channel id ${key.matchKey.slice(4)}` : `SKU ${key.matchKey.slice(4)}`;
}

/**
 * Closes the order's unmatched-line exception once no stock-carrying line of it waits for a
 * variant any more (all mapped, or removed by an edit).
 */
export async function resolveUnmatchedIfClear(tx: Tx, shopId: string, orderId: string, actor: string): Promise<boolean> {
  const [waiting] = await tx
    .select({ id: orderLines.id })
    .from(orderLines)
    .where(
      and(
        eq(orderLines.orderId, orderId),
        isNull(orderLines.variantId),
        eq(orderLines.carriesStock, true),
        sql`${orderLines.quantity} > ${orderLines.fulfilledQuantity}`,
      ),
    )
    .limit(1);
  if (waiting) return false;
  const resolved = await tx
    .update(exceptions)
    .set({ status: "resolved", resolvedAt: sql`now()`, resolvedBy: actor })
    .where(and(eq(exceptions.shopId, shopId), eq(exceptions.orderId, orderId), eq(exceptions.kind, "unknown_sku"), eq(exceptions.status, "open")))
    .returning({ id: exceptions.id });
  if (resolved.length > 0) {
    await appendTimeline(tx, shopId, orderId, [
      { kind: "exception_resolved", message: "Every line is matched to a variant", actor, data: { exceptionIds: resolved.map((row) => row.id) } },
    ]);
  }
  return resolved.length > 0;
}
