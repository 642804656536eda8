import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The SP-API models (Swagger 2.0) and the listings feed JSON Schemas are reference data kept
 * outside the project (../shared/specs/amazon, see its SOURCE.txt). They are read from there,
 * never copied in; where the folder is absent the callers skip (tests) or degrade (the sandbox
 * accepts bodies unvalidated and says so), never fail.
 */
export function amazonSpecsDir(): string {
  return path.join(process.env.SPECS_DIR ?? path.resolve(process.cwd(), "../shared/specs"), "amazon");
}

export const AMAZON_SPEC_FILES = {
  orders: "orders_2026-01-01.json",
  ordersV0: "ordersV0.json",
  listingsItems: "listingsItems_2021-08-01.json",
  feeds: "feeds_2021-06-30.json",
  reports: "reports_2021-06-30.json",
  listingsFeed: "listings-feed-schema-v2.json",
  listingsFeedMessage: "listings-feed-message-schema-v2.json",
  listingsFeedReport: "listings-feed-processing-report-schema-v2.json",
  rateLimits: "rate_limits.derived.json",
} as const;
export type AmazonSpecName = keyof typeof AMAZON_SPEC_FILES;

export function amazonSpecPath(name: AmazonSpecName): string {
  return path.join(amazonSpecsDir(), AMAZON_SPEC_FILES[name]);
}

export function amazonSpecsAvailable(): boolean {
  return (Object.keys(AMAZON_SPEC_FILES) as AmazonSpecName[]).every((name) => existsSync(amazonSpecPath(name)));
}

const cache = new Map<string, unknown>();

/** The parsed spec file, or undefined when the specs folder is not present. */
export function loadAmazonSpec<T = Record<string, unknown>>(name: AmazonSpecName): T | undefined {
  const file = amazonSpecPath(name);
  if (cache.has(file)) return cache.get(file) as T;
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as T;
  cache.set(file, parsed);
  return parsed;
}
