import { findLevel, gid, takeId, type SandboxFulfillment, type SandboxFulfillmentOrder } from "./sandbox-state.js";
import { fulfillmentView } from "./sandbox-order-views.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** fulfillmentCreate: ships fulfillment order lines from one location and releases committed stock. */

export function fulfillmentCreate(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const input = args.fulfillment as {
    notifyCustomer?: boolean | null;
    trackingInfo?: { company?: string | null; number?: string | null; url?: string | null; numbers?: string[] | null; urls?: string[] | null } | null;
    lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems?: { id: string; quantity: number }[] | null }[];
  };
  const fail = (message: string, field: string[] | null) => ({ fulfillment: null, userErrors: [{ field, message }] });
  if (input.lineItemsByFulfillmentOrder.length === 0) return fail("Line items by fulfillment order must not be empty.", ["fulfillment", "lineItemsByFulfillmentOrder"]);

  const plan: { fo: SandboxFulfillmentOrder; line: SandboxFulfillmentOrder["lineItems"][number]; quantity: number }[] = [];
  const locations = new Set<string>();
  for (const [i, group] of input.lineItemsByFulfillmentOrder.entries()) {
    const field = ["fulfillment", "lineItemsByFulfillmentOrder", String(i)];
    const fo = state.fulfillmentOrders.find((x) => x.id === group.fulfillmentOrderId);
    if (!fo) return fail("Fulfillment order does not exist.", [...field, "fulfillmentOrderId"]);
    if (fo.status !== "OPEN" && fo.status !== "IN_PROGRESS") {
      return fail(`Fulfillment order ${fo.id} has an unfulfillable status= ${fo.status.toLowerCase()}.`, [...field, "fulfillmentOrderId"]);
    }
    locations.add(fo.locationId);
    const requested = group.fulfillmentOrderLineItems ?? fo.lineItems.filter((l) => l.remainingQuantity > 0).map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
    for (const r of requested) {
      const line = fo.lineItems.find((l) => l.id === r.id);
      if (!line) return fail(`Fulfillment order line item ${r.id} does not exist.`, [...field, "fulfillmentOrderLineItems"]);
      if (r.quantity <= 0 || r.quantity > line.remainingQuantity) {
        return fail(`Invalid fulfillment order line item quantity requested.`, [...field, "fulfillmentOrderLineItems"]);
      }
      plan.push({ fo, line, quantity: r.quantity });
    }
  }
  if (locations.size > 1) return fail("All fulfillment orders must be assigned to the same location.", ["fulfillment", "lineItemsByFulfillmentOrder"]);

  const at = iso(ctx);
  for (const { fo, line, quantity } of plan) {
    line.remainingQuantity -= quantity;
    const order = state.orders.find((o) => o.id === fo.orderId)!;
    const orderLine = order.lineItems.find((l) => l.id === line.lineItemId)!;
    const level = orderLine.variantId ? findLevel(state, state.variants.find((v) => v.id === orderLine.variantId)!.inventoryItemId, fo.locationId) : undefined;
    // Shipping turns committed stock into gone stock: on_hand falls, available is unchanged.
    if (level) {
      level.committed = Math.max(0, level.committed - quantity);
      level.updatedAt = at;
    }
  }
  for (const fo of new Set(plan.map((p) => p.fo))) {
    fo.status = fo.lineItems.every((l) => l.remainingQuantity === 0) ? "CLOSED" : "IN_PROGRESS";
  }
  const orderId = plan[0]!.fo.orderId;
  const order = state.orders.find((o) => o.id === orderId)!;
  order.updatedAt = at;
  const t = input.trackingInfo;
  const fulfillment: SandboxFulfillment = {
    id: gid("Fulfillment", takeId(state)),
    orderId,
    status: "SUCCESS",
    createdAt: at,
    trackingInfo: t ? [{ company: t.company ?? null, number: t.number ?? t.numbers?.[0] ?? null, url: t.url ?? t.urls?.[0] ?? null }] : [],
    notifyCustomer: input.notifyCustomer === true,
    lines: plan.map((p) => ({ fulfillmentOrderLineItemId: p.line.id, quantity: p.quantity })),
  };
  state.fulfillments.push(fulfillment);
  return { fulfillment: fulfillmentView(fulfillment), userErrors: [] };
}
