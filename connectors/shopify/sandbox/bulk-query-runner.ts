/**
 * Turns the nested result of a bulk query into Shopify's JSONL: one object per line, each
 * nested connection's nodes on their own lines after their parent with `__parentId`, and the
 * connection wrappers (edges/node/nodes/pageInfo) removed.
 */
export function bulkResultToJsonl(data: Record<string, unknown>): { jsonl: string; objectCount: number; rootObjectCount: number } {
  const lines: string[] = [];
  let rootObjectCount = 0;
  const rootField = Object.values(data)[0];
  for (const node of connectionNodes(rootField)) {
    rootObjectCount++;
    emit(node, undefined, lines);
  }
  return { jsonl: lines.length > 0 ? `${lines.join("\n")}\n` : "", objectCount: lines.length, rootObjectCount };
}

function emit(node: Record<string, unknown>, parentId: string | undefined, lines: string[]): void {
  const own: Record<string, unknown> = {};
  const children: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (isConnection(value)) children.push(...connectionNodes(value));
    else own[key] = value;
  }
  if (parentId !== undefined) own.__parentId = parentId;
  lines.push(JSON.stringify(own));
  const id = typeof node.id === "string" ? node.id : undefined;
  for (const child of children) emit(child, id, lines);
}

function isConnection(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && (Array.isArray((value as Record<string, unknown>).edges) || Array.isArray((value as Record<string, unknown>).nodes));
}

function connectionNodes(value: unknown): Record<string, unknown>[] {
  if (!isConnection(value)) return [];
  if (Array.isArray(value.nodes)) return value.nodes as Record<string, unknown>[];
  return (value.edges as { node: Record<string, unknown> }[]).map((e) => e.node);
}
