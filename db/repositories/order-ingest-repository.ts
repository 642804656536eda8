import { and, eq, sql } from "drizzle-orm";
import { assessNewOrder, holdReasonsFor, type LineOutcome, type UnmatchedLine } from "../../core/orders/order-intake";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import { unitsToReserve, type UnifiedOrder } from "../../core/orders/unified-order";
import type { Policies } from "../../core/config/default-policies";
import type { Database, Tx } from "../client";
import { orders } from "../schema";
import { lineVariantMatch } from "./line-variant-match";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { releaseOrderReservations, reserveOrderLines } from "./reservation-repository";
import { scheduleRouting } from "./routing-repository";
import { scheduleStockSync } from "./stock-ledger-repository";

export type IngestOutcome = "created" | "updated" | "unchanged";

export interface IngestResult {
  orderId: string;
  outcome: IngestOutcome;
  status: OrderStatus;
  /** Units reserved by this ingest, per SKU. */
  reserved: number;
  shortfall: number;
}

export interface IngestInput {
  shopId: string;
  order: UnifiedOrder;
  actor: string;
  /** The raw channel payload, kept on the order for inspection. */
  sourcePayload?: unknown;
}

/**
 * The one write path for an order arriving from any channel. Idempotent: the order is unique
 * by (shop, channel, external id), so the same order ingested any number of times, even at
 * once, yields one order and one reservation; an older version never overwrites a newer one.
 * The order, its lines, reservations, timeline, exceptions and the stock-sync job commit together.
 */
export async function ingestOrder(db: Database, input: IngestInput, policies?: Policies): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    const { order, shopId } = input;
    const [inserted] = await tx
      .insert(orders)
      .values({
        shopId,
        channel: order.channel,
        externalId: order.externalId,
        status: "received",
        ...headerFields(order),
        placedAt: order.placedAt,
        sourcePayload: input.sourcePayload ?? null,
      })
      .onConflictDoNothing({ target: [orders.shopId, orders.channel, orders.externalId] })
      .returning({ id: orders.id });

    const result = inserted
      ? await createOrder(tx, input, inserted.id, policies)
      : await updateExistingOrder(tx, input);
    return result;
  });
}

function headerFields(order: UnifiedOrder) {
  return {
    number: order.number,
    financialStatus: order.financialStatus,
    riskLevel: order.risk?.level ?? null,
    riskReasons: order.risk?.reasons ?? [],
    customerName: order.customer.name ?? order.shippingAddress?.name ?? null,
    customerEmail: order.customer.email ?? null,
    customerPhone: order.customer.phone ?? null,
    customerExternalId: order.customer.externalId ?? null,
    shippingAddress: order.shippingAddress ?? null,
    billingAddress: order.billingAddress ?? null,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    shippingMinor: order.shippingMinor,
    taxMinor: order.taxMinor,
    discountMinor: order.discountMinor,
    totalMinor: order.totalMinor,
    tags: order.tags,
    note: order.note ?? null,
    shippingMethod: order.shippingLines.map((line) => line.title).filter(Boolean).join(", ") || null,
    sourceUpdatedAt: order.sourceUpdatedAt,
  };
}

