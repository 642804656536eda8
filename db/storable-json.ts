import { endOfJsonString } from "../core/shared/json-text";

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
 * A parsed body made storable, without walking it when its text shows it already is: a parsed
 * JSON text can only hold NUL or a lone surrogate through a `\u0000` or `\uD800`–`\uDFFF` escape
 * (the parser refuses raw control characters, and bytes decoded as UTF-8 never give a lone
 * surrogate), and it nests no deeper than its brackets do. Most real bodies have none of these,
 * and the copy was a large share of the worker's time per order (docs/adr/0017).
 */
export function storableParsed(text: string, parsed: unknown, maxDepth = STORABLE_MAX_DEPTH): unknown {
  return ESCAPED_UNSTORABLE.test(text) || nestsAtLeast(text, maxDepth) ? storableJson(parsed, maxDepth) : parsed;
}

const ESCAPED_UNSTORABLE = /\\u(0000|[dD][89a-fA-F])/;

/** Whether JSON text nests objects and arrays `depth` deep or deeper (brackets inside strings do not count). */
export function nestsAtLeast(text: string, depth: number): boolean {
  let level = 0;
  let from = 0;
  while (from < text.length) {
    const quote = text.indexOf('"', from);
    const end = quote === -1 ? text.length : quote;
    for (let i = from; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 123 /* { */ || c === 91 /* [ */) {
        if (++level >= depth) return true;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        level--;
      }
    }
    if (quote === -1) break;
    from = endOfJsonString(text, quote);
  }
  return false;
}
