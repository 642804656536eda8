import { findLevel, gid, takeId, type SandboxFulfillmentOrder } from "./sandbox-state.js";
import { fulfillmentOrderView } from "./sandbox-order-views.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/**
 * fulfillmentOrderMove as the Admin API documents it: moving every remaining line re-assigns
 * the fulfillment order itself; moving some lines splits them into a new fulfillment order at
 * the destination (the original keeps the rest). Committed stock follows the units.
 */
export function fulfillmentOrderMove(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const id = args.id as string;
  const newLocationId = args.newLocationId as string;
  const requested = (args.fulfillmentOrderLineItems as { id: string; quantity: number }[] | null | undefined) ?? null;
  // The 2026-04 enum has one code; every other refusal carries code null, as Shopify sends it.
  const fail = (message: string, field: string[], code: "CANNOT_MOVE_FULFILLMENT_ORDER_WITH_REPORTED_PROGRESS" | null = null) => ({
    movedFulfillmentOrder: null,
    originalFulfillmentOrder: null,
    remainingFulfillmentOrder: null,
    userErrors: [{ field, message, code }],
  });
  const fo = state.fulfillmentOrders.find((x) => x.id === id);
  if (!fo) return fail("Fulfillment order does not exist.", ["id"]);
  const destination = state.locations.find((l) => l.id === newLocationId);
  if (!destination) return fail("Location does not exist.", ["newLocationId"]);
  if (fo.status === "IN_PROGRESS") {
    return fail("Cannot move a fulfillment order that has progress reported.", ["id"], "CANNOT_MOVE_FULFILLMENT_ORDER_WITH_REPORTED_PROGRESS");
  }
  if (fo.status !== "OPEN") return fail("Fulfillment order cannot be moved in its current status.", ["id"]);
  if (fo.locationId === newLocationId) return fail("Cannot move to the location it is already assigned to.", ["newLocationId"]);

  const moving: { line: SandboxFulfillmentOrder["lineItems"][number]; quantity: number }[] = [];
  if (requested) {
    for (const r of requested) {
      const line = fo.lineItems.find((l) => l.id === r.id);
      if (!line) return fail(`Fulfillment order line item ${r.id} does not exist.`, ["fulfillmentOrderLineItems"]);
      if (r.quantity <= 0 || r.quantity > line.remainingQuantity) {
        return fail("Invalid fulfillment order line item quantity requested.", ["fulfillmentOrderLineItems"]);
      }
      moving.push({ line, quantity: r.quantity });
    }
  } else {
    for (const line of fo.lineItems) if (line.remainingQuantity > 0) moving.push({ line, quantity: line.remainingQuantity });
  }

  const at = iso(ctx);
  const order = state.orders.find((o) => o.id === fo.orderId)!;
  // Check every destination level before touching any, so a refusal changes nothing.
  const transfers: { from: ReturnType<typeof findLevel>; to: NonNullable<ReturnType<typeof findLevel>>; quantity: number }[] = [];
  for (const { line, quantity } of moving) {
    const orderLine = order.lineItems.find((l) => l.id === line.lineItemId)!;
    const variant = orderLine.variantId ? state.variants.find((v) => v.id === orderLine.variantId) : undefined;
    if (!variant) continue;
    const to = findLevel(state, variant.inventoryItemId, newLocationId);
    if (!to) return fail(`The destination location doesn't stock ${variant.sku ?? variant.id}.`, ["newLocationId"]);
    transfers.push({ from: findLevel(state, variant.inventoryItemId, fo.locationId), to, quantity });
  }
  for (const { from, to, quantity } of transfers) {
    if (from) {
      from.committed = Math.max(0, from.committed - quantity);
      from.available += quantity;
      from.updatedAt = at;
    }
    to.available -= quantity;
    to.committed += quantity;
    to.updatedAt = at;
  }

  const everything = moving.length === fo.lineItems.filter((l) => l.remainingQuantity > 0).length && moving.every((m) => m.quantity === m.line.remainingQuantity);
  const untouched = fo.lineItems.every((l) => l.remainingQuantity === l.totalQuantity);
  if (everything && untouched) {
    fo.locationId = newLocationId;
    order.updatedAt = at;
    return { movedFulfillmentOrder: fulfillmentOrderView(fo, ctx), originalFulfillmentOrder: fulfillmentOrderView(fo, ctx), remainingFulfillmentOrder: null, userErrors: [] };
  }
  const moved: SandboxFulfillmentOrder = {
    id: gid("FulfillmentOrder", takeId(state)),
    orderId: fo.orderId,
    locationId: newLocationId,
    status: "OPEN",
    lineItems: moving.map(({ line, quantity }) => ({ id: gid("FulfillmentOrderLineItem", takeId(state)), lineItemId: line.lineItemId, totalQuantity: quantity, remainingQuantity: quantity })),
  };
  for (const { line, quantity } of moving) {
    line.remainingQuantity -= quantity;
    line.totalQuantity -= quantity;
  }
  fo.lineItems = fo.lineItems.filter((l) => l.totalQuantity > 0);
  if (fo.lineItems.every((l) => l.remainingQuantity === 0)) fo.status = "CLOSED";
  state.fulfillmentOrders.push(moved);
  order.updatedAt = at;
  return {
    movedFulfillmentOrder: fulfillmentOrderView(moved, ctx),
    originalFulfillmentOrder: fulfillmentOrderView(fo, ctx),
    remainingFulfillmentOrder: fo.status === "CLOSED" ? null : fulfillmentOrderView(fo, ctx),
    userErrors: [],
  };
}
