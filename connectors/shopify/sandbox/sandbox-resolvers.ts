import type { GraphQLResolveInfo } from "graphql";
import { bulkOperationRunQuery, bulkQueryFields } from "./sandbox-bulk-operations.js";
import { fulfillmentCreate } from "./sandbox-fulfillment-mutations.js";
import { fulfillmentOrderMove } from "./sandbox-fulfillment-order-move.js";
import { inventorySetQuantities } from "./sandbox-inventory-mutations.js";
import { orderCancel } from "./sandbox-order-mutations.js";
import { returnMutationFields } from "./sandbox-return-mutations.js";
import { returnableFulfillmentsView, returnView } from "./sandbox-return-views.js";
import { orderQueryFields } from "./sandbox-order-resolvers.js";
import { catalogueQueryFields } from "./sandbox-query-resolvers.js";
import { connection, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/**
 * Root values for graphql-js `execute`: each GraphQL field is either a plain property or a
 * function `(args, context, info)` that graphql-js's default resolver calls. Views are built
 * lazily from state on every read, so a mutation is visible to the next query without any
 * cache to invalidate.
 */

export type { SandboxContext } from "./sandbox-view-helpers.js";
export { orderTotals, type OrderTotals } from "./sandbox-order-views.js";
export { idempotencyKeyOf } from "./sandbox-inventory-mutations.js";

export function queryRoot(ctx: SandboxContext): Record<string, unknown> {
  return { ...catalogueQueryFields(ctx), ...orderQueryFields(ctx), ...bulkQueryFields(ctx), ...returnQueryFields(ctx) };
}

function returnQueryFields(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    return: (args: Args) => {
      const r = state.returns.find((x) => x.id === args.id);
      return r ? returnView(r, ctx) : null;
    },
    returnableFulfillments: (args: Args) => returnableFulfillmentsView(String(args.orderId), args, ctx),
    returnReasonDefinitions: (args: Args) => {
      const handles = Array.isArray(args.handles) ? (args.handles as string[]) : null;
      const ids = Array.isArray(args.ids) ? (args.ids as string[]) : null;
      const list = state.returnReasonDefinitions.filter((d) => (!handles || handles.includes(d.handle)) && (!ids || ids.includes(d.id)));
      return connection(list, args, ctx, (d) => ({ __typename: "ReturnReasonDefinition", ...d, deleted: false }));
    },
  };
}

export function mutationRoot(ctx: SandboxContext): Record<string, unknown> {
  return {
    inventorySetQuantities: (args: Args, _c: unknown, info: GraphQLResolveInfo) => inventorySetQuantities(args, ctx, info),
    fulfillmentCreate: (args: Args) => fulfillmentCreate(args, ctx),
    fulfillmentOrderMove: (args: Args) => fulfillmentOrderMove(args, ctx),
    orderCancel: (args: Args) => orderCancel(args, ctx),
    bulkOperationRunQuery: (args: Args) => bulkOperationRunQuery(args, ctx),
    ...returnMutationFields(ctx),
  };
}

/** Mutations whose 2026-04 description makes the `@idempotent` key mandatory (those modelled here). */
export const REQUIRES_IDEMPOTENCY_KEY = new Set(["inventorySetQuantities", "refundCreate"]);
