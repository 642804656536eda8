import { gid, legacyIdOf, takeId, type SandboxState } from "./sandbox-state.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** Bulk operations: the status query fields, the view that advances on each poll, and bulkOperationRunQuery. */

export function bulkQueryFields(ctx: SandboxContext): Record<string, unknown> {
  const { state } = ctx;
  return {
    bulkOperation: (args: Args) => {
      const op = state.bulkOperations.find((b) => b.id === args.id);
      return op ? bulkOperationView(op, ctx, true) : null;
    },
    currentBulkOperation: () => {
      const op = state.bulkOperations[state.bulkOperations.length - 1];
      return op ? bulkOperationView(op, ctx, true) : null;
    },
  };
}

function bulkOperationView(op: SandboxState["bulkOperations"][number], ctx: SandboxContext, advance: boolean) {
  if (advance && op.status !== "COMPLETED" && op.status !== "FAILED") {
    // Each status read moves the operation on, so clients must really poll.
    if (op.pollsUntilDone <= 0) {
      op.status = "COMPLETED";
      op.completedAt = iso(ctx);
    } else {
      op.status = "RUNNING";
      op.pollsUntilDone--;
    }
  }
  const done = op.status === "COMPLETED";
  return {
    __typename: "BulkOperation",
    id: op.id,
    status: op.status,
    type: "QUERY",
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    errorCode: null,
    objectCount: String(done ? op.objectCount : 0),
    rootObjectCount: String(done ? op.rootObjectCount : 0),
    fileSize: done && op.objectCount > 0 ? String(Buffer.byteLength(op.jsonl)) : null,
    // Shopify gives no file at all for an empty result.
    url: done && op.objectCount > 0 ? `${ctx.baseUrl}/bulk/${legacyIdOf(op.id)}.jsonl` : null,
    partialDataUrl: null,
  };
}

export function bulkOperationRunQuery(args: Args, ctx: SandboxContext) {
  const { state } = ctx;
  const running = state.bulkOperations.find((b) => b.status === "CREATED" || b.status === "RUNNING");
  if (running) {
    return {
      bulkOperation: null,
      userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${running.id}.`, code: "OPERATION_IN_PROGRESS" }],
    };
  }
  const result = ctx.runBulkQuery(String(args.query));
  if (!result.ok) return { bulkOperation: null, userErrors: [{ field: ["query"], message: result.message, code: "INVALID" }] };
  const op = {
    id: gid("BulkOperation", takeId(state)),
    query: String(args.query),
    createdAt: iso(ctx),
    completedAt: null,
    pollsUntilDone: 1,
    status: "CREATED" as const,
    jsonl: result.jsonl,
    objectCount: result.objectCount,
    rootObjectCount: result.rootObjectCount,
  };
  state.bulkOperations.push(op);
  return { bulkOperation: bulkOperationView(op, ctx, false), userErrors: [] };
}
