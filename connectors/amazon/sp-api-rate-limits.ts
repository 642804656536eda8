/**
 * The documented default usage plan (rate in requests per second, burst) of each SP-API
 * operation this connector calls, as published in the operation descriptions of the models
 * (../shared/specs/amazon, summarised in rate_limits.derived.json). They live in code because
 * production has no specs folder; a contract test checks every figure against the spec file.
 * A seller's real plan may be higher: the client follows x-amzn-RateLimit-Limit when sent.
 */
export interface UsagePlan {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly rateRps: number;
  readonly burst: number;
}

export const SP_API_USAGE_PLANS = {
  "orders_2026-01-01.json:searchOrders": { method: "GET", path: "/orders/2026-01-01/orders", rateRps: 0.0056, burst: 20 },
  "orders_2026-01-01.json:getOrder": { method: "GET", path: "/orders/2026-01-01/orders/{orderId}", rateRps: 0.5, burst: 30 },
  "ordersV0.json:confirmShipment": { method: "POST", path: "/orders/v0/orders/{orderId}/shipmentConfirmation", rateRps: 2.0, burst: 10 },
  "listingsItems_2021-08-01.json:getListingsItem": { method: "GET", path: "/listings/2021-08-01/items/{sellerId}/{sku}", rateRps: 5.0, burst: 10 },
  "listingsItems_2021-08-01.json:patchListingsItem": { method: "PATCH", path: "/listings/2021-08-01/items/{sellerId}/{sku}", rateRps: 5.0, burst: 5 },
  "listingsItems_2021-08-01.json:searchListingsItems": { method: "GET", path: "/listings/2021-08-01/items/{sellerId}", rateRps: 5.0, burst: 5 },
  "feeds_2021-06-30.json:createFeedDocument": { method: "POST", path: "/feeds/2021-06-30/documents", rateRps: 0.5, burst: 15 },
  "feeds_2021-06-30.json:createFeed": { method: "POST", path: "/feeds/2021-06-30/feeds", rateRps: 0.0083, burst: 15 },
  "feeds_2021-06-30.json:getFeed": { method: "GET", path: "/feeds/2021-06-30/feeds/{feedId}", rateRps: 2.0, burst: 15 },
  "feeds_2021-06-30.json:getFeedDocument": { method: "GET", path: "/feeds/2021-06-30/documents/{feedDocumentId}", rateRps: 0.0222, burst: 10 },
  "reports_2021-06-30.json:createReport": { method: "POST", path: "/reports/2021-06-30/reports", rateRps: 0.0167, burst: 15 },
  "reports_2021-06-30.json:getReport": { method: "GET", path: "/reports/2021-06-30/reports/{reportId}", rateRps: 2, burst: 15 },
  "reports_2021-06-30.json:getReportDocument": { method: "GET", path: "/reports/2021-06-30/documents/{reportDocumentId}", rateRps: 0.0167, burst: 15 },
} as const satisfies Record<string, UsagePlan>;

export type SpApiOperation = keyof typeof SP_API_USAGE_PLANS;

/**
 * createFeed's plan above is per operation; a JSON_LISTINGS_FEED has a limit of its own, per
 * seller and region: five submissions per five minutes (createFeed's description points to it;
 * the Feeds API rate-limit page lists it under "limits for specific cases", and the May 2025
 * changelog raised it from one to five per five minutes). createFeed's burst of 15 would allow
 * fifteen listings feeds in a second.
 */
export const JSON_LISTINGS_FEED_LIMIT = { submissions: 5, windowMs: 5 * 60_000 } as const;

/** Finds the operation a request addresses, e.g. PATCH /listings/2021-08-01/items/S1/SKU-1. */
export function operationForRequest(method: string, pathname: string): SpApiOperation | undefined {
  for (const [operation, plan] of Object.entries(SP_API_USAGE_PLANS) as [SpApiOperation, UsagePlan][]) {
    if (plan.method !== method.toUpperCase()) continue;
    const pattern = new RegExp(`^${plan.path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (pattern.test(pathname)) return operation;
  }
  return undefined;
}
