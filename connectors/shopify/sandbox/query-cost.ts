import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Shopify's calculated query cost, close enough to exercise a client's throttling honestly:
 * scalars and enums cost 0, every object 1, a connection 2 plus its page size times the cost of
 * one node, and every mutation field 10. The requested cost is computed from the document
 * before execution (using `first`/`last`); the actual cost walks the response and counts the
 * nodes really returned, so a short last page is refunded the way Shopify refunds it.
 *
 * It reads only the document, not the schema, so the sandbox can still rate-limit when the SDL
 * is not available.
 */

export const MUTATION_FIELD_COST = 10;
export const CONNECTION_BASE_COST = 2;

interface CostContext {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function requestedQueryCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  return operationCost(document, operation, variables, undefined);
}

export function actualQueryCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  return operationCost(document, operation, variables, data ?? null);
}

function operationCost(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  data: unknown,
): number {
  const ctx: CostContext = { fragments: fragmentsOf(document), variables };
  if (operation.operation === "mutation") {
    return fieldsOf(operation.selectionSet, ctx).filter((f) => !f.name.value.startsWith("__")).length * MUTATION_FIELD_COST;
  }
  return selectionCost(operation.selectionSet, ctx, data);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

/** Flattens fragments so each field is costed once per selection. */
function fieldsOf(selectionSet: SelectionSetNode, ctx: CostContext, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) fields.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(sel.selectionSet, ctx, seen));
    else {
      const name = sel.name.value;
      const fragment = ctx.fragments.get(name);
      if (!fragment || seen.has(name)) continue;
      fields.push(...fieldsOf(fragment.selectionSet, ctx, new Set([...seen, name])));
    }
  }
  return fields;
}

/** `data === undefined` means "requested" mode; otherwise the response object for this level. */
function selectionCost(selectionSet: SelectionSetNode, ctx: CostContext, data: unknown): number {
  let cost = 0;
  for (const field of fieldsOf(selectionSet, ctx)) {
    if (!field.selectionSet) continue; // scalars and enums are free
    const key = field.alias?.value ?? field.name.value;
    const value = data === undefined ? undefined : isRecord(data) ? data[key] : null;
    cost += isConnection(field, ctx) ? connectionCost(field, ctx, value) : objectCost(field.selectionSet, ctx, value);
  }
  return cost;
}

function objectCost(selectionSet: SelectionSetNode, ctx: CostContext, value: unknown): number {
  if (value === undefined) return 1 + selectionCost(selectionSet, ctx, undefined);
  if (value === null) return 1;
  if (Array.isArray(value)) {
    // A plain list of objects is charged per element actually returned.
    return value.reduce<number>((sum, item) => sum + objectCost(selectionSet, ctx, item), 0) || 1;
  }
  return 1 + selectionCost(selectionSet, ctx, value);
}

function isConnection(field: FieldNode, ctx: CostContext): boolean {
  if (field.arguments?.some((a) => a.name.value === "first" || a.name.value === "last")) return true;
  const names = new Set(fieldsOf(field.selectionSet!, ctx).map((f) => f.name.value));
  return names.has("pageInfo") || names.has("edges");
}

function connectionCost(field: FieldNode, ctx: CostContext, value: unknown): number {
  const inner = fieldsOf(field.selectionSet!, ctx);
  if (value === undefined) {
    const size = pageSize(field, ctx);
    let perNode = 0;
    for (const f of inner) perNode += nodeCostRequested(f, ctx);
    return CONNECTION_BASE_COST + size * perNode;
  }
  if (!isRecord(value)) return CONNECTION_BASE_COST;
  let cost = CONNECTION_BASE_COST;
  for (const f of inner) {
    const key = f.alias?.value ?? f.name.value;
    const part = value[key];
    if (f.name.value === "nodes" && f.selectionSet && Array.isArray(part)) {
      for (const node of part) cost += 1 + selectionCost(f.selectionSet, ctx, node);
    } else if (f.name.value === "edges" && f.selectionSet && Array.isArray(part)) {
      for (const edge of part) {
        for (const ef of fieldsOf(f.selectionSet, ctx)) {
          if (ef.name.value !== "node" || !ef.selectionSet || !isRecord(edge)) continue;
          const node = edge[ef.alias?.value ?? ef.name.value];
          cost += 1 + (node === null ? 0 : selectionCost(ef.selectionSet, ctx, node));
        }
      }
    }
  }
  return cost;
}

function nodeCostRequested(f: FieldNode, ctx: CostContext): number {
  if (f.name.value === "nodes" && f.selectionSet) return 1 + selectionCost(f.selectionSet, ctx, undefined);
  if (f.name.value === "edges" && f.selectionSet) {
    let cost = 0;
    for (const ef of fieldsOf(f.selectionSet, ctx)) {
      if (ef.name.value === "node" && ef.selectionSet) cost += 1 + selectionCost(ef.selectionSet, ctx, undefined);
    }
    return cost;
  }
  return 0; // pageInfo is part of the connection's base cost
}

function pageSize(field: FieldNode, ctx: CostContext): number {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== "first" && arg.name.value !== "last") continue;
    const value = valueFromASTUntyped(arg.value, ctx.variables);
    if (typeof value === "number" && value > 0) return value;
  }
  // Bulk-style selections without a page size: Shopify charges them as one node.
  return 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
