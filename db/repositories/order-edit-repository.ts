import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { unmatchedLinesException } from "../../core/orders/order-intake";
import {
  describeOrderEdit,
  ORDER_EDIT_REFUSAL_MESSAGES,
  planOrderEdit,
  type LineQuantityChange,
  type LineRelease,
  type StoredEditLine,
} from "../../core/orders/order-edit";
import { transition } from "../../core/orders/order-state-machine";
import { orderStatusSchema, type OrderStatus } from "../../core/orders/order-status";
import type { UnifiedOrderLine } from "../../core/orders/unified-order";
import type { Policies } from "../../core/config/default-policies";
import type { Tx } from "../client";
import { allocations, exceptions, orderLines, orders } from "../schema";
import { resolveUnmatchedIfClear } from "./line-mapping-repository";
import { insertMatchedLines } from "./order-line-insert";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { topUpReservation } from "./reservation-top-up-repository";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

export type OrderEditOutcome =
  | { kind: "unchanged" }
  | { kind: "noted"; summary: string }
  | { kind: "refused"; reason: string }
  | { kind: "applied"; status: OrderStatus; released: number; reserved: number; shortfall: number; summary: string };

export interface OrderEditInput {
  shopId: string;
  orderId: string;
  channel: string;
  /** The lines as the channel now has them (quantities after edits: Shopify current_quantity). */
  lines: readonly UnifiedOrderLine[];
  actor: string;
  /** What the timeline and exception name as the source ("shopify orders/updated"). */
  source: string;
}

/**
 * Follows a channel's edit of an order's lines through the ledger, in the caller's transaction
 * (the delivery's): removed units are released (release movements, allocations split),
 * added units and new lines are reserved by topping the reservation up (reserve movements),
 * and the stock-sync dirty set is marked for every variant that moved. An edit the order can
 * no longer follow (cancelled, goods gone, labels bought for removed units) moves nothing and
 * becomes an order_edit_refused exception for a person.
 *
 * Locks: the order row, the allocations it releases, then every inventory level of its variants
 * in one id-ordered lock (docs/adr/0003) before any release or reservation.
 */
export async function applyOrderEdit(tx: Tx, input: OrderEditInput, policies?: Policies): Promise<OrderEditOutcome> {
  const [order] = await tx
    .select({ id: orders.id, status: orders.status })
    .from(orders)
    .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)))
    .for("update");
  if (!order) throw new Error(`order ${input.orderId} is not in shop ${input.shopId}`);
  const status = orderStatusSchema.parse(order.status);
  const stored = await storedEditLines(tx, input.orderId);
  const plan = planOrderEdit(status, stored, input.lines);
  if (plan.kind === "unchanged") return { kind: "unchanged" };

  const summary = describeOrderEdit(plan.changes, plan.kind === "noted" ? [] : plan.added);
  if (plan.kind === "noted") {
    await tx.execute(sql`
      UPDATE order_lines AS ol SET quantity = c.quantity
        FROM (VALUES ${quantityValues(plan.changes)}) AS c(id, quantity)
       WHERE ol.id = c.id`);
    await appendTimeline(tx, input.shopId, input.orderId, [
      {
        kind: "lines_reduced",
        message: `${input.source} lists fewer units (${summary}) on this ${status} order: a refund or return there; no stock was held for them, none moved (returns are received through Returns)`,
        actor: input.actor,
        data: { changes: plan.changes, status },
      },
    ]);
    return { kind: "noted", summary };
  }
  if (plan.kind === "refused") {
    // Every later orders/updated carries the same lines until someone acts: one open exception is enough.
    const [open] = await tx
      .select({ id: exceptions.id })
      .from(exceptions)
      .where(and(eq(exceptions.orderId, input.orderId), eq(exceptions.kind, "order_edit_refused"), eq(exceptions.status, "open")))
      .limit(1);
    if (open) return { kind: "refused", reason: plan.reason };
    const why = `${ORDER_EDIT_REFUSAL_MESSAGES[plan.reason]}${plan.line ? ` ("${plan.line}")` : ""}`;
    const message = `${input.source} edited the lines (${summary}) but ${why}: no stock was moved. Check the order with the customer and in the channel.`;
    await raiseExceptions(
      tx,
      input.shopId,
      [{ kind: "order_edit_refused", message, details: { reason: plan.reason, line: plan.line ?? null, changes: plan.changes, added: plan.added.map((l) => l.externalLineId), status } }],
      { orderId: input.orderId },
    );
    await appendTimeline(tx, input.shopId, input.orderId, [{ kind: "exception:order_edit_refused", message, actor: input.actor }]);
    return { kind: "refused", reason: plan.reason };
  }

  // The line rows follow the channel: new quantities, new lines (matched like at intake).
  if (plan.changes.length > 0) {
    await tx.execute(sql`
      UPDATE order_lines AS ol SET quantity = c.quantity
        FROM (VALUES ${quantityValues(plan.changes)}) AS c(id, quantity)
       WHERE ol.id = c.id`);
  }
  const inserted = await insertMatchedLines(tx, { shopId: input.shopId, orderId: input.orderId, channel: input.channel, lines: plan.added });

  const variantIds = [
    ...stored.flatMap((line) => (line.variantId ? [line.variantId] : [])),
    ...inserted.flatMap((line) => (line.variantId ? [line.variantId] : [])),
  ];
  // The one lock order (docs/adr/0003): the order (above), its allocations, then its levels.
  const releasable = await lockReleasableAllocations(tx, plan.releases);
  await lockLevels(tx, input.shopId, variantIds);
  const released = await releaseUnits(tx, input, plan.releases, releasable);

  let current = status;
  if (plan.reenterReservation) {
    // The reservation no longer covers the order: it goes through reservation (and routing) again.
    const back = transition(current, "release_reservation");
    if (back.ok) {
      current = back.to;
      await tx.update(orders).set({ status: current, updatedAt: sql`now()` }).where(eq(orders.id, input.orderId));
    }
  }
  const topUp = plan.wantsMoreStock || status === "backordered" || status === "received"
    ? await topUpReservation(tx, { shopId: input.shopId, orderId: input.orderId, status: current, actor: input.actor }, policies)
    : { status: current, reserved: 0, shortfall: 0 };

  if (topUp.shortfall > 0) await raiseShortfall(tx, input.shopId, input.orderId);
  const unmatched = inserted.filter((line) => line.carriesStock && line.variantId === null && line.quantity > line.fulfilledQuantity);
  if (unmatched.length > 0) {
    await raiseExceptions(
      tx,
      input.shopId,
      [unmatchedLinesException(unmatched.map((line) => ({ lineId: line.id, title: line.title, sku: line.sku, channelVariantRef: line.channelVariantRef })))],
      { orderId: input.orderId },
    );
  } else {
    await resolveUnmatchedIfClear(tx, input.shopId, input.orderId, input.actor);
  }
  await appendTimeline(tx, input.shopId, input.orderId, [
    {
      kind: "lines_edited",
      message: `Lines edited on ${input.source}: ${summary}; released ${released} unit${released === 1 ? "" : "s"}${
        topUp.reserved > 0 ? `, reserved ${topUp.reserved}` : ""
      }${topUp.shortfall > 0 ? `, ${topUp.shortfall} short` : ""}`,
      actor: input.actor,
      data: {
        changes: plan.changes,
        added: inserted.map((line) => ({ lineId: line.id, externalLineId: line.externalLineId, quantity: line.quantity, variantId: line.variantId })),
        released,
        reserved: topUp.reserved,
        shortfall: topUp.shortfall,
        status: { from: status, to: topUp.status },
      },
    },
  ]);
  return { kind: "applied", status: topUp.status, released, reserved: topUp.reserved, shortfall: topUp.shortfall, summary };
}