async function createOrder(tx: Tx, input: IngestInput, orderId: string, policies?: Policies): Promise<IngestResult> {
  const { order, shopId, actor } = input;
  // Lines are stored with their catalogue variant resolved in the same statement (channel
  // identity first, then SKU: see line-variant-match.ts); a line that matches nothing is kept
  // (variant null) and raised below rather than dropped.
  const linesJson = JSON.stringify(
    order.lines.map((line) => ({
      external_line_id: line.externalLineId,
      sku: line.sku ?? null,
      channel_variant_ref: line.channelVariantRef ?? null,
      carries_stock: line.carriesStock,
      title: line.title,
      quantity: line.quantity,
      fulfilled_quantity: line.fulfilledQuantity,
      unit_price_minor: line.unitPriceMinor,
      discount_minor: line.discountMinor,
      tax_minor: line.taxMinor,
    })),
  );
  const match = lineVariantMatch({ shopId: sql`${shopId}::uuid`, channel: sql`${order.channel}::text`, ref: sql`l.channel_variant_ref`, sku: sql`l.sku` });
  const inserted = await tx.execute<{
    id: string;
    external_line_id: string;
    variant_id: string | null;
    sku: string | null;
    channel_variant_ref: string | null;
    carries_stock: boolean;
    title: string;
    quantity: number;
    fulfilled_quantity: number;
  }>(sql`
    INSERT INTO order_lines (shop_id, order_id, external_line_id, variant_id, sku, channel_variant_ref, carries_stock, title,
                             quantity, fulfilled_quantity, unit_price_minor, discount_minor, tax_minor)
    SELECT ${shopId}::uuid, ${orderId}::uuid, l.external_line_id, CASE WHEN l.carries_stock THEN ${match} END, l.sku,
           l.channel_variant_ref, l.carries_stock, l.title, l.quantity, l.fulfilled_quantity, l.unit_price_minor, l.discount_minor, l.tax_minor
      FROM jsonb_to_recordset(${linesJson}::jsonb) AS l(external_line_id text, sku text, channel_variant_ref text, carries_stock boolean,
                                                        title text, quantity int, fulfilled_quantity int,
                                                        unit_price_minor bigint, discount_minor bigint, tax_minor bigint)
    RETURNING id, external_line_id, variant_id, sku, channel_variant_ref, carries_stock, title, quantity, fulfilled_quantity`);
  const insertedLines = inserted.rows.map((row) => ({
    id: row.id,
    variantId: row.variant_id,
    sku: row.sku,
    channelVariantRef: row.channel_variant_ref,
    title: row.title,
    toReserve: unitsToReserve({ quantity: row.quantity, fulfilledQuantity: row.fulfilled_quantity, carriesStock: row.carries_stock }),
    carriesStock: row.carries_stock,
  }));

  const reservable = insertedLines.filter((line) => line.variantId !== null && line.toReserve > 0);
  const plan =
    order.cancelled || reservable.length === 0
      ? undefined
      : await reserveOrderLines(
          tx,
          { shopId, orderId, actor, lines: reservable.map((line) => ({ lineId: line.id, variantId: line.variantId!, quantity: line.toReserve })) },
          policies,
        );
  const reservedByLine = new Map(plan?.lines.map((line) => [line.lineId, line.reserved]) ?? []);
  const outcomes: LineOutcome[] = reservable.map((line) => ({
    sku: line.sku ?? line.title,
    requested: line.toReserve,
    reserved: reservedByLine.get(line.id) ?? 0,
  }));
  const unmatched: UnmatchedLine[] = insertedLines
    .filter((line) => line.carriesStock && line.variantId === null && line.toReserve > 0)
    .map((line) => ({ lineId: line.id, title: line.title, sku: line.sku, channelVariantRef: line.channelVariantRef }));
  const assessment = assessNewOrder(order, plan, outcomes, unmatched);

  await tx
    .update(orders)
    .set({ status: assessment.status, cancelledAt: order.cancelled ? sql`now()` : null })
    .where(eq(orders.id, orderId));

  const reserved = outcomes.reduce((sum, line) => sum + line.reserved, 0);
  const requested = outcomes.reduce((sum, line) => sum + line.requested, 0);
  await appendTimeline(tx, shopId, orderId, [
    { kind: "received", message: `Received from ${order.channel} as ${order.number}`, actor, data: { channel: order.channel } },
    ...(plan
      ? [
          {
            kind: "reservation",
            message:
              plan.status === "complete"
                ? `Reserved all ${reserved} unit${reserved === 1 ? "" : "s"}`
                : `Reserved ${reserved} of ${requested} units; ${requested - reserved} short`,
            data: {
              strategy: plan.strategy,
              lines: plan.lines.map((l) => ({ lineId: l.lineId, requested: l.requested, reserved: l.reserved, allocations: l.allocations })),
            },
          },
        ]
      : []),
    ...assessment.exceptions.map((e) => ({ kind: `exception:${e.kind}`, message: e.message, data: e.details })),
    { kind: "status", message: `Status: ${assessment.status}`, data: { events: assessment.events, holds: assessment.holds } },
  ]);
  await raiseExceptions(tx, shopId, assessment.exceptions, { orderId });
  if (reserved > 0) await scheduleStockSync(tx, shopId, [...new Set(reservable.map((line) => line.variantId!))]);
  if (assessment.status === "reserved") await scheduleRouting(tx, shopId);

  return { orderId, outcome: "created", status: assessment.status, reserved, shortfall: requested - reserved };
}

