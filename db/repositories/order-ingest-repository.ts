import { timeOrderedId } from "../time-ordered-id";
import { and, eq, sql } from "drizzle-orm";
import { assessNewOrder, holdReasonsFor, type LineOutcome, type UnmatchedLine } from "../../core/orders/order-intake";
import { transition } from "../../core/orders/order-state-machine";
import type { OrderStatus } from "../../core/orders/order-status";
import { unitsToReserve, type UnifiedOrder, type UnifiedOrderLine } from "../../core/orders/unified-order";
import type { ReservationPlan } from "../../core/inventory/reservation-decision";
import type { Policies } from "../../core/config/default-policies";
import { channelDisplayName } from "../../core/channels/channel-write-policy";
import type { Database, Tx } from "../client";
import { executePrepared } from "../prepared-statement";
import { insertJsonRows } from "../json-rows-insert";
import { orders } from "../schema";
import { applyOrderEdit, type OrderEditOutcome } from "./order-edit-repository";
import { insertResolvedLines } from "./order-line-insert";
import { matchLineVariants, type LineIdentity } from "./line-variant-match";
import { holdClaimLevels, lineIdentityKey, orderKey, type ClaimLocks } from "./order-lock-repository";
import { appendTimeline, appendTimelines, raiseExceptions, raiseOrderExceptions, type TimelineEntry } from "./order-timeline-repository";
import { planOrdersInPlacementOrder, releaseOrderReservations, writeReservationPlans } from "./reservation-repository";
import { scheduleRouting } from "./routing-repository";
import { cancelOrderShipments } from "./shipment-cancellation-repository";
import { recordOwnChannelSales } from "./own-channel-sale-repository";
import { scheduleStockSync } from "./stock-ledger-repository";
import { statementsTogether } from "../statements-together";

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
  /**
   * Where the channel's payload for this version is kept, for inspection and routing: the inbox
   * row it arrived in (stored once, docs/adr/0022), or, for a payload that arrived no other way
   * (a Shopify import), the payload itself, kept on the order. A delivery row wins over a payload.
   */
  sourceDeliveryId?: number;
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

/** The order's payload columns: the delivery row that holds it, or the payload itself (docs/adr/0022). */
function sourceColumns(input: IngestInput): { sourceDeliveryId: number | null; sourcePayload: unknown } {
  return input.sourceDeliveryId !== undefined
    ? { sourceDeliveryId: input.sourceDeliveryId, sourcePayload: null }
    : { sourceDeliveryId: null, sourcePayload: input.sourcePayload ?? null };
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
 * transaction (docs/adr/0017, 0020). The lines' variants are resolved in one statement (channel
 * identity first, then SKU: line-variant-match.ts). The orders (ON CONFLICT DO NOTHING, in key
 * order so concurrent batches take the unique keys in one order) and their lines are written
 * before any inventory level is locked, with the status they get when all their stock is there;
 * only then are the levels locked (id order) and the core decides the inserted orders in
 * placement order, so the section that holds the levels, which batches of a shop run one at a
 * time, holds only what depends on the stock: the few statuses a shortage changes, allocations,
 * movements, balances, timeline, exceptions, one stock-sync mark and one routing job. An order
 * another transaction created first is skipped by the insert (which waits for it to commit) and
 * left to the update path. Returns, per input, its result, or undefined when the order already
 * exists (or repeats an earlier input): the caller updates those one by one.
 */
