import { err, ok } from "../../core/shared/result.js";
import { describeUserErrors, type AdminGraphqlClient, type ShopifyUserError } from "./admin-graphql-client.js";
import { FULFILLMENT_CREATE_MUTATION, ORDER_FULFILLMENT_ORDERS_QUERY } from "./graphql-documents.js";
import type { ConfirmFulfillmentInput, ConnectorResult } from "./shopify-connector-types.js";
import { fromApiFailure } from "./shopify-connector-paging.js";
import { moveFulfillmentOrders, planFulfillmentOrderMoves } from "./shopify-fulfillment-order-move.js";

/** Confirms a shipment as one Shopify fulfillment (one parcel, one location); a repeat with the same tracking number is a no-op. */

export async function confirmFulfillment(
  client: AdminGraphqlClient,
  input: ConfirmFulfillmentInput,
): Promise<ConnectorResult<{ fulfillmentId: string; status: string; alreadyConfirmed: boolean }>> {
  type FoLine = { id: string; sku: string | null; remainingQuantity: number; totalQuantity: number; lineItem: { id: string } };
  type Fo = {
    id: string;
    status: string;
    assignedLocation: { name: string; location: { id: string } | null };
    lineItems: { pageInfo: { hasNextPage: boolean }; nodes: FoLine[] };
  };
  type ExistingFulfillment = { id: string; status: string; trackingInfo: { company: string | null; number: string | null }[] };
  const fos = await client.request<{
    order: { id: string; fulfillments: ExistingFulfillment[]; fulfillmentOrders: { pageInfo: { hasNextPage: boolean }; nodes: Fo[] } } | null;
  }>(
    ORDER_FULFILLMENT_ORDERS_QUERY,
    { orderId: input.orderId },
  );
  if (!fos.ok) return fromApiFailure(fos);
  if (!fos.data.order) return err("not_found", `order ${input.orderId} not found`);
  // A retried job must not ship twice: the same tracking number means it was already confirmed.
  const ignored = new Set(input.ignoreFulfillmentIds ?? []);
  const existing = fos.data.order.fulfillments.find(
    (f) => !ignored.has(f.id) && f.trackingInfo.some((t) => t.number === input.tracking.number),
  );
  if (existing) return ok({ fulfillmentId: existing.id, status: existing.status, alreadyConfirmed: true });
  let page = fos.data.order.fulfillmentOrders;
  if (page.pageInfo.hasNextPage || page.nodes.some((fo) => fo.lineItems.pageInfo.hasNextPage)) {
    // Confirming from a partial view could mark the wrong lines shipped; a person must look.
    return err("order_too_large", `order ${input.orderId} has more fulfillment orders or lines than one read returns`);
  }
  if (input.locationId) {
    // Switchyard routed the parcel to a location Shopify did not assign: move the lines first.
    const moves = planFulfillmentOrderMoves(page.nodes, input.locationId, input.lines);
    if (moves.length > 0) {
      const moved = await moveFulfillmentOrders(client, moves, input.locationId);
      if (!moved.ok) return moved;
      const reread = await client.request<typeof fos.data>(ORDER_FULFILLMENT_ORDERS_QUERY, { orderId: input.orderId });
      if (!reread.ok) return fromApiFailure(reread);
      if (!reread.data.order) return err("not_found", `order ${input.orderId} not found`);
      page = reread.data.order.fulfillmentOrders;
    }
  }

  // Only fulfillment orders that can still ship; closed or cancelled ones refuse fulfillments.
  const open = page.nodes.filter(
    (fo) =>
      (fo.status === "OPEN" || fo.status === "IN_PROGRESS") &&
      (!input.locationId || fo.assignedLocation.location?.id === input.locationId) &&
      fo.lineItems.nodes.some((l) => l.remainingQuantity > 0),
  );
  const locations = new Set(open.map((fo) => fo.assignedLocation.location?.id ?? fo.assignedLocation.name));
  if (locations.size > 1) {
    // One fulfillment is one parcel from one place; Shopify refuses mixing locations.
    return err("ambiguous_location", `order ${input.orderId} ships from ${locations.size} locations; pass locationId`);
  }

  const wanted = input.lines ? new Map(input.lines.map((l) => [l.lineItemId, l.quantity])) : undefined;
  const lineItemsByFulfillmentOrder = open
    .map((fo) => {
      const lines = fo.lineItems.nodes
        .filter((l) => l.remainingQuantity > 0)
        .map((l) => {
          if (!wanted) return { id: l.id, quantity: l.remainingQuantity };
          const left = wanted.get(l.lineItem.id) ?? 0;
          const quantity = Math.min(left, l.remainingQuantity);
          if (quantity > 0) wanted.set(l.lineItem.id, left - quantity);
          return { id: l.id, quantity };
        })
        .filter((l) => l.quantity > 0);
      return { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: lines };
    })
    .filter((g) => g.fulfillmentOrderLineItems.length > 0);
  if (lineItemsByFulfillmentOrder.length === 0) {
    return err("nothing_to_fulfill", `order ${input.orderId} has nothing left to fulfil${input.locationId ? " at that location" : ""}`);
  }
  const unplaced = wanted ? [...wanted.entries()].filter(([, q]) => q > 0) : [];
  if (unplaced.length > 0) {
    return err("nothing_to_fulfill", `more requested than remains for ${unplaced.map(([id, q]) => `${id} (${q})`).join(", ")}`);
  }

  type Data = { fulfillmentCreate: { fulfillment: { id: string; status: string } | null; userErrors: ShopifyUserError[] } | null };
  const created = await client.request<Data>(FULFILLMENT_CREATE_MUTATION, {
    fulfillment: {
      notifyCustomer: input.notifyCustomer,
      trackingInfo: {
        company: input.tracking.company,
        number: input.tracking.number,
        ...(input.tracking.url ? { url: input.tracking.url } : {}),
      },
      lineItemsByFulfillmentOrder,
    },
  });
  if (!created.ok) return fromApiFailure(created);
  const payload = created.data.fulfillmentCreate;
  if (!payload || payload.userErrors.length > 0 || !payload.fulfillment) {
    return err("user_errors", describeUserErrors(payload?.userErrors ?? []) || "fulfillmentCreate returned no fulfillment");
  }
  return ok({ fulfillmentId: payload.fulfillment.id, status: payload.fulfillment.status, alreadyConfirmed: false });
}
