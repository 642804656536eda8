import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { amazonSpecsAvailable, amazonSpecsDir } from "../amazon-specs.js";
import { swaggerDefinitionValidator, type SpecValidator } from "../amazon-spec-validator.js";
import { FULFILLMENT_AVAILABILITY_PATH, SELLER_FULFILLMENT_CHANNEL } from "../listings-stock-request.js";
import { JSON_LISTINGS_FEED_LIMIT, SP_API_USAGE_PLANS, operationForRequest, type SpApiOperation } from "../sp-api-rate-limits.js";
import { SubmissionWindow } from "../submission-window.js";
import { TokenBucket } from "../token-bucket.js";
import { processDueFeeds, SUPPORTED_FEED_TYPES } from "./amazon-sandbox-feeds.js";
import { authorizeDueOrders, confirmShipment, generateOrder, orderView, type GenerateOrderOptions } from "./amazon-sandbox-orders.js";
import { createAmazonReturnsDesk, type AmazonReturnsDesk } from "./amazon-sandbox-reports.js";
import { createAmazonSandboxState, setListingQuantity, type AmazonSandboxState, type SandboxOrder, type SandboxSeedListing } from "./amazon-sandbox-state.js";

/**
 * A stand-in for one seller's Selling Partner API and its Login with Amazon token endpoint
 * (rule 9): the real paths of the operations the connector calls, `x-amz-access-token` auth
 * with expiring LWA tokens, searchOrders windows and pagination tokens, listings patches and
 * feeds validated against the published models, and each operation's documented rate and
 * burst enforced with 429 QuotaExceeded and `x-amzn-RateLimit-Limit` (and JSON_LISTINGS_FEED's
 * own limit, five per five minutes). Feed documents are
 * uploaded to and downloaded from presigned-style URLs on the same server.
 */

export interface AmazonSandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  sellerId: string;
  marketplaceId?: string;
  currency?: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  listings?: readonly SandboxSeedListing[];
  now?: () => number;
  /** LWA access token lifetime; 3600 s as Amazon's. */
  accessTokenTtlMs?: number;
  /** How long a report is prepared before it is DONE. */
  reportProcessingDelayMs?: number;
  /** How long a feed waits before it is processed; Amazon takes minutes. */
  feedProcessingDelayMs?: number;
  /** Off only for tests that are not about throttling. */
  enforceRateLimits?: boolean;
  log?: (line: string) => void;
}