export async function createOrders(
  tx: Tx,
  shopId: string,
  inputs: readonly IngestInput[],
  policies?: Policies,
  claim?: ClaimLocks,
): Promise<(IngestResult | undefined)[]> {
  const firstIndex = new Map<string, number>();
  inputs.forEach((input, index) => {
    if (input.shopId !== shopId) throw new Error("createOrders: every input must belong to the batch's shop");
    if (!firstIndex.has(orderKey(input.order))) firstIndex.set(orderKey(input.order), index);
  });
  const results: (IngestResult | undefined)[] = inputs.map(() => undefined);
  if (firstIndex.size === 0) return results;
  // Orders already held are the update path's (the claim found them as it locked them). One
  // created meanwhile is caught by the insert.
  const held = claim?.heldOrders ?? (await heldOrderVersions(tx, shopId, [...firstIndex.values()].map((index) => inputs[index]!.order))).keys();
  for (const key of held) firstIndex.delete(key);
  const candidates = [...firstIndex.values()].sort((a, b) => (orderKey(inputs[a]!.order) < orderKey(inputs[b]!.order) ? -1 : 1));
  if (candidates.length === 0) return results;

  // Ids are chosen here, so the decisions can name orders and lines before they are written. A
  // line repeated within an order (same channel line id) is kept once, as the unique key would.
  const entries = candidates.map((index) => {
    const input = inputs[index]!;
    const seen = new Set<string>();
    const lines = input.order.lines.filter((line) => !seen.has(line.externalLineId) && seen.add(line.externalLineId));
    return { index, input, orderId: timeOrderedId(), lines: lines.map((line) => ({ id: timeOrderedId(), line })) };
  });
  const variants = await lineVariantsOf(
    tx,
    shopId,
    entries.flatMap((entry) => entry.lines.map(({ line }) => ({ ...line, channel: entry.input.order.channel }))),
    claim,
  );
  let next = 0;
  const prepared = entries.map((entry, sequence) => {
    const lines = entry.lines.map(({ id, line }) => ({
      id,
      line,
      variantId: variants[next++] ?? null,
      toReserve: unitsToReserve({ quantity: line.quantity, fulfilledQuantity: line.fulfilledQuantity, carriesStock: line.carriesStock }),
    }));
    const reservable = entry.input.order.cancelled ? [] : lines.filter((line) => line.variantId !== null && line.toReserve > 0);
    return { ...entry, sequence, lines, reservable, expectedStatus: assessNewOrder(entry.input.order, undefined, [], unmatchedLinesOf(lines)).status };
  });

  const now = new Date();
  const inserted = new Set(
    (
      await insertJsonRows(
        tx,
        orders,
        prepared.map(({ orderId, expectedStatus, input }) => ({
          id: orderId,
          shopId,
          channel: input.order.channel,
          externalId: input.order.externalId,
          ...headerFields(input.order),
          status: expectedStatus,
          cancelledAt: input.order.cancelled ? now : null,
          placedAt: input.order.placedAt,
          ...sourceColumns(input),
        })),
        { returning: ["id"], onConflictDoNothing: true },
      )
    ).map((row) => row.id),
  );
  const kept = prepared.filter((entry) => inserted.has(entry.orderId));
  if (kept.length === 0) return results;
  await insertResolvedLines(tx, shopId, kept.flatMap((entry) => entry.lines.map(({ id, line, variantId }) => ({ id, orderId: entry.orderId, variantId, line }))));

  // Only now are the levels locked: the claim's (if it deferred them), or, without a claim, those
  // planOrdersInPlacementOrder takes. Everything below depends on the stock.
  if (claim) await holdClaimLevels(tx, claim);
  const requests = kept.map((entry) => ({
    key: entry.orderId,
    orderId: entry.orderId,
    placedAt: entry.input.order.placedAt,
    sequence: entry.sequence,
    actor: entry.input.actor,
    lines: entry.reservable.map((line) => ({ lineId: line.id, variantId: line.variantId!, quantity: line.toReserve })),
  }));
  const planned = await planOrdersInPlacementOrder(tx, shopId, requests, policies);
  const assessments = kept.map((entry) => assessCreatedOrder(entry, planned.plans.get(entry.orderId)));
  const reservedVariants = new Set(assessments.flatMap((assessment) => assessment.reservedVariants));
  // The writes the decision makes, issued together: the connection pipelines (db/client.ts), so
  // they travel in one round trip instead of one each while this transaction holds the levels
  // every other batch of the shop waits for. PostgreSQL runs them one after another in the order
  // they are issued here (each is sent when its call reaches the driver), and none reads what
  // another writes; the rows they lock are new, already held, or skipped when locked.
  await statementsTogether([
    setOrderStatuses(
      tx,
      kept.flatMap((entry, i) => (assessments[i]!.status !== entry.expectedStatus ? [{ orderId: entry.orderId, status: assessments[i]!.status }] : [])),
    ),
    writeReservationPlans(tx, shopId, requests, planned),
    appendTimelines(tx, shopId, assessments.flatMap((assessment) => assessment.timeline)),
    raiseOrderExceptions(tx, shopId, assessments.flatMap((assessment) => assessment.exceptions)),
    // The selling channel already took these units off its own figure: not pushed back to it.
    recordOwnChannelSales(
      tx,
      shopId,
      kept.flatMap((entry) => entry.reservable.map((line) => ({ channel: entry.input.order.channel, variantId: line.variantId!, units: line.toReserve, soldAt: entry.input.order.placedAt }))),
    ),
    reservedVariants.size > 0 ? scheduleStockSync(tx, shopId, [...reservedVariants]) : undefined,
    assessments.some((assessment) => assessment.status === "reserved") ? scheduleRouting(tx, shopId) : undefined,
  ]);
  kept.forEach((entry, i) => (results[entry.index] = assessments[i]!.result));
  return results;
}

