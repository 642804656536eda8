/**
 * A parsed body made storable in PostgreSQL text and jsonb columns, whatever a channel sent:
 * NUL (which neither text nor jsonb can hold) and lone UTF-16 surrogates (which jsonb refuses)
 * become U+FFFD in every string and key, and anything nested deeper than `maxDepth` is replaced
 * by a marker (no order field lies that deep; jsonb's parser recurses). The raw bytes stay on
 * the delivery row as received, so nothing is lost by this: it only decides what a derived row
 * (order, line, timeline) may hold.
 */
export const STORABLE_MAX_DEPTH = 64;

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

export function storableJson(value: unknown, maxDepth = STORABLE_MAX_DEPTH): unknown {
  return clean(value, 0, maxDepth);
}

function clean(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value === "string") return storableText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= maxDepth) return `[nested deeper than ${maxDepth} levels]`;
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1, maxDepth));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a "__proto__" key stays a key, as JSON.parse made it.
    Object.defineProperty(out, storableText(key), { value: clean(item, depth + 1, maxDepth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A parsed body made storable, without copying it when it already is: a parsed JSON text can
 * only hold NUL or a lone surrogate through a `\u0000` or `\uD800`–`\uDFFF` escape (the parser
 * refuses raw control characters, and bytes decoded as UTF-8 never give a lone surrogate), which
 * a regular expression finds in the text; its depth is read from the parsed tree, where a walk
 * touches only objects and arrays. Most real bodies need no copy, and the copy was a large share
 * of the worker's time per order (docs/adr/0017).
 */
export function storableParsed(text: string, parsed: unknown, maxDepth = STORABLE_MAX_DEPTH): unknown {
  return ESCAPED_UNSTORABLE.test(text) || nestsAtLeast(parsed, maxDepth) ? storableJson(parsed, maxDepth) : parsed;
}

const ESCAPED_UNSTORABLE = /\\u(0000|[dD][89a-fA-F])/;

/** Whether a parsed JSON value nests objects and arrays `depth` deep or deeper (the value itself is level 1). Iterative: bodies can nest thousands deep. */
export function nestsAtLeast(value: unknown, depth: number): boolean {
  const pending: { item: object; level: number }[] = [];
  if (value !== null && typeof value === "object") pending.push({ item: value, level: 1 });
  while (pending.length > 0) {
    const { item, level } = pending.pop()!;
    if (level >= depth) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") pending.push({ item: child as object, level: level + 1 });
    }
  }
  return false;
}
