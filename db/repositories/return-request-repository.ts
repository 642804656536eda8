import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { defaultPolicies, type Policies } from "../../core/config/default-policies";
import type { ReturnQuote, ReturnRequestFacts } from "../../core/returns/return-eligibility-policy";
import { returnRulesSchema, type ReturnReason, type ReturnResolution, type ReturnRules } from "../../core/returns/return-rules";
import { RMA_ACTIVE_STATUSES } from "../../core/returns/rma-state-machine";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, DbOrTx, Tx } from "../client";
import { enqueueJob } from "../queue/job-queue";
import { inventoryLevels, locations, orderLines, orders, products, returnEvents, returnLines, returns, returnSettings, shipments, variants } from "../schema";
import { enqueueReturnChannelSync } from "./channel-write-repository";
import { appendTimeline } from "./order-timeline-repository";

/**
 * Asking for a return: the facts are read under a lock on the order row, the pure policy
 * decides, and the RMA is written in the same transaction. Two requests for the same order
 * serialise on that lock, so however they race they can never return more units of a line
 * than were delivered (the second one sees the first one's lines as already returning).
 */

export interface RequestedReturnLine {
  orderLineId: string;
  quantity: number;
  reason: ReturnReason;
  note?: string;
  /** For an exchange: the variant wanted instead. */
  exchangeVariantId?: string;
}

export interface ReturnRequestInput {
  shopId: string;
  orderId: string;
  resolution: ReturnResolution;
  lines: readonly RequestedReturnLine[];
  source: "customer_account" | "portal" | "admin" | "shopify" | "ebay" | "amazon" | "woocommerce";
  /** The channel's return id, so a redelivered channel return is stored once. */
  externalId?: string;
  actor: string;
  now?: Date;
  /**
   * A return made on the channel already exists there: it is stored whatever our rules say
   * (what they would have refused is kept in its explanation), and it is already mirrored.
   */
  madeOnChannel?: boolean;
}

export type ReturnRequestRefusal = "order_not_found" | "unknown_line" | "not_acceptable";

export interface RequestedReturn {
  returnId: string;
  rmaNumber: string;
  quote: ReturnQuote;
  /** True when this exact channel return was already stored. */
  duplicate: boolean;
}

export type ReturnRequestOutcome = Result<RequestedReturn, ReturnRequestRefusal> & { quote?: ReturnQuote };

export async function loadReturnRules(db: DbOrTx, shopId: string): Promise<ReturnRules> {
  const [row] = await db.select({ rules: returnSettings.rules }).from(returnSettings).where(eq(returnSettings.shopId, shopId));
  const parsed = returnRulesSchema.safeParse(row?.rules ?? {});
  // Settings are validated on save; a row from an older version falls back to the defaults.
  return parsed.success ? parsed.data : returnRulesSchema.parse({});
}

export async function saveReturnRules(db: DbOrTx, shopId: string, rules: ReturnRules): Promise<void> {
  await db
    .insert(returnSettings)
    .values({ shopId, rules })
    .onConflictDoUpdate({ target: returnSettings.shopId, set: { rules, updatedAt: sql`now()` } });
}

/** What the customer would get, without storing anything: the quote shown before submitting. */
export async function quoteReturn(
  db: Database,
  input: Omit<ReturnRequestInput, "source" | "actor" | "externalId">,
  policies: Policies = defaultPolicies,
): Promise<Result<ReturnQuote, ReturnRequestRefusal>> {
  return db.transaction(async (tx) => {
    const facts = await readReturnFacts(tx, input, { lock: false });
    if (!facts.ok) return facts;
    return ok(policies.returnEligibility.quote(facts.value.facts, await loadReturnRules(tx, input.shopId)));
  });
}

export async function requestReturn(
  db: Database,
  input: ReturnRequestInput,
  policies: Policies = defaultPolicies,
): Promise<ReturnRequestOutcome> {
  return db.transaction((tx) => requestReturnInTx(tx, input, policies));
}