/**
 * An edit that wants more than the shelves hold leaves the order short: the merchant is told
 * as at intake (a partial_stock exception naming the short lines), once while it stays open.
 */
async function raiseShortfall(tx: Tx, shopId: string, orderId: string): Promise<void> {
  const [open] = await tx
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(and(eq(exceptions.orderId, orderId), eq(exceptions.kind, "partial_stock"), eq(exceptions.status, "open")))
    .limit(1);
  if (open) return;
  const short = await tx.execute<{ sku: string; requested: number; reserved: number }>(sql`
    SELECT coalesce(l.sku, v.sku, l.title) AS sku, greatest(l.quantity - l.fulfilled_quantity, 0)::int AS requested,
           coalesce(sum(a.quantity) FILTER (WHERE a.status IN ('reserved', 'shipped')), 0)::int AS reserved
      FROM order_lines l
      JOIN variants v ON v.id = l.variant_id
      LEFT JOIN allocations a ON a.order_line_id = l.id
     WHERE l.order_id = ${orderId} AND l.carries_stock
     GROUP BY l.id, v.sku
    HAVING coalesce(sum(a.quantity) FILTER (WHERE a.status IN ('reserved', 'shipped')), 0) < greatest(l.quantity - l.fulfilled_quantity, 0)
     ORDER BY l.external_line_id`);
  if (short.rows.length === 0) return;
  await raiseExceptions(
    tx,
    shopId,
    [{ kind: "partial_stock", message: `Short after an edit: ${short.rows.map((l) => `${l.sku} ${l.reserved}/${l.requested}`).join(", ")}`, details: { lines: short.rows } }],
    { orderId },
  );
}

function quantityValues(changes: readonly LineQuantityChange[]) {
  return sql.join(
    changes.map((change) => sql`(${change.lineId}::uuid, ${change.to}::int)`),
    sql`, `,
  );
}

