import { and, eq, sql } from "drizzle-orm";
import { assessNewOrder, holdReasonsFor, type LineOutcome, type RaisedException, type UnmatchedLine } from "../../core/orders/order-intake";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import { unitsToReserve, type UnifiedOrder } from "../../core/orders/unified-order";
import type { Policies } from "../../core/config/default-policies";
import { channelDisplayName } from "../../core/channels/channel-write-policy";
import type { Database, Tx } from "../client";
import { insertJsonRows } from "../json-rows-insert";
import { orders } from "../schema";
import { applyOrderEdit, type OrderEditOutcome } from "./order-edit-repository";
import { insertOrdersLines } from "./order-line-insert";
import { appendTimeline, appendTimelines, raiseExceptions, raiseOrderExceptions, type TimelineEntry } from "./order-timeline-repository";
import { releaseOrderReservations, reserveOrdersInPlacementOrder } from "./reservation-repository";
import { scheduleRouting } from "./routing-repository";
import { recordOwnChannelSales } from "./own-channel-sale-repository";
import { scheduleStockSync } from "./stock-ledger-repository";

export type IngestOutcome = "created" | "updated" | "unchanged";

export interface IngestResult {
  orderId: string;
  outcome: IngestOutcome;
  status: OrderStatus;
  /** Units reserved by this ingest, per SKU. */
  reserved: number;
  shortfall: number;
  /** What the version's lines did to an order already held (absent for new and unchanged orders). */
  edit?: OrderEditOutcome;
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
 * The order, its lines, reservations, timeline, exceptions and the stock-sync mark commit together.
 * A new order goes through createOrders (a batch of one); one we hold is updated.
 */
export async function ingestOrder(db: Database, input: IngestInput, policies?: Policies): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    const [created] = await createOrders(tx, input.shopId, [input], policies);
    return created ?? updateExistingOrder(tx, input, policies);
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


/**
 * Creates the orders of one shop that Switchyard does not hold yet, set-based, in the caller's
 * transaction: one INSERT for the orders (ON CONFLICT DO NOTHING, in key order so concurrent
 * batches take the unique keys in one order), one for all their lines with each line's variant
 * resolved in the statement (channel identity first, then SKU: line-variant-match.ts), one lock
 * of every candidate level, the core's decisions in placement order, and one statement each for
 * allocations, movements, balances, statuses, timeline and exceptions, plus one stock-sync mark
 * and one routing job for the batch. Returns, per input, its result, or undefined when the order
 * already exists (or repeats an earlier input): the caller updates those one by one.
 */
export async function createOrders(tx: Tx, shopId: string, inputs: readonly IngestInput[], policies?: Policies): Promise<(IngestResult | undefined)[]> {
  const keyOf = (order: UnifiedOrder) => `${order.channel}\u0000${order.externalId}`;
  const firstIndex = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (input.shopId !== shopId) throw new Error("createOrders: every input must belong to the batch's shop");
    if (!firstIndex.has(keyOf(input.order))) firstIndex.set(keyOf(input.order), index);
  });
  const candidates = [...firstIndex.values()].sort((a, b) => (keyOf(inputs[a]!.order) < keyOf(inputs[b]!.order) ? -1 : 1));
  if (candidates.length === 0) return inputs.map(() => undefined);

  // ON CONFLICT DO NOTHING: the only key a new order can collide on is (shop, channel, external id).
  const insertedOrders = await insertJsonRows(
    tx,
    orders,
    candidates.map((index) => {
      const { order, sourcePayload } = inputs[index]!;
      return { shopId, channel: order.channel, externalId: order.externalId, status: "received", ...headerFields(order), placedAt: order.placedAt, sourcePayload: sourcePayload ?? null };
    }),
    { returning: ["id", "channel", "externalId"], onConflictDoNothing: true },
  );
  const created = insertedOrders.map((row) => {
    const index = firstIndex.get(`${row.channel}\u0000${row.externalId}`)!;
    return { index, orderId: row.id, input: inputs[index]! };
  });
  const results: (IngestResult | undefined)[] = inputs.map(() => undefined);
  if (created.length === 0) return results;

  // Lines are stored with their catalogue variant resolved in the same statement; a line that
  // matches nothing is kept (variant null) and raised below rather than dropped.
  const insertedLines = await insertOrdersLines(tx, shopId, created.map(({ orderId, input }) => ({ orderId, channel: input.order.channel, lines: input.order.lines })));
  const linesByOrder = new Map<string, typeof insertedLines>();
  for (const line of insertedLines) linesByOrder.set(line.orderId, [...(linesByOrder.get(line.orderId) ?? []), line]);

  const prepared = created.map((entry, sequence) => {
    const lines = (linesByOrder.get(entry.orderId) ?? []).map((line) => ({
      ...line,
      toReserve: unitsToReserve({ quantity: line.quantity, fulfilledQuantity: line.fulfilledQuantity, carriesStock: line.carriesStock }),
    }));
    const reservable = entry.input.order.cancelled ? [] : lines.filter((line) => line.variantId !== null && line.toReserve > 0);
    return { ...entry, sequence, lines, reservable };
  });

  const plans = await reserveOrdersInPlacementOrder(
    tx,
    shopId,
    prepared.map((entry) => ({
      key: entry.orderId,
      orderId: entry.orderId,
      placedAt: entry.input.order.placedAt,
      sequence: entry.sequence,
      actor: entry.input.actor,
      lines: entry.reservable.map((line) => ({ lineId: line.id, variantId: line.variantId!, quantity: line.toReserve })),
    })),
    policies,
  );

  const statuses: { id: string; status: OrderStatus; cancelled: boolean }[] = [];
  const timeline: (TimelineEntry & { orderId: string })[] = [];
  const raised: (RaisedException & { orderId: string })[] = [];
  const reservedVariants = new Set<string>();
  for (const entry of prepared) {
    const { order, actor } = entry.input;
    const plan = plans.get(entry.orderId);
    const reservedByLine = new Map(plan?.lines.map((line) => [line.lineId, line.reserved]) ?? []);
    const outcomes: LineOutcome[] = entry.reservable.map((line) => ({ sku: line.sku ?? line.title, requested: line.toReserve, reserved: reservedByLine.get(line.id) ?? 0 }));
    const unmatched: UnmatchedLine[] = entry.lines
      .filter((line) => line.carriesStock && line.variantId === null && line.toReserve > 0)
      .map((line) => ({ lineId: line.id, title: line.title, sku: line.sku, channelVariantRef: line.channelVariantRef }));
    const assessment = assessNewOrder(order, plan, outcomes, unmatched);
    const reserved = outcomes.reduce((sum, line) => sum + line.reserved, 0);
    const requested = outcomes.reduce((sum, line) => sum + line.requested, 0);
    for (const line of entry.reservable) if ((reservedByLine.get(line.id) ?? 0) > 0) reservedVariants.add(line.variantId!);

    statuses.push({ id: entry.orderId, status: assessment.status, cancelled: order.cancelled });
    const entries: TimelineEntry[] = [
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
    ];
    timeline.push(...entries.map((e) => ({ ...e, orderId: entry.orderId })));
    raised.push(...assessment.exceptions.map((e) => ({ ...e, orderId: entry.orderId })));
    results[entry.index] = { orderId: entry.orderId, outcome: "created", status: assessment.status, reserved, shortfall: requested - reserved };
  }

  await tx.execute(sql`
    UPDATE orders AS o
       SET status = s.status, cancelled_at = CASE WHEN s.cancelled THEN now() END
      FROM jsonb_to_recordset(${JSON.stringify(statuses)}::jsonb) AS s(id uuid, status text, cancelled boolean)
     WHERE o.id = s.id`);
  await appendTimelines(tx, shopId, timeline);
  await raiseOrderExceptions(tx, shopId, raised);
  // The selling channel already took these units off its own figure: not pushed back to it.
  await recordOwnChannelSales(
    tx,
    shopId,
    prepared.flatMap((entry) => entry.reservable.map((line) => ({ channel: entry.input.order.channel, variantId: line.variantId!, units: line.toReserve, soldAt: entry.input.order.placedAt }))),
  );
  if (reservedVariants.size > 0) await scheduleStockSync(tx, shopId, [...reservedVariants]);
  if (statuses.some((s) => s.status === "reserved")) await scheduleRouting(tx, shopId);
  return results;
}

