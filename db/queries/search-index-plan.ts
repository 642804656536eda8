import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { chooseIndexWindow, sampleFromStatistics, type TextSample } from "./search-index-pattern";
import type { SearchPatterns } from "./search-terms";

/**
 * What each search asks the trigram indexes for, chosen from PostgreSQL's statistics of the
 * indexed texts (migration 0011 keeps a 300-value sample of each): a rare part of the term
 * for the index, the whole term for the rows it returns, and how common the term looks, which
 * decides whether the newest rows are worth a look first (ADR 0010).
 */

/** The statistics (relation, column) that sample each indexed text: an index expression's live under the index. */
const SAMPLED_TEXTS = {
  orderText: ["orders_search_trgm_idx", "order_search_text"],
  lineSku: ["order_lines", "sku"],
  variantText: ["variants_search_trgm_idx", "variant_search_text"],
  productTitle: ["products", "title"],
} as const;
type SampledText = keyof typeof SAMPLED_TEXTS;

async function sampledTexts<K extends SampledText>(db: DbOrTx, keys: readonly K[]): Promise<Partial<Record<K, TextSample>>> {
  const pairs = sql.join(
    keys.map((key) => sql`(${SAMPLED_TEXTS[key][0]}, ${SAMPLED_TEXTS[key][1]})`),
    sql`, `,
  );
  const result = await db.execute<{ tablename: string; attname: string; mcv: string[] | null; mcf: number[] | null; hist: string[] | null }>(sql`
    select tablename, attname, most_common_vals::text::text[] as mcv, most_common_freqs as mcf, histogram_bounds::text::text[] as hist
      from pg_stats
     where schemaname = current_schema() and not inherited and (tablename::text, attname::text) in (${pairs})`);
  const found: Partial<Record<K, TextSample>> = {};
  for (const key of keys) {
    const [relation, column] = SAMPLED_TEXTS[key];
    const row = result.rows.find((candidate) => candidate.tablename === relation && candidate.attname === column);
    const sample = row ? sampleFromStatistics({ mostCommonValues: row.mcv, mostCommonFreqs: row.mcf, histogram: row.hist }) : undefined;
    if (sample) found[key] = sample;
  }
  return found;
}

const sumShares = (shares: readonly (number | undefined)[]): number | undefined =>
  shares.some((share) => share === undefined) ? undefined : shares.reduce<number>((sum, share) => sum + share!, 0);

export interface OrderSearchPlan {
  /** Asked of orders_search_trgm_idx instead of the term. */
  textWindow: string;
  /** Asked of the same index instead of the phone digits. */
  digitsWindow?: string;
  /** Asked of order_lines_sku_trgm_idx instead of the term. */
  skuWindow: string;
  /** Estimated share of lines whose SKU holds the term. */
  skuShare?: number;
  /** Estimated share of orders found (by their text or a line's SKU); undefined before ANALYZE has run. */
  share?: number;
}

export async function planOrderSearch(db: DbOrTx, search: SearchPatterns): Promise<OrderSearchPlan | undefined> {
  if (!search.contains) return undefined;
  const samples = await sampledTexts(db, ["orderText", "lineSku"]);
  const text = chooseIndexWindow(search.term, samples.orderText);
  const digits = search.digits ? chooseIndexWindow(search.digits, samples.orderText) : undefined;
  const sku = chooseIndexWindow(search.term, samples.lineSku);
  return {
    textWindow: text.window,
    ...(digits ? { digitsWindow: digits.window } : {}),
    skuWindow: sku.window,
    ...(sku.termShare !== undefined ? { skuShare: sku.termShare } : {}),
    share: sumShares([text.termShare, sku.termShare, ...(digits ? [digits.termShare] : [])]),
  };
}

export interface VariantSearchPlan {
  /** Asked of variants_search_trgm_idx instead of the term. */
  variantWindow: string;
  /** Asked of products_title_trgm_idx instead of the term. */
  productWindow: string;
  /** Estimated share of variants found; undefined before ANALYZE has run. */
  share?: number;
}

export async function planVariantSearch(db: DbOrTx, search: SearchPatterns): Promise<VariantSearchPlan | undefined> {
  if (!search.contains) return undefined;
  const samples = await sampledTexts(db, ["variantText", "productTitle"]);
  const variant = chooseIndexWindow(search.term, samples.variantText);
  const product = chooseIndexWindow(search.term, samples.productTitle);
  return { variantWindow: variant.window, productWindow: product.window, share: sumShares([variant.termShare, product.termShare]) };
}

/** Whether a look at `window` rows in list order is unlikely to fill a page of `pageSize`. */
export function tooRareForWindow(share: number | undefined, window: number, pageSize: number): boolean {
  return share !== undefined && share * window < pageSize + 1;
}

/**
 * `select <id> from <from> where <scope> and <match(text)>`. With `narrowed`, the trigram index
 * is asked for the narrowed (rare) pattern and the whole-term `match` is checked on the rows it
 * returns, behind OFFSET 0 so the planner cannot fold the whole term back into the index scan
 * (which would read every one of its trigrams' posting lists again).
 */
export function indexedTextMatch(input: { id: SQL; text: SQL; from: SQL; scope: SQL; match: (text: SQL) => SQL; narrowed?: (text: SQL) => SQL }): SQL {
  if (!input.narrowed) return sql`select ${input.id} from ${input.from} where ${input.scope} and ${input.match(input.text)}`;
  return sql`select m.id from (select ${input.id} as id, ${input.text} as searched from ${input.from}
      where ${input.scope} and ${input.narrowed(input.text)} offset 0) m
    where ${input.match(sql`m.searched`)}`;
}
