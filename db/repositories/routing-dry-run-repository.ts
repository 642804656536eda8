import { and, desc, eq, inArray } from "drizzle-orm";
import type { Policies } from "../../core/config/default-policies";
import { defaultPolicies } from "../../core/config/default-policies";
import { available } from "../../core/inventory/stock-balance";
import { resolvePoint } from "../../core/routing/postal-geocoder";
import { decideRouting } from "../../core/routing/routing-decision";
import type { RoutingSettings } from "../../core/routing/routing-settings";
import { FULFILMENT_METHODS, type FulfilmentMethod } from "../../core/routing/routing-types";
import type { Database } from "../client";
import { allocations, inventoryLevels, orderLines, orderLocationRejections, orders, routingDecisions } from "../schema";
import { loadRoutingLocations } from "./routing-repository";

/**
 * What proposed routing rules would have done with the shop's last N routed orders, against
 * today's stock, without locking or changing anything: which orders would go elsewhere and
 * what the labels would cost. The merchant sees the effect before saving.
 */
export interface DryRunRow {
  orderId: string;
  number: string;
  currentLocations: string[];
  proposedLocations: string[];
  currentCostMinor: number;
  proposedCostMinor: number;
  currentDays: number | null;
  proposedDays: number | null;
  currency: string;
  changed: boolean;
  proposedStatus: string;
  proposedSummary: string;
}

export interface DryRunResult {
  rows: DryRunRow[];
  changed: number;
  currentCostMinor: number;
  proposedCostMinor: number;
  currency: string;
}

export async function dryRunRouting(
  db: Database,
  shopId: string,
  settings: RoutingSettings,
  lastN: number,
  policies: Policies = defaultPolicies,
): Promise<DryRunResult> {
  const recent = await db
    .select({
      orderId: orders.id,
      number: orders.number,
      shippingAddress: orders.shippingAddress,
      decisionCreatedAt: routingDecisions.createdAt,
      method: routingDecisions.method,
      locationIds: routingDecisions.locationIds,
      shipments: routingDecisions.shipments,
      cost: routingDecisions.estimatedCostMinor,
      days: routingDecisions.deliveryDays,
      currency: routingDecisions.currency,
    })
    .from(routingDecisions)
    .innerJoin(orders, eq(orders.id, routingDecisions.orderId))
    .where(and(eq(routingDecisions.shopId, shopId), eq(routingDecisions.current, true), eq(routingDecisions.status, "routed")))
    .orderBy(desc(routingDecisions.createdAt))
    .limit(lastN);
  if (recent.length === 0) return { rows: [], changed: 0, currentCostMinor: 0, proposedCostMinor: 0, currency: settings.rateCard.currency };

  const ids = recent.map((r) => r.orderId);
  const lines = await db
    .select({ id: orderLines.id, orderId: orderLines.orderId, variantId: orderLines.variantId, quantity: orderLines.quantity, fulfilledQuantity: orderLines.fulfilledQuantity })
    .from(orderLines)
    .where(and(inArray(orderLines.orderId, ids), eq(orderLines.carriesStock, true)));
  const held = await db
    .select({ orderId: allocations.orderId, variantId: allocations.variantId, locationId: allocations.locationId, quantity: allocations.quantity })
    .from(allocations)
    .where(and(inArray(allocations.orderId, ids), inArray(allocations.status, ["reserved", "shipped"])));
  const variantIds = [...new Set(lines.flatMap((l) => (l.variantId ? [l.variantId] : [])))];
  const levels = variantIds.length
    ? await db.select().from(inventoryLevels).where(and(eq(inventoryLevels.shopId, shopId), inArray(inventoryLevels.variantId, variantIds)))
    : [];
  const rejections = await db.select().from(orderLocationRejections).where(inArray(orderLocationRejections.orderId, ids));
  const shopLocations = await loadRoutingLocations(db, shopId);
  const names = new Map(shopLocations.map((l) => [l.id, l.name]));
  const startOfDay = new Date();
  startOfDay.setUTCHours(0, 0, 0, 0);

  const rows: DryRunRow[] = [];
  for (const order of recent) {
    const own = new Map<string, number>();
    for (const h of held) if (h.orderId === order.orderId) own.set(`${h.variantId}|${h.locationId}`, (own.get(`${h.variantId}|${h.locationId}`) ?? 0) + h.quantity);
    const orderVariants = new Set(lines.filter((l) => l.orderId === order.orderId && l.variantId).map((l) => l.variantId!));
    const countedToday = order.decisionCreatedAt >= startOfDay ? new Set(order.locationIds) : new Set<string>();
    const method: FulfilmentMethod = (FULFILMENT_METHODS as readonly string[]).includes(order.method) ? (order.method as FulfilmentMethod) : "ship";
    const decision = decideRouting(
      {
        lines: lines
          .filter((l) => l.orderId === order.orderId && l.variantId && l.quantity > 0)
          .map((l) => ({ lineId: l.id, variantId: l.variantId!, quantity: l.quantity })),
        stock: levels
          .filter((level) => orderVariants.has(level.variantId))
          .map((level) => ({
            levelId: level.id,
            variantId: level.variantId,
            locationId: level.locationId,
            // Its own units count as free: shipped ones as if the parcel had not left yet.
            available: available(level) + (own.get(`${level.variantId}|${level.locationId}`) ?? 0),
          })),
        // This order's own place in today's workload is not held against it.
        locations: shopLocations.map((l) => ({ ...l, ordersToday: Math.max(0, l.ordersToday - (countedToday.has(l.id) ? 1 : 0)) })),
        destination: resolvePoint(order.shippingAddress ? { postalCode: order.shippingAddress.postalCode ?? null, countryCode: order.shippingAddress.countryCode, latitude: order.shippingAddress.latitude ?? null, longitude: order.shippingAddress.longitude ?? null } : null),
        method,
        ...(method !== "ship" && order.locationIds[0] ? { pickupLocationId: order.locationIds[0] } : {}),
        rejectedLocationIds: rejections.filter((r) => r.orderId === order.orderId).map((r) => r.locationId),
      },
      settings,
      policies.routing,
    );
    const proposed = decision.shipments.map((s) => s.locationId);
    const changed = [...proposed].sort().join(",") !== [...order.locationIds].sort().join(",");
    rows.push({
      orderId: order.orderId,
      number: order.number,
      currentLocations: order.locationIds.map((id) => names.get(id) ?? id),
      proposedLocations: decision.shipments.map((s) => s.locationName),
      currentCostMinor: order.cost,
      proposedCostMinor: decision.estimatedCostMinor,
      currentDays: order.days,
      proposedDays: decision.deliveryDays ?? null,
      currency: decision.currency,
      changed,
      proposedStatus: decision.status,
      proposedSummary: decision.explanation.summary,
    });
  }
  return {
    rows,
    changed: rows.filter((r) => r.changed).length,
    currentCostMinor: rows.reduce((s, r) => s + r.currentCostMinor, 0),
    proposedCostMinor: rows.reduce((s, r) => s + r.proposedCostMinor, 0),
    currency: settings.rateCard.currency,
  };
}

