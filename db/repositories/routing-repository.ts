import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Policies } from "../../core/config/default-policies";
import { defaultPolicies } from "../../core/config/default-policies";
import { available } from "../../core/inventory/stock-balance";
import { transition } from "../../core/orders/order-state-machine";
import { orderStatusSchema } from "../../core/orders/order-status";
import type { PostalAddress } from "../../core/orders/unified-order";
import type { FulfilmentChoice } from "../../core/routing/fulfilment-method";
import { resolvePoint } from "../../core/routing/postal-geocoder";
import { reservationMoves, type HeldUnits } from "../../core/routing/reservation-moves";
import { decideRouting, type RoutingDecision } from "../../core/routing/routing-decision";
import { routingSettingsSchema, type RoutingSettings } from "../../core/routing/routing-settings";
import type { RoutingLocation, RoutingRequest } from "../../core/routing/routing-types";
import type { Database, DbOrTx, Tx } from "../client";
import { allocations, locations, orderLines, orderLocationRejections, orders, routingDecisions, shopRoutingSettings } from "../schema";
import { enqueueJob } from "../queue/job-queue";
import type { RiskFinding } from "../../core/orders/risk-rules";
import { appendTimeline, raiseExceptions } from "./order-timeline-repository";
import { loadOrderSource, type StoredOrderSource } from "./order-source-repository";
import { assessOrderRisk } from "./risk-repository";
import { lockLevels, recordMovements, scheduleStockSync, type LevelMovement } from "./stock-ledger-repository";

/**
 * Routing after reservation: the order was reserved at intake by the reservation strategy; this
 * decides where it really ships from (core/routing), moves the reservation there through ledger
 * movements under the same row-lock discipline as reservation (levels locked in id order), and
 * stores the decision with its explanation. One transaction per order, so a crash leaves either
 * the old reservation and no decision, or the new one and its decision.
 */

export type RoutingTrigger = "intake" | "location_rejected" | "admin_reroute";

/** Coalesces a burst of newly reserved orders into one routing run per shop, a moment later. */
export async function scheduleRouting(tx: DbOrTx, shopId: string, delayMs = 500): Promise<void> {
  await enqueueJob(
    tx,
    "orders/route",
    { shopId },
    { jobKey: `route-orders:${shopId}`, jobKeyMode: "preserve_run_at", runAt: new Date(Date.now() + delayMs) },
  );
}

export async function loadRoutingSettings(db: DbOrTx, shopId: string, policies: Policies = defaultPolicies): Promise<RoutingSettings> {
  const [row] = await db.select({ settings: shopRoutingSettings.settings }).from(shopRoutingSettings).where(eq(shopRoutingSettings.shopId, shopId));
  if (!row) return policies.routingSettings;
  // A stored row from an older shape falls back to the defaults rather than failing every route.
  const parsed = routingSettingsSchema.safeParse(row.settings);
  return parsed.success ? parsed.data : policies.routingSettings;
}

export async function saveRoutingSettings(db: DbOrTx, shopId: string, settings: RoutingSettings, actor: string): Promise<void> {
  const valid = routingSettingsSchema.parse(settings);
  await db
    .insert(shopRoutingSettings)
    .values({ shopId, settings: valid, updatedBy: actor })
    .onConflictDoUpdate({ target: shopRoutingSettings.shopId, set: { settings: valid, updatedBy: actor, updatedAt: sql`now()` } });
}

/**
 * Reads how an order is to be received (ship, pickup, curbside) from its channel payload, wherever
 * that is kept; channel-specific, so injected by the job.
 */
export type FulfilmentResolver = (
  order: { channel: string; source: StoredOrderSource },
  locations: readonly { id: string; name: string }[],
) => FulfilmentChoice;

export const shipEverything: FulfilmentResolver = () => ({ method: "ship" });

export interface RouteOrdersResult {
  routed: number;
  unroutable: number;
  /** Put on hold by our risk and payment rules instead of being routed. */
  held: number;
  /** More reserved orders are waiting than one run takes; the caller schedules another. */
  more: boolean;
}