async function storedEditLines(tx: Tx, orderId: string): Promise<StoredEditLine[]> {
  const rows = await tx.execute<{
    id: string;
    external_line_id: string;
    title: string;
    variant_id: string | null;
    carries_stock: boolean;
    quantity: number;
    fulfilled_quantity: number;
    reserved: number;
    reserved_on_shipment: number;
    shipped: number;
  }>(sql`
    SELECT l.id, l.external_line_id, l.title, l.variant_id, l.carries_stock, l.quantity, l.fulfilled_quantity,
           coalesce(sum(a.quantity) FILTER (WHERE a.status = 'reserved'), 0)::int AS reserved,
           coalesce(sum(a.quantity) FILTER (WHERE a.status = 'reserved' AND a.shipment_id IS NOT NULL), 0)::int AS reserved_on_shipment,
           coalesce(sum(a.quantity) FILTER (WHERE a.status = 'shipped'), 0)::int AS shipped
      FROM order_lines l
      LEFT JOIN allocations a ON a.order_line_id = l.id
     WHERE l.order_id = ${orderId}
     GROUP BY l.id
     ORDER BY l.external_line_id`);
  return rows.rows.map((row) => ({
    lineId: row.id,
    externalLineId: row.external_line_id,
    title: row.title,
    variantId: row.variant_id,
    carriesStock: row.carries_stock,
    quantity: row.quantity,
    fulfilledQuantity: row.fulfilled_quantity,
    reserved: row.reserved,
    reservedOnShipment: row.reserved_on_shipment,
    shipped: row.shipped,
  }));
}

/**
 * Releases units of lines, newest allocation first (what was reserved last goes back first)
 * and never from a shipment. An allocation released in part is released whole and what stays
 * is held again as one row, as routing does, so allocations and movements always agree.
 */
async function releaseUnits(tx: Tx, input: OrderEditInput, releases: readonly LineRelease[], held: readonly (typeof allocations.$inferSelect)[]): Promise<number> {
  if (releases.length === 0) return 0;
  const levels = await lockLevels(tx, input.shopId, releases.map((r) => r.variantId));
  const levelAt = new Map(levels.map((level) => [`${level.variantId}|${level.locationId}`, level]));
  const movements: LevelMovement[] = [];
  const releasedIds: string[] = [];
  const rehold: (typeof allocations.$inferInsert)[] = [];
  for (const release of releases) {
    let left = release.units;
    for (const allocation of held.filter((a) => a.orderLineId === release.lineId)) {
      if (left === 0) break;
      const units = Math.min(left, allocation.quantity);
      left -= units;
      releasedIds.push(allocation.id);
      if (units < allocation.quantity) {
        rehold.push({
          shopId: input.shopId,
          orderId: input.orderId,
          orderLineId: allocation.orderLineId,
          variantId: allocation.variantId,
          locationId: allocation.locationId,
          quantity: allocation.quantity - units,
        });
      }
      movements.push({
        level: levelAt.get(`${allocation.variantId}|${allocation.locationId}`)!,
        movement: {
          kind: "release",
          quantity: units,
          cause: { type: "order_line", id: allocation.orderLineId },
          actor: input.actor,
          reason: `removed by an edit on ${input.source}`,
        },
      });
    }
    // The plan only releases what is held off-shipment; anything else is a bug, not a channel problem.
    if (left > 0) throw new Error(`order edit: ${left} unit(s) of line ${release.lineId} are not held to release`);
  }
  await tx.update(allocations).set({ status: "released", updatedAt: sql`now()` }).where(inArray(allocations.id, releasedIds));
  if (rehold.length > 0) await tx.insert(allocations).values(rehold);
  await recordMovements(tx, input.shopId, movements);
  // Released units are for sale again: the channels hear of it through the dirty set.
  await scheduleStockSync(tx, input.shopId, [...new Set(releases.map((r) => r.variantId))]);
  return releases.reduce((sum, r) => sum + r.units, 0);
}

/** What the releases may take back: the lines' allocations held off-shipment, newest first. */
async function lockReleasableAllocations(tx: Tx, releases: readonly LineRelease[]) {
  if (releases.length === 0) return [];
  return tx
    .select()
    .from(allocations)
    .where(
      and(
        inArray(allocations.orderLineId, releases.map((r) => r.lineId)),
        eq(allocations.status, "reserved"),
        sql`${allocations.shipmentId} IS NULL`,
      ),
    )
    .orderBy(desc(allocations.createdAt), desc(allocations.id))
    .for("update");
}

/** The order Switchyard holds for a channel's order, if any. */
export async function findChannelOrder(tx: Tx, shopId: string, channel: string, externalId: string) {
  const [order] = await tx
    .select({ id: orders.id, status: orders.status, sourceUpdatedAt: orders.sourceUpdatedAt, number: orders.number })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, channel), eq(orders.externalId, externalId)));
  return order;
}

/** The stored lines of an order as unified lines, for applying a delta-only edit (orders/edited). */
export async function storedLinesOf(tx: Tx, orderId: string): Promise<UnifiedOrderLine[]> {
  const rows = await tx.select().from(orderLines).where(eq(orderLines.orderId, orderId));
  return rows.map((row) => ({
    externalLineId: row.externalLineId,
    ...(row.sku ? { sku: row.sku } : {}),
    ...(row.channelVariantRef ? { channelVariantRef: row.channelVariantRef } : {}),
    carriesStock: row.carriesStock,
    title: row.title,
    quantity: row.quantity,
    fulfilledQuantity: row.fulfilledQuantity,
    unitPriceMinor: row.unitPriceMinor,
    discountMinor: row.discountMinor,
    taxMinor: row.taxMinor,
  }));
}
