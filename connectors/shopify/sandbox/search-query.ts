/**
 * The subset of Shopify's search syntax the sandbox understands: space-separated `field:value`
 * terms joined by AND, with `>`, `>=`, `<`, `<=` on dates and ids, quotes optional. Unknown
 * fields are ignored, as Shopify does (it only warns), so a filter never silently empties a page
 * because of a typo in the sandbox but not in production.
 */
export interface SearchTerm {
  field: string;
  op: "=" | ">" | ">=" | "<" | "<=";
  value: string;
}

export function parseSearchQuery(query: string | null | undefined): SearchTerm[] {
  if (!query) return [];
  const terms: SearchTerm[] = [];
  const re = /([a-z_]+):(>=|<=|>|<)?('([^']*)'|"([^"]*)"|(\S+))/gi;
  for (const m of query.matchAll(re)) {
    const value = m[4] ?? m[5] ?? m[6] ?? "";
    terms.push({ field: m[1]!.toLowerCase(), op: (m[2] as SearchTerm["op"] | undefined) ?? "=", value });
  }
  return terms;
}

export function compare(actual: string | number, term: SearchTerm): boolean {
  const [a, b] =
    typeof actual === "number" ? [actual, Number(term.value)] : isDateLike(actual) ? [Date.parse(actual), Date.parse(term.value)] : [actual, term.value];
  switch (term.op) {
    case "=":
      return typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function isDateLike(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}/.test(value);
}
