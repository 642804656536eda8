import {
  GraphQLError,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/**
 * Fallback executor for when the 2026-04 SDL is not on disk: graphql-js `execute` needs a
 * schema, but the sandbox's root values already hold every answer, so this walks the document
 * over them the same way the default resolver would (functions are called with the field's
 * arguments). Nothing is type-checked on this path; the server says so in its start-up log.
 */
export function executeWithoutSchema(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  rootValue: Record<string, unknown>,
  context: unknown,
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const errors: GraphQLError[] = [];

  const fieldsOf = (set: SelectionSetNode): FieldNode[] =>
    set.selections.flatMap((sel) =>
      sel.kind === Kind.FIELD
        ? [sel]
        : sel.kind === Kind.INLINE_FRAGMENT
          ? fieldsOf(sel.selectionSet)
          : fragments.has(sel.name.value)
            ? fieldsOf(fragments.get(sel.name.value)!.selectionSet)
            : [],
    );

  const complete = (value: unknown, field: FieldNode, path: (string | number)[]): unknown => {
    if (value === undefined || value === null) return null;
    if (!field.selectionSet) return value;
    if (Array.isArray(value)) return value.map((item, i) => complete(item, field, [...path, i]));
    return resolveSet(field.selectionSet, value as Record<string, unknown>, path);
  };

  const resolveSet = (set: SelectionSetNode, source: Record<string, unknown>, path: (string | number)[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of fieldsOf(set)) {
      const key = field.alias?.value ?? field.name.value;
      const fieldPath = [...path, key];
      try {
        let value = source[field.name.value];
        if (typeof value === "function") {
          const args = Object.fromEntries((field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
          value = (value as (a: unknown, c: unknown, i: unknown) => unknown)(args, context, { fieldNodes: [field], variableValues: variables });
        }
        out[key] = complete(value, field, fieldPath);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const extensions = error instanceof GraphQLError ? error.extensions : {};
        errors.push(new GraphQLError(message, { nodes: [field], path: fieldPath, extensions }));
        out[key] = null;
      }
    }
    return out;
  };

  return { data: resolveSet(operation.selectionSet, rootValue, []), errors };
}