/**
 * What routing's burst rule reads (core/routing/routing-deferral.ts): how many deliveries wait in
 * the shop's inbox (counted up to `cap`, on the inbox's partial index of pending rows) and how long
 * the longest-waiting reserved order without a routing decision has waited since it was captured.
 */
export async function routingWaitState(db: DbOrTx, shopId: string, cap: number): Promise<{ pendingDeliveries: number; oldestWaitingMs: number | null }> {
  const result = await db.execute<{ pending: number; waited_ms: number | null }>(sql`
    SELECT (SELECT count(*)::int FROM (SELECT 1 FROM webhook_deliveries WHERE shop_id = ${shopId}::uuid AND status = 'received' LIMIT ${cap}) q) AS pending,
           (SELECT (extract(epoch FROM now() - o.created_at) * 1000)::float8 FROM orders o
             WHERE o.shop_id = ${shopId}::uuid AND o.status = 'reserved'
               AND NOT EXISTS (SELECT 1 FROM routing_decisions d WHERE d.order_id = o.id AND d.current)
             ORDER BY o.placed_at, o.id LIMIT 1) AS waited_ms`);
  const row = result.rows[0]!;
  return { pendingDeliveries: Number(row.pending), oldestWaitingMs: row.waited_ms === null ? null : Number(row.waited_ms) };
}

/** Routes every reserved order of the shop that has no current decision, oldest first. */
export async function routePendingOrders(
  db: Database,
  shopId: string,
  options: { policies?: Policies; resolveFulfilment?: FulfilmentResolver; limit?: number; actor?: string } = {},
): Promise<RouteOrdersResult> {
  const limit = options.limit ?? 100;
  const pending = await db.execute<{ id: string }>(sql`
    SELECT o.id FROM orders o
     WHERE o.shop_id = ${shopId}::uuid AND o.status = 'reserved'
       AND NOT EXISTS (SELECT 1 FROM routing_decisions d WHERE d.order_id = o.id AND d.current)
     ORDER BY o.placed_at, o.id
     LIMIT ${limit + 1}`);
  const ids = pending.rows.slice(0, limit).map((row) => row.id);
  const result: RouteOrdersResult = { routed: 0, unroutable: 0, held: 0, more: pending.rows.length > limit };
  for (const orderId of ids) {
    const outcome = await db.transaction((tx) =>
      routeOrder(tx, { shopId, orderId, trigger: "intake", actor: options.actor ?? "routing" }, options),
    );
    if (outcome?.kind === "held") result.held++;
    else if (outcome?.decision.status === "routed") result.routed++;
    else if (outcome) result.unroutable++;
  }
  return result;
}

export type RouteOrderOutcome =
  | { kind: "routed"; decision: RoutingDecision; decisionId: string; movedUnits: number }
  | { kind: "held"; findings: RiskFinding[] };

/**
 * Routes one order inside the caller's transaction. Returns undefined when the order is not
 * (or no longer) waiting for routing: another worker got there first, or it was cancelled.
 */
