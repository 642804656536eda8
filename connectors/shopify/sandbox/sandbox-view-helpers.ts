import { GraphQLError } from "graphql";
import { minorUnitsToDecimal } from "../../../core/shared/decimal-money.js";
import { compare, type SearchTerm } from "./search-query.js";
import { legacyIdOf, type SandboxState } from "./sandbox-state.js";

/** The resolver context and the view helpers every resolver module shares: money, cursors, pagination, counts. */

export interface SandboxContext {
  state: SandboxState;
  now: () => number;
  /** Public base URL of the sandbox, for bulk-operation result links. */
  baseUrl: string;
  /** Bulk queries have no page sizes: connections return everything. */
  bulk: boolean;
  /** Runs a bulk query over the same state; injected by the server to avoid a module cycle. */
  runBulkQuery: (query: string) => { ok: true; jsonl: string; objectCount: number; rootObjectCount: number } | { ok: false; message: string };
}

export type Args = Record<string, unknown>;
const MAX_PAGE = 250;

export function iso(ctx: SandboxContext): string {
  return new Date(ctx.now()).toISOString();
}

export function moneyV2(minor: number, currency: string) {
  return { amount: minorUnitsToDecimal(minor, currency), currencyCode: currency };
}

export function moneyBag(minor: number, currency: string) {
  return { shopMoney: moneyV2(minor, currency), presentmentMoney: moneyV2(minor, currency) };
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ last_id: legacyIdOf(id) || id })).toString("base64");
}

function decodeCursor(cursor: string): string | number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: string | number };
    if (parsed.last_id === undefined) throw new Error("no last_id");
    return parsed.last_id;
  } catch {
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
  }
}

/**
 * Relay pagination with Shopify's rules: one of first/last is required (except in bulk
 * queries), at most 250 per page, cursors opaque and stable.
 */
export function connection<T extends { id: string }, V>(items: readonly T[], args: Args, ctx: SandboxContext, view: (item: T) => V) {
  const first = typeof args.first === "number" ? args.first : null;
  const last = typeof args.last === "number" ? args.last : null;
  if (!ctx.bulk) {
    if (first === null && last === null) {
      throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
    }
    if ((first ?? 0) > MAX_PAGE || (last ?? 0) > MAX_PAGE) {
      throw new GraphQLError(`The ${first !== null ? "first" : "last"} argument must be less than or equal to ${MAX_PAGE}`, {
        extensions: { code: "BAD_REQUEST" },
      });
    }
  }
  let list = args.reverse === true ? [...items].reverse() : [...items];
  const matchId = (item: T, cursor: string | number) => legacyIdOf(item.id) === cursor || item.id === cursor;
  if (typeof args.after === "string") {
    const target = decodeCursor(args.after);
    const at = list.findIndex((i) => matchId(i, target));
    list = at >= 0 ? list.slice(at + 1) : [];
  }
  if (typeof args.before === "string") {
    const target = decodeCursor(args.before);
    const at = list.findIndex((i) => matchId(i, target));
    list = at >= 0 ? list.slice(0, at) : list;
  }
  const total = list.length;
  let page = list;
  if (first !== null) page = list.slice(0, first);
  else if (last !== null) page = list.slice(Math.max(0, list.length - last));
  const hasNextPage = first !== null ? total > page.length : false;
  const hasPreviousPage = last !== null ? total > page.length : typeof args.after === "string";
  const nodes = page.map(view);
  return {
    edges: page.map((item, i) => ({ cursor: encodeCursor(item.id), node: nodes[i] })),
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: page[0] ? encodeCursor(page[0].id) : null,
      endCursor: page.length > 0 ? encodeCursor(page[page.length - 1]!.id) : null,
    },
  };
}

export function count(n: number) {
  return { count: n, precision: "EXACT" };
}

export function matchesAll(terms: readonly SearchTerm[], fieldValue: (field: string) => string | number | undefined): boolean {
  return terms.every((term) => {
    const value = fieldValue(term.field);
    return value === undefined ? true : compare(value, term);
  });
}