/**
 * A newer version of an order we hold, from any channel (a Shopify orders/updated or import,
 * a WooCommerce order.updated, an eBay or Amazon order polled again): refresh what the channel
 * owns (payment, customer, addresses, totals), act on a cancellation, then follow its lines
 * through the one edit path (applyOrderEdit: the pure planOrderEdit, then ledger movements), so
 * removed units are released, added units and new lines reserved, and edits to a shipped or
 * cancelled order refused, whatever the channel. An older or equal version changes nothing.
 */
async function updateExistingOrder(tx: Tx, input: IngestInput, policies?: Policies): Promise<IngestResult> {
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
  // A cancellation released everything; the lines it zeroes are not an edit to follow.
  if (order.cancelled) return { orderId: current.id, outcome: "updated", status: nextStatus, reserved: 0, shortfall: 0 };
  const edit = await applyOrderEdit(
    tx,
    { shopId, orderId: current.id, channel: order.channel, lines: order.lines, actor, source: channelDisplayName(order.channel) },
    policies,
  );
  const applied = edit.kind === "applied" ? edit : undefined;
  return { orderId: current.id, outcome: "updated", status: applied?.status ?? nextStatus, reserved: applied?.reserved ?? 0, shortfall: applied?.shortfall ?? 0, edit };
}
