import { err, ok } from "../../core/shared/result.js";
import { describeUserErrors, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import { FULFILLMENT_ORDER_MOVE_MUTATION } from "./graphql-documents.js";
import type { ConnectorResult } from "./shopify-connector-types.js";
import { fromApiFailure } from "./shopify-connector-paging.js";

/**
 * Shopify assigns each order's fulfillment orders to a location of its own choosing; when
 * Switchyard routed the goods elsewhere, Shopify refuses a fulfillment from our location until
 * the lines are moved there. This moves exactly the units the shipment needs (or, with no lines
 * given, everything open) from fulfillment orders at other locations with fulfillmentOrderMove.
 */

export interface MovableFulfillmentOrder {
  id: string;
  status: string;
  assignedLocation: { location: { id: string } | null };
  lineItems: { nodes: { id: string; remainingQuantity: number; lineItem: { id: string } }[] };
}

export interface MovePlanEntry {
  fulfillmentOrderId: string;
  lineItems: { id: string; quantity: number }[];
}

/** Pure: which fulfillment order lines must move to `locationId` for the wanted quantities. */
export function planFulfillmentOrderMoves(
  fulfillmentOrders: readonly MovableFulfillmentOrder[],
  locationId: string,
  wanted: readonly { lineItemId: string; quantity: number }[] | undefined,
): MovePlanEntry[] {
  const open = fulfillmentOrders.filter((fo) => fo.status === "OPEN" || fo.status === "IN_PROGRESS");
  const here = open.filter((fo) => fo.assignedLocation.location?.id === locationId);
  const elsewhere = open.filter((fo) => fo.assignedLocation.location?.id !== locationId);
  let need: Map<string, number>;
  if (wanted) {
    need = new Map<string, number>();
    for (const w of wanted) need.set(w.lineItemId, (need.get(w.lineItemId) ?? 0) + w.quantity);
    for (const fo of here) {
      for (const line of fo.lineItems.nodes) {
        const left = need.get(line.lineItem.id) ?? 0;
        if (left > 0) need.set(line.lineItem.id, Math.max(0, left - line.remainingQuantity));
      }
    }
  } else {
    // No lines named: the whole remainder ships from here, unless something is already here.
    if (here.some((fo) => fo.lineItems.nodes.some((l) => l.remainingQuantity > 0))) return [];
    need = new Map();
    for (const fo of elsewhere) for (const l of fo.lineItems.nodes) need.set(l.lineItem.id, (need.get(l.lineItem.id) ?? 0) + l.remainingQuantity);
  }
  const plan: MovePlanEntry[] = [];
  for (const fo of elsewhere) {
    const lineItems: { id: string; quantity: number }[] = [];
    for (const line of fo.lineItems.nodes) {
      const left = need.get(line.lineItem.id) ?? 0;
      const take = Math.min(left, line.remainingQuantity);
      if (take <= 0) continue;
      need.set(line.lineItem.id, left - take);
      lineItems.push({ id: line.id, quantity: take });
    }
    if (lineItems.length > 0) plan.push({ fulfillmentOrderId: fo.id, lineItems });
  }
  return plan;
}

export async function moveFulfillmentOrders(
  client: AdminGraphqlClient,
  plan: readonly MovePlanEntry[],
  locationId: string,
): Promise<ConnectorResult<{ moved: number }>> {
  type Data = {
    fulfillmentOrderMove: {
      movedFulfillmentOrder: { id: string } | null;
      userErrors: (ShopifyUserError & { code?: string | null })[];
    } | null;
  };
  let moved = 0;
  for (const entry of plan) {
    const result = await client.request<Data>(FULFILLMENT_ORDER_MOVE_MUTATION, {
      id: entry.fulfillmentOrderId,
      newLocationId: locationId,
      fulfillmentOrderLineItems: entry.lineItems,
    });
    if (!result.ok) return fromApiFailure(result);
    const payload = result.data.fulfillmentOrderMove;
    if (!payload || payload.userErrors.length > 0 || !payload.movedFulfillmentOrder) {
      return err("user_errors", `fulfillmentOrderMove to ${locationId}: ${describeUserErrors(payload?.userErrors ?? []) || "no fulfillment order moved"}`);
    }
    moved += 1;
  }
  return ok({ moved });
}