export async function routeOrder(
  tx: Tx,
  input: { shopId: string; orderId: string; trigger: RoutingTrigger; actor: string },
  options: { policies?: Policies; resolveFulfilment?: FulfilmentResolver } = {},
): Promise<RouteOrderOutcome | undefined> {
  const policies = options.policies ?? defaultPolicies;
  const [order] = await tx
    .select({
      id: orders.id,
      status: orders.status,
      channel: orders.channel,
      shippingAddress: orders.shippingAddress,
      billingAddress: orders.billingAddress,
      sourcePayload: orders.sourcePayload,
      sourceDeliveryId: orders.sourceDeliveryId,
      currency: orders.currency,
      totalMinor: orders.totalMinor,
      financialStatus: orders.financialStatus,
      customerEmail: orders.customerEmail,
      placedAt: orders.placedAt,
    })
    .from(orders)
    .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)))
    .for("update");
  if (!order || order.status !== "reserved") return undefined;
  const [already] = await tx
    .select({ id: routingDecisions.id })
    .from(routingDecisions)
    .where(and(eq(routingDecisions.orderId, order.id), eq(routingDecisions.current, true)));
  if (already) return undefined;

  // Our own risk and payment rules run before anything is moved or picked (the channel's own
  // signal was applied at intake). A person who released a hold on the order is not overruled.
  const findings = await assessOrderRisk(tx, { ...order, shopId: input.shopId }, policies.riskRules);
  if (findings.length > 0) {
    await holdForRisk(tx, input, order.financialStatus, findings);
    return { kind: "held", findings };
  }

  const lines = await tx
    .select({ id: orderLines.id, variantId: orderLines.variantId, quantity: orderLines.quantity, fulfilledQuantity: orderLines.fulfilledQuantity })
    .from(orderLines)
    .where(and(eq(orderLines.orderId, order.id), eq(orderLines.carriesStock, true)));
  const held = await tx
    .select()
    .from(allocations)
    .where(and(eq(allocations.orderId, order.id), eq(allocations.status, "reserved")))
    .for("update");
  const routable = lines
    .filter((line) => line.variantId !== null)
    .map((line) => ({ lineId: line.id, variantId: line.variantId!, quantity: line.quantity - line.fulfilledQuantity }))
    .filter((line) => line.quantity > 0);

  // Same discipline as reservation: every level these variants have, locked in id order.
  const levels = await lockLevels(tx, input.shopId, routable.map((line) => line.variantId));
  const ownHeld = new Map<string, number>();
  for (const a of held) ownHeld.set(`${a.variantId}|${a.locationId}`, (ownHeld.get(`${a.variantId}|${a.locationId}`) ?? 0) + a.quantity);

  const shopLocations = await loadRoutingLocations(tx, input.shopId);
  const rejected = await tx
    .select({ locationId: orderLocationRejections.locationId })
    .from(orderLocationRejections)
    .where(eq(orderLocationRejections.orderId, order.id));
  // The payload is read (from the delivery it arrived in, mostly) only for a resolver that uses it.
  const resolve = options.resolveFulfilment ?? shipEverything;
  const source: StoredOrderSource = options.resolveFulfilment ? await loadOrderSource(tx, order) : { kind: "none" };
  const choice = resolve({ channel: order.channel, source }, shopLocations);
  const settings = await loadRoutingSettings(tx, input.shopId, policies);

  const request: RoutingRequest = {
    lines: routable,
    stock: levels.map((level) => ({
      levelId: level.id,
      variantId: level.variantId,
      locationId: level.locationId,
      // The order may keep or move what it already holds, so its own units count as available.
      available: available(level) + (ownHeld.get(`${level.variantId}|${level.locationId}`) ?? 0),
    })),
    locations: shopLocations,
    destination: resolvePoint(addressForGeocoding(order.shippingAddress)),
    method: choice.method,
    ...(choice.pickupLocationId ? { pickupLocationId: choice.pickupLocationId } : {}),
    rejectedLocationIds: rejected.map((r) => r.locationId),
  };
  const decision = decideRouting(request, settings, policies.routing);

  let movedUnits = 0;
  let moves: { lineId: string; fromLocationId: string | null; toLocationId: string | null; quantity: number }[] = [];
  // A partial or unroutable decision keeps the reservation where it is: moving half an order
  // would only make the shortfall harder to read. The exception asks a person instead.
  if (decision.status === "routed") {
    const current: HeldUnits[] = held.map((a) => ({ lineId: a.orderLineId, variantId: a.variantId, locationId: a.locationId, quantity: a.quantity }));
    const target: HeldUnits[] = decision.allocations.map((a) => ({ lineId: a.lineId, variantId: a.variantId, locationId: a.locationId, quantity: a.quantity }));
    const planned = reservationMoves(current, target);
    movedUnits = planned.reserve.reduce((sum, u) => sum + u.quantity, 0);
    moves = [
      ...planned.release.map((u) => ({ lineId: u.lineId, fromLocationId: u.locationId, toLocationId: null, quantity: u.quantity })),
      ...planned.reserve.map((u) => ({ lineId: u.lineId, fromLocationId: null, toLocationId: u.locationId, quantity: u.quantity })),
    ];
    if (planned.release.length > 0 || planned.reserve.length > 0) {
      await applyMoves(tx, input, held, levels, planned);
    }
  }

  await tx
    .update(routingDecisions)
    .set({ current: false })
    .where(and(eq(routingDecisions.orderId, order.id), eq(routingDecisions.current, true)));
  const [stored] = await tx
    .insert(routingDecisions)
    .values({
      shopId: input.shopId,
      orderId: order.id,
      trigger: input.trigger,
      status: decision.status,
      method: decision.method,
      strategy: decision.strategy,
      search: decision.search,
      locationIds: decision.shipments.map((s) => s.locationId),
      estimatedCostMinor: decision.estimatedCostMinor,
      currency: decision.currency,
      deliveryDays: decision.deliveryDays ?? null,
      score: decision.score,
      summary: decision.explanation.summary,
      explanation: decision.explanation,
      shipments: [...decision.shipments],
      uncovered: [...decision.uncovered],
      moves,
      actor: input.actor,
    })
    .returning({ id: routingDecisions.id });

  const timeline = [
    {
      kind: "routing",
      message: `${decision.explanation.summary}${movedUnits > 0 ? ` Moved ${movedUnits} reserved unit${movedUnits === 1 ? "" : "s"}.` : ""}`,
      actor: input.actor,
      data: { decisionId: stored!.id, trigger: input.trigger, status: decision.status },
    },
  ];
  if (decision.status === "routed") {
    const outcome = transition(orderStatusSchema.parse(order.status), "allocate");
    if (outcome.ok) {
      await tx.update(orders).set({ status: outcome.to, updatedAt: sql`now()` }).where(eq(orders.id, order.id));
      timeline.push({ kind: "status", message: `Status: ${outcome.to}`, actor: input.actor, data: { decisionId: stored!.id, trigger: input.trigger, status: decision.status } });
    }
  } else {
    await raiseExceptions(
      tx,
      input.shopId,
      [
        {
          kind: "unroutable",
          message: decision.explanation.summary,
          details: { decisionId: stored!.id, uncovered: decision.uncovered.map((u) => ({ lineId: u.lineId, missing: u.missing, reason: u.reason })) },
        },
      ],
      { orderId: order.id },
    );
  }
  await appendTimeline(tx, input.shopId, order.id, timeline);
  if (movedUnits > 0) await scheduleStockSync(tx, input.shopId, [...new Set(decision.allocations.map((a) => a.variantId))]);
  return { kind: "routed", decision, decisionId: stored!.id, movedUnits };
}

