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