/** The statuses a shortage changed, in one statement (the rest were inserted final). */
async function setOrderStatuses(tx: Tx, changes: readonly { orderId: string; status: OrderStatus }[]): Promise<void> {
  if (changes.length === 0) return;
  await executePrepared(tx, sql`
    UPDATE orders o SET status = c.status
      FROM unnest(${sql.param(changes.map((change) => change.orderId))}::uuid[], ${sql.param(changes.map((change) => change.status))}::text[]) AS c(id, status)
     WHERE o.id = c.id`);
}

/** The stock-carrying lines that matched no variant: flagged on the order, never reserved. */
function unmatchedLinesOf(lines: readonly { id: string; line: UnifiedOrderLine; variantId: string | null; toReserve: number }[]): UnmatchedLine[] {
  return lines
    .filter(({ line, variantId, toReserve }) => line.carriesStock && variantId === null && toReserve > 0)
    .map(({ id, line }) => ({ lineId: id, title: line.title, sku: line.sku ?? null, channelVariantRef: line.channelVariantRef ?? null }));
}

/** A new order as createOrders holds it: chosen ids, each line with its variant and the units to reserve. */
interface NewOrderEntry {
  orderId: string;
  input: IngestInput;
  lines: { id: string; line: UnifiedOrderLine; variantId: string | null; toReserve: number }[];
  reservable: { id: string; line: UnifiedOrderLine; variantId: string | null; toReserve: number }[];
}

/**
 * What the core's decision means for one new order: its status, the timeline entries and
 * exceptions to store, the variants it took units of, and its result for the caller.
 */
function assessCreatedOrder(entry: NewOrderEntry, plan: ReservationPlan | undefined) {
  const { order, actor } = entry.input;
  const reservedByLine = new Map(plan?.lines.map((line) => [line.lineId, line.reserved]) ?? []);
  const outcomes: LineOutcome[] = entry.reservable.map(({ id, line, toReserve }) => ({ sku: line.sku ?? line.title, requested: toReserve, reserved: reservedByLine.get(id) ?? 0 }));
  const assessment = assessNewOrder(order, plan, outcomes, unmatchedLinesOf(entry.lines));
  const reserved = outcomes.reduce((sum, line) => sum + line.reserved, 0);
  const requested = outcomes.reduce((sum, line) => sum + line.requested, 0);
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
  return {
    status: assessment.status,
    timeline: entries.map((e) => ({ ...e, orderId: entry.orderId })),
    exceptions: assessment.exceptions.map((e) => ({ ...e, orderId: entry.orderId })),
    reservedVariants: entry.reservable.filter((line) => (reservedByLine.get(line.id) ?? 0) > 0).map((line) => line.variantId!),
    result: { orderId: entry.orderId, outcome: "created", status: assessment.status, reserved, shortfall: requested - reserved } satisfies IngestResult,
  };
}

/**
 * Which of these orders the shop already holds (read by its unique key), with each one's version
 * (the channel's own updated time), by orderKey: what a repeated delivery of an
 * order is compared with. The keys of other held orders may come along; callers look theirs up.
 */
export async function heldOrderVersions(tx: Tx, shopId: string, list: readonly Pick<UnifiedOrder, "channel" | "externalId">[]): Promise<Map<string, Date>> {
  if (list.length === 0) return new Map();
  const channels = [...new Set(list.map((order) => order.channel))];
  const externalIds = [...new Set(list.map((order) => order.externalId))];
  const held = await executePrepared<{ channel: string; external_id: string; source_updated_at: Date | string }>(tx, sql`
    SELECT o.channel, o.external_id, o.source_updated_at FROM orders o
     WHERE o.shop_id = ${shopId}::uuid AND o.channel = ANY(${sql.param(channels)}::text[]) AND o.external_id = ANY(${sql.param(externalIds)}::text[])`);
  return new Map(held.rows.map((row) => [orderKey({ channel: row.channel, externalId: row.external_id }), new Date(row.source_updated_at)]));
}

/** The lines' variants: those the claim matched while locking, the rest looked up now. */
async function lineVariantsOf(tx: Tx, shopId: string, lines: readonly LineIdentity[], claim: ClaimLocks | undefined): Promise<(string | null)[]> {
  const known = lines.map((line) => claim?.lineVariants.get(lineIdentityKey(line)));
  const missing = lines.filter((_, i) => known[i] === undefined);
  if (missing.length === 0) return known.map((variant) => variant ?? null);
  const looked = await matchLineVariants(tx, shopId, missing);
  let next = 0;
  return known.map((variant) => (variant === undefined ? (looked[next++] ?? null) : variant));
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
      await cancelOrderShipments(tx, { shopId, orderId: current.id, actor });
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
      // A version that brings no payload of its own keeps the one the order has.
      ...(input.sourceDeliveryId !== undefined || input.sourcePayload !== undefined ? sourceColumns(input) : {}),
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