async function holdForRisk(tx: Tx, input: { shopId: string; orderId: string; actor: string }, financialStatus: string, findings: RiskFinding[]): Promise<void> {
  const outcome = transition("reserved", "hold");
  if (!outcome.ok) return;
  await tx.update(orders).set({ status: outcome.to, updatedAt: sql`now()` }).where(eq(orders.id, input.orderId));
  const declined = financialStatus === "declined" || financialStatus === "voided";
  await raiseExceptions(
    tx,
    input.shopId,
    findings.map((finding) => ({
      kind: finding.hold === "risk" ? "high_risk" : declined ? "payment_declined" : "payment_pending",
      message: `On hold: ${finding.reason}`,
      details: { rule: finding.rule, source: "switchyard_rules" },
    })),
    { orderId: input.orderId },
  );
  await appendTimeline(tx, input.shopId, input.orderId, [
    {
      kind: "hold",
      message: `On hold before routing: ${findings.map((f) => f.reason).join("; ")}`,
      actor: input.actor,
      data: { holds: [...new Set(findings.map((f) => f.hold))], rules: findings.map((f) => f.rule) },
    },
  ]);
}

async function applyMoves(
  tx: Tx,
  input: { shopId: string; orderId: string; actor: string },
  held: (typeof allocations.$inferSelect)[],
  levels: Awaited<ReturnType<typeof lockLevels>>,
  planned: ReturnType<typeof reservationMoves>,
): Promise<void> {
  const levelAt = new Map(levels.map((level) => [`${level.variantId}|${level.locationId}`, level]));
  const movements: LevelMovement[] = [];
  const reason = "routed to another location";
  for (const unit of planned.release) {
    movements.push({
      level: levelAt.get(`${unit.variantId}|${unit.locationId}`)!,
      movement: { kind: "release", quantity: unit.quantity, cause: { type: "order_line", id: unit.lineId }, actor: input.actor, reason },
    });
    // Release whole rows, then re-hold what stays at this location as one row.
    const rows = held.filter((a) => a.orderLineId === unit.lineId && a.locationId === unit.locationId);
    const kept = rows.reduce((sum, a) => sum + a.quantity, 0) - unit.quantity;
    await tx.update(allocations).set({ status: "released", updatedAt: sql`now()` }).where(inArray(allocations.id, rows.map((a) => a.id)));
    if (kept > 0) {
      await tx.insert(allocations).values({
        shopId: input.shopId,
        orderId: input.orderId,
        orderLineId: unit.lineId,
        variantId: unit.variantId,
        locationId: unit.locationId,
        quantity: kept,
      });
    }
  }
  for (const unit of planned.reserve) {
    const level = levelAt.get(`${unit.variantId}|${unit.locationId}`);
    if (!level) throw new Error(`routing chose ${unit.locationId} for ${unit.variantId}, which has no level there`);
    movements.push({
      level,
      movement: { kind: "reserve", quantity: unit.quantity, cause: { type: "order_line", id: unit.lineId }, actor: input.actor, reason: "routed here" },
    });
    await tx.insert(allocations).values({
      shopId: input.shopId,
      orderId: input.orderId,
      orderLineId: unit.lineId,
      variantId: unit.variantId,
      locationId: unit.locationId,
      quantity: unit.quantity,
    });
  }
  // Releases first in the ledger, so the balance never shows the order holding both places.
  await recordMovements(tx, input.shopId, movements);
}