/** The same request inside the caller's transaction (a channel's webhook delivery). */
export async function requestReturnInTx(tx: Tx, input: ReturnRequestInput, policies: Policies = defaultPolicies): Promise<ReturnRequestOutcome> {
  if (input.externalId) {
    const [existing] = await tx
      .select({ id: returns.id, rmaNumber: returns.rmaNumber })
      .from(returns)
      .where(and(eq(returns.shopId, input.shopId), eq(returns.source, input.source), eq(returns.externalId, input.externalId)));
    if (existing) return ok({ returnId: existing.id, rmaNumber: existing.rmaNumber, quote: emptyQuote(), duplicate: true });
  }
  const facts = await readReturnFacts(tx, input, { lock: true });
  if (!facts.ok) return facts;
  const rules = await loadReturnRules(tx, input.shopId);
  const quote = policies.returnEligibility.quote(facts.value.facts, rules);
  if (!quote.acceptable && !input.madeOnChannel) return { ...err("not_acceptable", quote.lines.filter((l) => !l.accepted).map((l) => l.explanation).join(" ")), quote };

  const order = facts.value.order;
  const rmaNumber = await nextRmaNumber(tx, input.shopId, order.number);
  const [created] = await tx
    .insert(returns)
    .values({
      shopId: input.shopId,
      orderId: order.id,
      rmaNumber,
      status: "requested",
      resolution: input.resolution,
      source: input.source,
      externalId: input.externalId ?? null,
      destinationLocationId: facts.value.destinationLocationId,
      currency: order.currency,
      itemsValueMinor: quote.itemsValueMinor,
      restockingFeeMinor: quote.restockingFeeMinor,
      returnShippingFeeMinor: quote.returnShippingFeeMinor,
      storeCreditBonusMinor: quote.storeCreditBonusMinor,
      payoutMinor: quote.payoutMinor,
      keepItem: quote.keepItem,
      explanation: [
        ...(input.madeOnChannel && !quote.acceptable ? [`Made on ${input.source}: stored although the return rules would refuse it.`] : []),
        ...quote.lines.map((l) => l.explanation),
        ...quote.explanation,
      ],
      ...(input.madeOnChannel && input.externalId ? { channelReturnId: input.externalId, channelSyncState: "synced", channelSyncedAt: sql`now()` } : {}),
    })
    .returning({ id: returns.id });
  const returnId = created!.id;
  const lineFacts = new Map(facts.value.lines.map((line) => [line.orderLineId, line]));
  await tx.insert(returnLines).values(
    input.lines.map((line) => ({
      shopId: input.shopId,
      returnId,
      orderLineId: line.orderLineId,
      variantId: lineFacts.get(line.orderLineId)!.variantId,
      quantity: line.quantity,
      reason: line.reason,
      customerNote: line.note ?? null,
      exchangeVariantId: input.resolution === "exchange" ? (line.exchangeVariantId ?? null) : null,
      unitNetMinor: lineFacts.get(line.orderLineId)!.unitNetMinor,
    })),
  );
  const units = input.lines.reduce((sum, line) => sum + line.quantity, 0);
  await appendReturnEvents(tx, input.shopId, returnId, [
    { kind: "requested", message: `Return requested (${units} unit${units === 1 ? "" : "s"}, ${input.resolution.replace("_", " ")}) from ${input.source.replace("_", " ")}`, actor: input.actor, data: { quote } },
  ]);
  await appendTimeline(tx, input.shopId, order.id, [
    { kind: "return_requested", message: `Return ${rmaNumber} requested`, actor: input.actor, data: { returnId } },
  ]);
  if (input.resolution === "exchange") {
    // The exchange order is created and reserved by a job that commits with the request, so
    // the request never waits on the intake path and a crash cannot lose the exchange.
    await enqueueJob(tx, "returns/create-exchange-order", { shopId: input.shopId, returnId }, { jobKey: `exchange-order:${returnId}` });
  }
  if (!input.madeOnChannel) await enqueueReturnChannelSync(tx, { shopId: input.shopId, orderId: order.id, returnId });
  return ok({ returnId, rmaNumber, quote, duplicate: false });
}

interface LineFacts {
  orderLineId: string;
  variantId: string | null;
  unitNetMinor: number;
}