/**
 * A newer version of an order we hold: refresh what the channel owns (payment, customer,
 * addresses, totals) and act on a cancellation. Line edits after capture are not re-reserved
 * here; they are out of scope of the intake path.
 */
async function updateExistingOrder(tx: Tx, input: IngestInput): Promise<IngestResult> {
  const { order, shopId, actor } = input;
  const [current] = await tx
    .select({ id: orders.id, status: orders.status, sourceUpdatedAt: orders.sourceUpdatedAt })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.channel, order.channel), eq(orders.externalId, order.externalId)))
    .for("update");
  if (!current) throw new Error("order vanished between insert conflict and lock");
  const status = current.status as OrderStatus;
  const unchanged: IngestResult = { orderId: current.id, outcome: "unchanged", status, reserved: 0, shortfall: 0 };
  if (order.sourceUpdatedAt.getTime() <= current.sourceUpdatedAt.getTime()) return unchanged;

  let nextStatus = status;
  const timeline: { kind: string; message: string; data?: Record<string, unknown>; actor?: string }[] = [];
  if (order.cancelled && status !== "cancelled") {
    const outcome = transition(status, "cancel");
    if (outcome.ok) {
      const released = await releaseOrderReservations(tx, { shopId, orderId: current.id, actor, reason: `cancelled on ${order.channel}` });
      nextStatus = outcome.to;
      timeline.push({ kind: "cancelled", message: `Cancelled on ${order.channel}; released ${released} reserved unit${released === 1 ? "" : "s"}`, actor });
    } else {
      await raiseExceptions(tx, shopId, [
        { kind: "transition_refused", message: `${order.channel} cancelled the order but it is ${status}: ${outcome.reason}`, details: { reason: outcome.reason } },
      ], { orderId: current.id });
      timeline.push({ kind: "exception:transition_refused", message: `Channel cancellation refused: ${outcome.reason}`, actor });
    }
  } else if (nextStatus !== "on_hold" && holdReasonsFor(order).includes("payment")) {
    const outcome = transition(nextStatus, "hold");
    if (outcome.ok) {
      nextStatus = outcome.to;
      await raiseExceptions(tx, shopId, [{ kind: "payment_declined", message: `Payment ${order.financialStatus}`, details: { financialStatus: order.financialStatus } }], {
        orderId: current.id,
      });
      timeline.push({ kind: "hold", message: `On hold: payment ${order.financialStatus}`, actor });
    }
  }

  await tx
    .update(orders)
    .set({
      ...headerFields(order),
      status: nextStatus,
      sourcePayload: input.sourcePayload ?? sql`${orders.sourcePayload}`,
      cancelledAt: order.cancelled ? sql`coalesce(${orders.cancelledAt}, now())` : sql`${orders.cancelledAt}`,
      updatedAt: sql`now()`,
    })
    .where(eq(orders.id, current.id));
  timeline.unshift({ kind: "updated", message: `Updated from ${order.channel}`, actor, data: { financialStatus: order.financialStatus } });
  await appendTimeline(tx, shopId, current.id, timeline);
  return { orderId: current.id, outcome: "updated", status: nextStatus, reserved: 0, shortfall: 0 };
}