/** Every location of the shop with today's workload (orders routed there since midnight UTC). */
export async function loadRoutingLocations(db: DbOrTx, shopId: string): Promise<RoutingLocation[]> {
  const rows = await db.select().from(locations).where(eq(locations.shopId, shopId)).orderBy(asc(locations.priority), asc(locations.id));
  const workload = await db.execute<{ location_id: string; orders: string }>(sql`
    SELECT l AS location_id, count(DISTINCT d.order_id) AS orders
      FROM routing_decisions d, unnest(d.location_ids) AS l
     WHERE d.shop_id = ${shopId}::uuid AND d.current AND d.status = 'routed'
       AND d.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
     GROUP BY l`);
  const today = new Map(workload.rows.map((row) => [row.location_id, Number(row.orders)]));
  return rows.map((row) => {
    const point = resolvePoint({ postalCode: row.postalCode, countryCode: row.countryCode, latitude: row.latitude, longitude: row.longitude });
    return {
      id: row.id,
      name: row.name,
      priority: row.priority,
      active: row.active,
      canShip: row.canShip,
      canPickup: row.canPickup,
      canCurbside: row.canCurbside,
      ...(row.dailyCapacity === null ? {} : { dailyCapacity: row.dailyCapacity }),
      ordersToday: today.get(row.id) ?? 0,
      ...(point.point ? { point: point.point } : {}),
      countryCode: row.countryCode,
    };
  });
}

function addressForGeocoding(address: PostalAddress | null) {
  if (!address) return null;
  return {
    postalCode: address.postalCode ?? null,
    countryCode: address.countryCode,
    latitude: address.latitude ?? null,
    longitude: address.longitude ?? null,
  };
}