async function readReturnFacts(
  tx: Tx,
  input: Omit<ReturnRequestInput, "source" | "actor" | "externalId">,
  options: { lock: boolean },
): Promise<Result<{ facts: ReturnRequestFacts; order: { id: string; number: string; currency: string }; lines: LineFacts[]; destinationLocationId: string | null }, ReturnRequestRefusal>> {
  const orderQuery = tx
    .select({ id: orders.id, number: orders.number, currency: orders.currency, tags: orders.tags })
    .from(orders)
    .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)));
  const [order] = options.lock ? await orderQuery.for("update") : await orderQuery;
  if (!order) return err("order_not_found");
  if (input.lines.length === 0) return err("unknown_line", "no lines chosen");

  const lineIds = [...new Set(input.lines.map((line) => line.orderLineId))];
  const rows = await tx
    .select({
      id: orderLines.id,
      title: orderLines.title,
      variantId: orderLines.variantId,
      quantity: orderLines.quantity,
      unitPriceMinor: orderLines.unitPriceMinor,
      discountMinor: orderLines.discountMinor,
      productTags: products.tags,
      shipped: sql<number>`coalesce((SELECT sum(a.quantity) FROM allocations a WHERE a.order_line_id = ${orderLines.id} AND a.status = 'shipped'), 0)::int`,
      returning: sql<number>`coalesce((SELECT sum(rl.quantity) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
        WHERE rl.order_line_id = ${orderLines.id} AND r.status IN (${sql.join(RMA_ACTIVE_STATUSES.map((s) => sql`${s}`), sql`, `)})), 0)::int`,
    })
    .from(orderLines)
    .leftJoin(variants, eq(variants.id, orderLines.variantId))
    .leftJoin(products, eq(products.id, variants.productId))
    .where(and(eq(orderLines.orderId, order.id), inArray(orderLines.id, lineIds)))
    .orderBy(asc(orderLines.id));
  if (rows.length !== lineIds.length) return err("unknown_line", "a chosen line is not on this order");

  const [dates] = await tx
    .select({
      fulfilledAt: sql<Date | null>`max(${shipments.shippedAt})`,
      deliveredAt: sql<Date | null>`max(${shipments.deliveredAt})`,
      lastLocation: sql<string | null>`(array_agg(${shipments.locationId} ORDER BY ${shipments.shippedAt} DESC NULLS LAST))[1]`,
    })
    .from(shipments)
    .where(eq(shipments.orderId, order.id));

  const exchangeStock = await exchangeAvailability(tx, input.shopId, input.lines);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const facts: ReturnRequestFacts = {
    now: input.now ?? new Date(),
    orderTags: order.tags,
    fulfilledAt: toDate(dates?.fulfilledAt),
    deliveredAt: toDate(dates?.deliveredAt),
    resolution: input.resolution,
    lines: input.lines.map((requested) => {
      const row = byId.get(requested.orderLineId)!;
      return {
        orderLineId: row.id,
        title: row.title,
        productTags: row.productTags ?? [],
        unitNetMinor: unitNet(row),
        deliveredQuantity: row.shipped,
        alreadyReturningQuantity: row.returning,
        requestedQuantity: requested.quantity,
        reason: requested.reason,
        exchangeAvailable: requested.exchangeVariantId ? (exchangeStock.get(requested.exchangeVariantId) ?? 0) : undefined,
      };
    }),
  };
  return ok({
    facts,
    order,
    lines: rows.map((row) => ({ orderLineId: row.id, variantId: row.variantId, unitNetMinor: unitNet(row) })),
    destinationLocationId: dates?.lastLocation ?? (await defaultReturnLocation(tx, input.shopId)),
  });
}

function unitNet(row: { quantity: number; unitPriceMinor: number; discountMinor: number }): number {
  return Math.max(0, row.unitPriceMinor - Math.floor(row.discountMinor / Math.max(1, row.quantity)));
}

function toDate(value: Date | string | null | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value : new Date(value);
}

/** Units of each wanted exchange variant free to sell now, over the shop's shipping locations. */
async function exchangeAvailability(tx: Tx, shopId: string, lines: readonly RequestedReturnLine[]): Promise<Map<string, number>> {
  const wanted = [...new Set(lines.map((line) => line.exchangeVariantId).filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .select({
      variantId: inventoryLevels.variantId,
      available: sql<number>`sum(greatest(${inventoryLevels.onHand} - ${inventoryLevels.reserved} - ${inventoryLevels.safetyStock}, 0))::int`,
    })
    .from(inventoryLevels)
    .innerJoin(locations, eq(locations.id, inventoryLevels.locationId))
    .where(and(eq(inventoryLevels.shopId, shopId), inArray(inventoryLevels.variantId, wanted), eq(locations.active, true), eq(locations.canShip, true)))
    .groupBy(inventoryLevels.variantId);
  return new Map(rows.map((row) => [row.variantId, row.available]));
}

export async function defaultReturnLocation(tx: Tx, shopId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: locations.id })
    .from(locations)
    .where(and(eq(locations.shopId, shopId), eq(locations.active, true)))
    .orderBy(asc(locations.priority), asc(locations.id))
    .limit(1);
  return row?.id ?? null;
}

/** RMA numbers read like the order: "#1001-R1", "#1001-R2". Serialised by the order row lock. */
export async function nextRmaNumber(tx: Tx, shopId: string, orderNumber: string): Promise<string> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(returns)
    .innerJoin(orders, eq(orders.id, returns.orderId))
    .where(and(eq(returns.shopId, shopId), eq(orders.number, orderNumber)));
  return `${orderNumber}-R${(row?.count ?? 0) + 1}`;
}

export interface ReturnEventEntry {
  kind: string;
  message: string;
  actor: string;
  data?: Record<string, unknown>;
}

export async function appendReturnEvents(db: DbOrTx, shopId: string, returnId: string, entries: readonly ReturnEventEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(returnEvents).values(entries.map((entry) => ({ shopId, returnId, kind: entry.kind, message: entry.message, actor: entry.actor, data: entry.data ?? {} })));
}

function emptyQuote(): ReturnQuote {
  return { lines: [], acceptable: true, itemsValueMinor: 0, restockingFeeMinor: 0, returnShippingFeeMinor: 0, storeCreditBonusMinor: 0, payoutMinor: 0, keepItem: false, explanation: [] };
}

