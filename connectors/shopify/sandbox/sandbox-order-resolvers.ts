import { parseSearchQuery } from "./search-query.js";
import type { SandboxOrder, SandboxState } from "./sandbox-state.js";
import { fulfillmentOrderView, orderView } from "./sandbox-order-views.js";
import { connection, count, matchesAll, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** Root query fields for orders and fulfillment orders. */

function sortOrders(orders: SandboxOrder[], sortKey: unknown): SandboxOrder[] {
  const key = typeof sortKey === "string" ? sortKey : "PROCESSED_AT";
  const by = (o: SandboxOrder): string | number =>
    key === "UPDATED_AT" ? o.updatedAt : key === "ID" ? o.legacyId : key === "ORDER_NUMBER" ? o.number : o.createdAt;
  return [...orders].sort((a, b) => {
    const x = by(a);
    const y = by(b);
    return x < y ? -1 : x > y ? 1 : a.legacyId - b.legacyId;
  });
}

function filteredOrders(state: SandboxState, query: unknown): SandboxOrder[] {
  const terms = parseSearchQuery(typeof query === "string" ? query : null);
  return state.orders.filter((o) =>
    matchesAll(terms, (field) =>
      field === "updated_at" ? o.updatedAt : field === "created_at" || field === "processed_at" ? o.createdAt : field === "id" ? o.legacyId : field === "name" ? o.name : undefined,
    ),
  );
}

export function orderQueryFields(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    orders: (args: Args) => connection(sortOrders(filteredOrders(state, args.query), args.sortKey), args, ctx, (o) => orderView(o, ctx)),
    ordersCount: (args: Args) => count(filteredOrders(state, args.query).length),
    order: (args: Args) => {
      const o = state.orders.find((x) => x.id === args.id);
      return o ? orderView(o, ctx) : null;
    },
    fulfillmentOrders: (args: Args) =>
      connection(
        state.fulfillmentOrders.filter((fo) => args.includeClosed === true || (fo.status !== "CLOSED" && fo.status !== "CANCELLED")),
        args,
        ctx,
        (fo) => fulfillmentOrderView(fo, ctx),
      ),
    fulfillmentOrder: (args: Args) => {
      const fo = state.fulfillmentOrders.find((x) => x.id === args.id);
      return fo ? fulfillmentOrderView(fo, ctx) : null;
    },
  };
}