/**
 * A location rejects the order or cannot ship it (or a person asks to route again): the order
 * goes back to `reserved` with its reservation where it is, the current decision is retired,
 * and routing runs again without that location.
 */
export async function sendBackToRouting(
  db: Database,
  input: { shopId: string; orderId: string; actor: string; rejectedLocationId?: string; reason: string },
): Promise<{ ok: true } | { ok: false; reason: string }> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select({ id: orders.id, status: orders.status })
      .from(orders)
      .where(and(eq(orders.shopId, input.shopId), eq(orders.id, input.orderId)))
      .for("update");
    if (!order) return { ok: false, reason: "order_not_found" };
    const status = orderStatusSchema.parse(order.status);
    let next = status;
    if (status !== "reserved") {
      const outcome = transition(status, "deallocate");
      if (!outcome.ok) return { ok: false, reason: outcome.reason };
      next = outcome.to;
    }
    if (input.rejectedLocationId) {
      await tx.insert(orderLocationRejections).values({
        shopId: input.shopId,
        orderId: order.id,
        locationId: input.rejectedLocationId,
        reason: input.reason,
        actor: input.actor,
      });
    }
    await tx.update(routingDecisions).set({ current: false }).where(and(eq(routingDecisions.orderId, order.id), eq(routingDecisions.current, true)));
    await tx.update(orders).set({ status: next, updatedAt: sql`now()` }).where(eq(orders.id, order.id));
    await appendTimeline(tx, input.shopId, order.id, [
      {
        kind: input.rejectedLocationId ? "location_rejected" : "reroute",
        message: input.rejectedLocationId ? `Location rejected the order: ${input.reason}; routing again` : `Routing again: ${input.reason}`,
        actor: input.actor,
        data: { from: status, to: next, locationId: input.rejectedLocationId ?? null },
      },
    ]);
    await scheduleRouting(tx, input.shopId, 0);
    return { ok: true };
  });
}

export interface RoutingHistoryEntry {
  id: string;
  trigger: string;
  status: string;
  method: string;
  search: string;
  current: boolean;
  summary: string;
  estimatedCostMinor: number;
  currency: string;
  deliveryDays: number | null;
  explanation: RoutingDecision["explanation"];
  shipments: RoutingDecision["shipments"];
  uncovered: RoutingDecision["uncovered"];
  moves: { lineId: string; fromLocationId: string | null; toLocationId: string | null; quantity: number }[];
  actor: string;
  createdAt: string;
}

/** The order's current decision stops being current: the next routing run decides afresh. */
export async function retireRoutingDecision(tx: Tx, orderId: string): Promise<void> {
  await tx.update(routingDecisions).set({ current: false }).where(and(eq(routingDecisions.orderId, orderId), eq(routingDecisions.current, true)));
}

export async function routingHistory(db: DbOrTx, shopId: string, orderId: string): Promise<RoutingHistoryEntry[]> {
  const rows = await db
    .select()
    .from(routingDecisions)
    .where(and(eq(routingDecisions.shopId, shopId), eq(routingDecisions.orderId, orderId)))
    .orderBy(sql`${routingDecisions.createdAt} DESC, ${routingDecisions.id}`);
  return rows.map((row) => ({
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    method: row.method,
    search: row.search,
    current: row.current,
    summary: row.summary,
    estimatedCostMinor: row.estimatedCostMinor,
    currency: row.currency,
    deliveryDays: row.deliveryDays,
    explanation: row.explanation,
    shipments: row.shipments,
    uncovered: row.uncovered,
    moves: row.moves,
    actor: row.actor,
    createdAt: row.createdAt.toISOString(),
  }));
}

export async function rejectionsFor(db: DbOrTx, orderId: string) {
  return db.select().from(orderLocationRejections).where(eq(orderLocationRejections.orderId, orderId)).orderBy(asc(orderLocationRejections.createdAt));
}