export interface AmazonSandbox {
  url: string;
  state: AmazonSandboxState;
  /** False when ../shared/specs/amazon was not found and bodies are accepted unvalidated. */
  validatesBodies: boolean;
  /** Calls answered per operation, and how many of them were 429s. */
  calls: Map<string, { total: number; throttled: number }>;
  bucket(operation: SpApiOperation): TokenBucket;
  generateOrder(options?: GenerateOrderOptions): SandboxOrder | undefined;
  /** Buyers' returns and the returns report (Reports API) that lists them. */
  returns: AmazonReturnsDesk;
  /** Replaces the seller's listings (the demo rebuilds them from the ledger on every start). */
  replaceListings(listings: readonly SandboxSeedListing[]): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const DOCUMENT_PATH = /^\/sandbox-documents\/([^/]+)$/;

interface Route {
  method: string;
  pattern: RegExp;
  handle: (match: RegExpExecArray, url: URL, body: unknown) => Answer;
}
interface Answer {
  status: number;
  json?: unknown;
}

export async function startAmazonSandbox(options: AmazonSandboxOptions): Promise<AmazonSandbox> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(`[amazon-sandbox] ${line}`));
  const state = createAmazonSandboxState({
    sellerId: options.sellerId,
    marketplaceId: options.marketplaceId ?? "ATVPDKIKX0DER",
    currency: options.currency ?? "USD",
    ...(options.listings ? { listings: options.listings } : {}),
    now: now(),
  });
  const ttl = options.accessTokenTtlMs ?? 3600_000;
  const feedDelay = options.feedProcessingDelayMs ?? 0;
  const enforce = options.enforceRateLimits ?? true;
  const validatesBodies = amazonSpecsAvailable();
  if (!validatesBodies) log(`specs not found in ${amazonSpecsDir()} (set SPECS_DIR): request bodies are accepted WITHOUT validation`);
  const buckets = new Map<SpApiOperation, TokenBucket>();
  const bucket = (operation: SpApiOperation) => {
    let b = buckets.get(operation);
    if (!b) buckets.set(operation, (b = new TokenBucket(SP_API_USAGE_PLANS[operation].rateRps, SP_API_USAGE_PLANS[operation].burst, now)));
    return b;
  };
  const listingsFeeds = new SubmissionWindow(JSON_LISTINGS_FEED_LIMIT.submissions, JSON_LISTINGS_FEED_LIMIT.windowMs, now);
  const calls = new Map<string, { total: number; throttled: number }>();
  let baseUrl = "";

  const invalid = (message: string, details = ""): Answer => ({ status: 400, json: { errors: [{ code: "InvalidInput", message, details }] } });
  const notFound = (message: string): Answer => ({ status: 404, json: { errors: [{ code: "NotFound", message, details: "" }] } });
  const checkBody = (validator: SpecValidator | undefined, body: unknown): Answer | undefined => {
    if (!validator) return undefined;
    const result = validator(body);
    return result.valid ? undefined : invalid("Request body does not match the model", result.errors.slice(0, 5).join("; "));
  };
  const listQuery = (url: URL, name: string) =>
    url.searchParams
      .getAll(name)
      .flatMap((v) => v.split(","))
      .filter(Boolean);

  const returnsDesk = createAmazonReturnsDesk({ state, now, baseUrl: () => baseUrl, processingDelayMs: options.reportProcessingDelayMs ?? 0 });
  const routes: Route[] = [
    ...returnsDesk.routes,
    {
      method: "GET",
      pattern: /^\/orders\/2026-01-01\/orders$/,
      handle: (_m, url) => searchOrders(url),
    },
    {
      method: "GET",
      pattern: /^\/orders\/2026-01-01\/orders\/([^/]+)$/,
      handle: (m, url) => {
        authorizeDueOrders(state, now());
        const order = state.orders.get(decodeURIComponent(m[1]!));
        if (!order) return notFound(`Order ${decodeURIComponent(m[1]!)} not found`);
        return { status: 200, json: { order: orderView(order, state, new Set(listQuery(url, "includedData"))) } };
      },
    },
    {
      method: "POST",
      pattern: /^\/orders\/v0\/orders\/([^/]+)\/shipmentConfirmation$/,
      handle: (m, _url, body) => {
        const bad = checkBody(swaggerDefinitionValidator("ordersV0", "ConfirmShipmentRequest"), body);
        if (bad) return bad;
        const request = body as { marketplaceId: string; packageDetail: Parameters<typeof confirmShipment>[2] };
        if (request.marketplaceId !== state.marketplaceId) return invalid(`marketplaceId ${request.marketplaceId} is not this seller's marketplace`);
        const outcome = confirmShipment(state, decodeURIComponent(m[1]!), request.packageDetail, now());
        if (!outcome.ok) return { status: outcome.status, json: { errors: [{ code: outcome.code, message: outcome.message }] } };
        return { status: 204 };
      },
    },
    {
      method: "GET",
      pattern: /^\/listings\/2021-08-01\/items\/([^/]+)$/,
      handle: (m, url) => {
        if (decodeURIComponent(m[1]!) !== state.sellerId) return { status: 403, json: { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied." }] } };
        const pageSize = Math.min(20, Math.max(1, Number(url.searchParams.get("pageSize") ?? 10)));
        const offset = Number(url.searchParams.get("pageToken") ? Buffer.from(url.searchParams.get("pageToken")!, "base64url").toString() : 0) || 0;
        const all = [...state.listings.values()].sort((a, b) => a.sku.localeCompare(b.sku));
        const page = all.slice(offset, offset + pageSize);
        return {
          status: 200,
          json: {
            numberOfResults: all.length,
            ...(offset + pageSize < all.length ? { pagination: { nextToken: Buffer.from(String(offset + pageSize)).toString("base64url") } } : {}),
            items: page.map((l) => listingView(l.sku)),
          },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/,
      handle: (m) => {
        const sku = decodeURIComponent(m[2]!);
        if (decodeURIComponent(m[1]!) !== state.sellerId || !state.listings.has(sku)) return notFound(`Requested item '${sku}' not found`);
        return { status: 200, json: listingView(sku) };
      },
    },
    {
      method: "PATCH",
      pattern: /^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/,
      handle: (m, url, body) => patchListing(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), url, body),
    },
    {
      method: "POST",
      pattern: /^\/feeds\/2021-06-30\/documents$/,
      handle: (_m, _url, body) => {
        const bad = checkBody(swaggerDefinitionValidator("feeds", "CreateFeedDocumentSpecification"), body);
        if (bad) return bad;
        const feedDocumentId = `amzn1.tortuga.4.na.sbx-${state.nextDocumentId++}`;
        state.documents.set(feedDocumentId, { feedDocumentId, contentType: (body as { contentType: string }).contentType });
        return { status: 201, json: { feedDocumentId, url: `${baseUrl}/sandbox-documents/${encodeURIComponent(feedDocumentId)}` } };
      },
    },
    {
      method: "POST",
      pattern: /^\/feeds\/2021-06-30\/feeds$/,
      handle: (_m, _url, body) => {
        const bad = checkBody(swaggerDefinitionValidator("feeds", "CreateFeedSpecification"), body);
        if (bad) return bad;
        const spec = body as { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string };
        if (!SUPPORTED_FEED_TYPES.has(spec.feedType)) return invalid(`The sandbox does not process feed type ${spec.feedType}`);
        const document = state.documents.get(spec.inputFeedDocumentId);
        if (!document) return invalid(`inputFeedDocumentId ${spec.inputFeedDocumentId} does not exist`);
        if (document.content === undefined) return invalid(`feed document ${spec.inputFeedDocumentId} has not been uploaded`);
        // The JSON_LISTINGS_FEED feed-type limit, on top of createFeed's own bucket: five per five minutes.
        if (spec.feedType === "JSON_LISTINGS_FEED" && enforce && listingsFeeds.tryTake() > 0) {
          return { status: 429, json: { errors: [{ code: "QuotaExceeded", message: "You exceeded your quota for the requested resource.", details: "JSON_LISTINGS_FEED: five submissions per five minutes" }] } };
        }
        const feedId = String(state.nextFeedId++);
        state.feeds.set(feedId, {
          feedId,
          feedType: spec.feedType,
          marketplaceIds: spec.marketplaceIds,
          createdTime: new Date(now()).toISOString(),
          processingStatus: "IN_QUEUE",
          inputFeedDocumentId: spec.inputFeedDocumentId,
        });
        return { status: 202, json: { feedId } };
      },
    },
    {
      method: "GET",
      pattern: /^\/feeds\/2021-06-30\/feeds\/([^/]+)$/,
      handle: (m) => {
        processDueFeeds(state, now(), feedDelay);
        const feed = state.feeds.get(decodeURIComponent(m[1]!));
        if (!feed) return notFound(`Feed ${decodeURIComponent(m[1]!)} not found`);
        const { inputFeedDocumentId: _input, ...view } = feed;
        return { status: 200, json: view };
      },
    },
    {
      method: "GET",
      pattern: /^\/feeds\/2021-06-30\/documents\/([^/]+)$/,
      handle: (m) => {
        const document = state.documents.get(decodeURIComponent(m[1]!));
        if (!document) return notFound(`Feed document ${decodeURIComponent(m[1]!)} not found`);
        return { status: 200, json: { feedDocumentId: document.feedDocumentId, url: `${baseUrl}/sandbox-documents/${encodeURIComponent(document.feedDocumentId)}` } };
      },
    },
  ];

  function searchOrders(url: URL): Answer {
    authorizeDueOrders(state, now());
    const q = url.searchParams;
    const createdAfter = q.get("createdAfter");
    const updatedAfter = q.get("lastUpdatedAfter");
    if (Boolean(createdAfter) === Boolean(updatedAfter)) return invalid("Exactly one of createdAfter and lastUpdatedAfter must be provided");
    if (updatedAfter && (q.get("createdBefore") || createdAfter)) return invalid("lastUpdatedAfter cannot be combined with createdAfter or createdBefore");
    if (createdAfter && (q.get("lastUpdatedBefore") || updatedAfter)) return invalid("createdAfter cannot be combined with lastUpdatedAfter or lastUpdatedBefore");
    const after = Date.parse((createdAfter ?? updatedAfter)!);
    if (Number.isNaN(after)) return invalid("The date must be in ISO 8601 format");
    const beforeParam = q.get(updatedAfter ? "lastUpdatedBefore" : "createdBefore");
    const latest = now() - 2 * 60_000;
    const before = beforeParam ? Date.parse(beforeParam) : latest;
    if (Number.isNaN(before)) return invalid("The date must be in ISO 8601 format");
    if (before < after) return invalid("The before date must be equal to or after the after date");
    if (before > latest) return invalid("The before date must be at least two minutes before the time of the request");
    const pageSize = Number(q.get("maxResultsPerPage") ?? 100);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return invalid("maxResultsPerPage must be between 1 and 100");
    const marketplaces = listQuery(url, "marketplaceIds");
    if (marketplaces.length > 0 && !marketplaces.includes(state.marketplaceId)) return { status: 200, json: { orders: [], lastUpdatedBefore: new Date(before).toISOString() } };
    const statuses = new Set(listQuery(url, "fulfillmentStatuses"));
    const field = updatedAfter ? "lastUpdatedTime" : "createdTime";
    const matching = [...state.orders.values()]
      .filter((o) => Date.parse(o[field]) >= after && Date.parse(o[field]) <= before && (statuses.size === 0 || statuses.has(o.status)))
      .sort((a, b) => a[field].localeCompare(b[field]) || a.orderId.localeCompare(b.orderId));
    // The token carries the position and the query it belongs to; other parameters must repeat.
    const signature = [createdAfter, updatedAfter, beforeParam, [...statuses].join(",")].join("|");
    let offset = 0;
    const token = q.get("paginationToken");
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded || decoded.signature !== signature) return invalid("Invalid paginationToken: the other parameters must have the values of the request that returned it");
      offset = decoded.offset;
    }
    const page = matching.slice(offset, offset + pageSize);
    const included = new Set(listQuery(url, "includedData"));
    return {
      status: 200,
      json: {
        orders: page.map((o) => orderView(o, state, included)),
        ...(offset + pageSize < matching.length ? { pagination: { nextToken: encodeToken({ offset: offset + pageSize, signature }) } } : {}),
        ...(updatedAfter ? { lastUpdatedBefore: new Date(before).toISOString() } : { createdBefore: new Date(before).toISOString() }),
      },
    };
  }

  function patchListing(sellerId: string, sku: string, url: URL, body: unknown): Answer {
    if (sellerId !== state.sellerId) return { status: 403, json: { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied." }] } };
    const marketplaces = listQuery(url, "marketplaceIds");
    if (marketplaces.length === 0) return invalid("marketplaceIds is required");
    if (!marketplaces.includes(state.marketplaceId)) return invalid(`marketplaceIds ${marketplaces.join(",")} does not include this seller's marketplace`);
    const bad = checkBody(swaggerDefinitionValidator("listingsItems", "ListingsItemPatchRequest"), body);
    if (bad) return bad;
    const listing = state.listings.get(sku);
    if (!listing) return notFound(`Requested item '${sku}' not found`);
    const submissionId = `${randomUUID()}`;
    const request = body as { patches: { op: string; path: string; value?: { fulfillment_channel_code?: string; quantity?: unknown }[] }[] };
    for (const patch of request.patches) {
      if (patch.path !== FULFILLMENT_AVAILABILITY_PATH) continue;
      const entry = patch.value?.find((v) => (v.fulfillment_channel_code ?? SELLER_FULFILLMENT_CHANNEL) === SELLER_FULFILLMENT_CHANNEL);
      const quantity = patch.op === "delete" ? 0 : entry?.quantity;
      if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 0) {
        return {
          status: 200,
          json: { sku, status: "INVALID", submissionId, issues: [{ code: "90220", message: "'fulfillment_availability.quantity' must be a non-negative integer.", severity: "ERROR", attributeNames: ["fulfillment_availability"] }] },
        };
      }
      setListingQuantity(state, sku, quantity, now(), "patch");
    }
    return { status: 200, json: { sku, status: "ACCEPTED", submissionId, issues: [] } };
  }

  function listingView(sku: string) {
    const l = state.listings.get(sku)!;
    return {
      sku: l.sku,
      summaries: [
        {
          marketplaceId: state.marketplaceId,
          asin: l.asin,
          productType: l.productType,
          conditionType: "new_new",
          status: l.quantity > 0 ? ["BUYABLE", "DISCOVERABLE"] : ["DISCOVERABLE"],
          itemName: l.title,
          createdDate: l.createdAt,
          lastUpdatedDate: l.updatedAt,
        },
      ],
      offers: [{ marketplaceId: state.marketplaceId, offerType: "B2C", price: { amount: l.price, currencyCode: state.currency } }],
      fulfillmentAvailability: [{ fulfillmentChannelCode: SELLER_FULFILLMENT_CHANNEL, quantity: l.quantity }],
    };
  }

  function tokenAnswer(body: Record<string, string>): Answer {
    if (body.client_id !== options.clientId || body.client_secret !== options.clientSecret) {
      return { status: 401, json: { error: "invalid_client", error_description: "Client authentication failed" } };
    }
    if (body.grant_type !== "refresh_token") return { status: 400, json: { error: "unsupported_grant_type", error_description: "The sandbox grants refresh_token only" } };
    if (body.refresh_token !== options.refreshToken) {
      return { status: 400, json: { error: "invalid_grant", error_description: "The request has an invalid grant parameter : refresh_token" } };
    }
    const accessToken = `Atza|sbx.${randomBytes(24).toString("base64url")}`;
    state.accessTokens.set(accessToken, now() + ttl);
    return { status: 200, json: { access_token: accessToken, refresh_token: options.refreshToken, token_type: "bearer", expires_in: Math.round(ttl / 1000) } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = req.method ?? "GET";
    const documentMatch = DOCUMENT_PATH.exec(url.pathname);
    if (documentMatch) {
      // Presigned storage URLs: no access token, like Amazon's S3 links.
      const document = state.documents.get(decodeURIComponent(documentMatch[1]!));
      if (!document) return sendXmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
      if (method === "PUT") {
        const raw = await readBody(req);
        if (raw === undefined) return sendXmlError(res, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
        document.content = raw;
        res.writeHead(200).end();
        return;
      }
      if (method === "GET" && document.content !== undefined) {
        res.writeHead(200, { "Content-Type": document.contentType }).end(document.content);
        return;
      }
      return sendXmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
    }

    if (method === "POST" && url.pathname === "/auth/o2/token") {
      const raw = (await readBody(req)) ?? "";
      const contentType = String(req.headers["content-type"] ?? "");
      let body: Record<string, string> = {};
      try {
        body = contentType.includes("json") ? (JSON.parse(raw) as Record<string, string>) : Object.fromEntries(new URLSearchParams(raw));
      } catch {
        return sendJson(res, 400, { error: "invalid_request", error_description: "Malformed request body" });
      }
      const answer = tokenAnswer(body);
      return sendJson(res, answer.status, answer.json);
    }

    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    if (!route) return sendJson(res, 404, { errors: [{ code: "NotFound", message: `Resource ${method} ${url.pathname} is not found.` }] });
    const operation = operationForRequest(method, url.pathname);

    const token = req.headers["x-amz-access-token"];
    const expiresAt = typeof token === "string" ? state.accessTokens.get(token) : undefined;
    if (typeof token !== "string" || !token) return sendJson(res, 403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The request has no access token." }] });
    if (expiresAt === undefined) return sendJson(res, 403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The access token you provided is revoked, malformed or invalid." }] });
    if (expiresAt <= now()) return sendJson(res, 403, { errors: [{ code: "Unauthorized", message: "Access to requested resource is denied.", details: "The access token you provided has expired." }] });

    const counters = operation ? (calls.get(operation) ?? { total: 0, throttled: 0 }) : undefined;
    if (operation && counters) calls.set(operation, counters);
    if (counters) counters.total++;
    const rateHeader: Record<string, string> = operation ? { "x-amzn-RateLimit-Limit": String(SP_API_USAGE_PLANS[operation].rateRps) } : {};
    if (operation && enforce && bucket(operation).tryTake() > 0) {
      counters!.throttled++;
      return sendJson(res, 429, { errors: [{ code: "QuotaExceeded", message: "You exceeded your quota for the requested resource.", details: "" }] }, rateHeader);
    }

    let body: unknown;
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      const raw = await readBody(req);
      if (raw === undefined) return sendJson(res, 413, { errors: [{ code: "RequestEntityTooLarge", message: "The request size exceeded the maximum accepted size." }] });
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return sendJson(res, 400, { errors: [{ code: "InvalidInput", message: "The request body is not valid JSON." }] });
      }
    }
    const answer = route.handle(route.pattern.exec(url.pathname)!, url, body);
    if (answer.status === 429 && counters) counters.throttled++;
    if (answer.status === 204) {
      res.writeHead(204, { ...rateHeader, "x-amzn-RequestId": randomUUID() }).end();
      return;
    }
    sendJson(res, answer.status, answer.json, rateHeader);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: "InternalFailure", message: "We encountered an internal error. Please try again." }] });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  log(`seller ${options.sellerId} listening on ${baseUrl} (SP-API and LWA /auth/o2/token)`);

  return {
    url: baseUrl,
    state,
    validatesBodies,
    calls,
    bucket,
    generateOrder: (generateOptions) => generateOrder(state, now(), generateOptions),
    returns: returnsDesk,
    replaceListings(listings) {
      const fresh = createAmazonSandboxState({ sellerId: state.sellerId, marketplaceId: state.marketplaceId, currency: state.currency, listings, now: now() });
      state.listings = fresh.listings;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function encodeToken(value: { offset: number; signature: string }): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeToken(token: string): { offset: number; signature: string } | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString()) as { offset?: unknown; signature?: unknown };
    return typeof value.offset === "number" && typeof value.signature === "string" ? { offset: value.offset, signature: value.signature } : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "x-amzn-RequestId": randomUUID(), ...headers });
  res.end(text);
}

function sendXmlError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "Content-Type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
