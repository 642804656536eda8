import { ok } from "../../core/shared/result.js";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { AmazonCredentials, AmazonSettings } from "./amazon-connection-config.js";
import { amazonFailure } from "./amazon-failure-mapping.js";
import { buildSellingPartner, errorText, isNetworkError, type RawResponse, type SellingPartnerClient } from "./selling-partner-client.js";
import { JSON_LISTINGS_FEED_LIMIT, SP_API_USAGE_PLANS, type SpApiOperation } from "./sp-api-rate-limits.js";
import { SubmissionWindow } from "./submission-window.js";
import { TokenBucket } from "./token-bucket.js";

/**
 * One seller's SP-API calls through the official client (`amazon-sp-api`), which builds each
 * operation's path and query and sends `x-amz-access-token`. Around it:
 * - the credentials come from a token source (the channel's credential session): asked before
 *   every call, and renewed once when SP-API says the token expired, the call retried once;
 * - each operation's documented rate and burst is kept on our side, so a poll or a push waits
 *   briefly or answers `rate_limited` instead of collecting 429s (the client's own retry sleeps);
 * - every answer becomes a value in the port's vocabulary (amazon-failure-mapping.ts).
 */

/** Where the credentials come from: the channel session (persisting refreshes) or a test's. */
export interface SpApiTokenSource {
  current(): Promise<ChannelCallResult<AmazonCredentials>>;
  /** SP-API refused these credentials as expired: new ones to retry with once, or a failure. */
  renew(rejected: AmazonCredentials): Promise<ChannelCallResult<AmazonCredentials>>;
}

/** Where each operation lives in the official client: endpoint, operation name, API version. */
const CLIENT_OPERATIONS: Record<SpApiOperation, { endpoint: string; operation: string; version: string }> = {
  "orders_2026-01-01.json:searchOrders": { endpoint: "orders", operation: "searchOrders", version: "2026-01-01" },
  "orders_2026-01-01.json:getOrder": { endpoint: "orders", operation: "getOrder", version: "2026-01-01" },
  "ordersV0.json:confirmShipment": { endpoint: "orders", operation: "confirmShipment", version: "v0" },
  "listingsItems_2021-08-01.json:getListingsItem": { endpoint: "listingsItems", operation: "getListingsItem", version: "2021-08-01" },
  "listingsItems_2021-08-01.json:patchListingsItem": { endpoint: "listingsItems", operation: "patchListingsItem", version: "2021-08-01" },
  "listingsItems_2021-08-01.json:searchListingsItems": { endpoint: "listingsItems", operation: "searchListingsItems", version: "2021-08-01" },
  "feeds_2021-06-30.json:createFeedDocument": { endpoint: "feeds", operation: "createFeedDocument", version: "2021-06-30" },
  "feeds_2021-06-30.json:createFeed": { endpoint: "feeds", operation: "createFeed", version: "2021-06-30" },
  "feeds_2021-06-30.json:getFeed": { endpoint: "feeds", operation: "getFeed", version: "2021-06-30" },
  "feeds_2021-06-30.json:getFeedDocument": { endpoint: "feeds", operation: "getFeedDocument", version: "2021-06-30" },
  "reports_2021-06-30.json:createReport": { endpoint: "reports", operation: "createReport", version: "2021-06-30" },
  "reports_2021-06-30.json:getReport": { endpoint: "reports", operation: "getReport", version: "2021-06-30" },
  "reports_2021-06-30.json:getReportDocument": { endpoint: "reports", operation: "getReportDocument", version: "2021-06-30" },
};

export interface SpApiRequest {
  path?: Record<string, string>;
  query?: Record<string, string | number | readonly string[]>;
  body?: unknown;
  /**
   * How long the call may wait for a token of its own bucket before answering rate_limited.
   * 0 (the default) never waits: pollers reschedule instead.
   */
  maxWaitMs?: number;
}

export interface SpApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface SpApiClientOptions {
  settings: AmazonSettings;
  tokens: SpApiTokenSource;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Buckets shared by every client of the same seller in this process. */
  buckets?: SpApiBuckets;
}

/**
 * Our bucket holds one token less and refills 10 % slower than the documented plan: Amazon's
 * bucket and ours are debited at different instants (a request takes varying time to arrive,
 * the first one waits for an LWA token), so pacing exactly at the plan would now and then
 * arrive a few milliseconds early and collect a 429.
 */
export const CLIENT_RATE_MARGIN = 0.9;
export function clientBurst(documentedBurst: number): number {
  return Math.max(1, documentedBurst - 1);
}

/** Our window is this much longer than Amazon's, for the same reason as CLIENT_RATE_MARGIN. */
export const CLIENT_WINDOW_MARGIN_MS = 10_000;

/** One token bucket per operation, as SP-API meters them per seller and application. */
export class SpApiBuckets {
  private readonly buckets = new Map<SpApiOperation, TokenBucket>();
  private listingsFeeds: SubmissionWindow | undefined;
  constructor(private readonly now: () => number = Date.now) {}
  /** JSON_LISTINGS_FEED submissions of this seller (a feed-type limit on top of createFeed's bucket). */
  listingsFeedWindow(): SubmissionWindow {
    return (this.listingsFeeds ??= new SubmissionWindow(JSON_LISTINGS_FEED_LIMIT.submissions, JSON_LISTINGS_FEED_LIMIT.windowMs + CLIENT_WINDOW_MARGIN_MS, this.now));
  }
  for(operation: SpApiOperation): TokenBucket {
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      const plan = SP_API_USAGE_PLANS[operation];
      bucket = new TokenBucket(plan.rateRps * CLIENT_RATE_MARGIN, clientBurst(plan.burst), this.now);
      this.buckets.set(operation, bucket);
    }
    return bucket;
  }
}

const sharedBuckets = new Map<string, SpApiBuckets>();
/** The process-wide buckets of one seller on one endpoint. */
export function bucketsForSeller(settings: AmazonSettings): SpApiBuckets {
  const key = `${settings.baseUrl ?? settings.region}|${settings.sellerId}`;
  let buckets = sharedBuckets.get(key);
  if (!buckets) sharedBuckets.set(key, (buckets = new SpApiBuckets()));
  return buckets;
}

export class SpApiClient {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly buckets: SpApiBuckets;
  private client: { token: string; instance: SellingPartnerClient } | undefined;

  constructor(private readonly options: SpApiClientOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.buckets = options.buckets ?? bucketsForSeller(options.settings);
  }

  bucket(operation: SpApiOperation): TokenBucket {
    return this.buckets.for(operation);
  }

  listingsFeedWindow(): SubmissionWindow {
    return this.buckets.listingsFeedWindow();
  }

  async call<T = unknown>(operation: SpApiOperation, request: SpApiRequest = {}): Promise<ChannelCallResult<SpApiResponse<T>>> {
    // Credentials first: an LWA refresh takes a while, and the token is taken just before sending.
    const credentials = await this.options.tokens.current();
    if (!credentials.ok) return credentials;
    const bucket = this.buckets.for(operation);
    let wait = bucket.tryTake();
    // A loop, not one sleep: the clock's millisecond rounding can leave a token a hair short.
    for (let waited = 0; wait > 0 && waited + wait <= (request.maxWaitMs ?? 0); wait = bucket.tryTake()) {
      await this.sleep(wait);
      waited += wait;
    }
    if (wait > 0) return amazonFailure({ kind: "local_rate_limit" }, `${operation}: the documented rate is used up`, wait);

    let response = await this.send(credentials.value, operation, request);
    if (!response.ok) return response;
    if (accessTokenExpired(response.value)) {
      // SP-API decides expiry, not our clock: renew once and retry exactly once.
      const renewed = await this.options.tokens.renew(credentials.value);
      if (!renewed.ok) return renewed;
      response = await this.send(renewed.value, operation, request);
      if (!response.ok) return response;
    }
    return this.interpret<T>(operation, response.value);
  }

  /** Uploads a feed document to the presigned URL createFeedDocument returned. */
  async upload(url: string, content: string, contentType: string): Promise<ChannelCallResult<void>> {
    const client = await this.instance();
    if (!client.ok) return client;
    try {
      await client.value.upload({ url }, { content, contentType });
      return ok(undefined);
    } catch (error) {
      return amazonFailure({ kind: "network" }, `feed document upload failed: ${errorText(error)}`);
    }
  }

  /** Downloads (and gunzips) a document from the presigned URL getFeedDocument returned. */
  async download(document: { url: string; compressionAlgorithm?: string }): Promise<ChannelCallResult<string>> {
    const client = await this.instance();
    if (!client.ok) return client;
    try {
      const content = await client.value.download(document);
      return ok(typeof content === "string" ? content : Buffer.isBuffer(content) ? content.toString("utf8") : JSON.stringify(content));
    } catch (error) {
      return amazonFailure({ kind: "network" }, `document download failed: ${errorText(error)}`);
    }
  }

  private async instance(): Promise<ChannelCallResult<SellingPartnerClient>> {
    const credentials = await this.options.tokens.current();
    return credentials.ok ? ok(this.clientFor(credentials.value)) : credentials;
  }

  /** The official client holds one access token; a new token gets a new client. */
  private clientFor(credentials: AmazonCredentials): SellingPartnerClient {
    const token = credentials.accessToken ?? "";
    if (this.client?.token !== token) this.client = { token, instance: buildSellingPartner(this.options.settings, credentials, token || undefined) };
    return this.client.instance;
  }

  private async send(credentials: AmazonCredentials, operation: SpApiOperation, request: SpApiRequest): Promise<ChannelCallResult<RawResponse>> {
    const target = CLIENT_OPERATIONS[operation];
    // The client encodes path parameters in place, so every attempt gets fresh objects.
    const params: Record<string, unknown> = {
      operation: target.operation,
      endpoint: target.endpoint,
      ...(request.path ? { path: { ...request.path } } : {}),
      ...(request.query ? { query: { ...request.query } } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      options: { version: target.version, raw_result: true },
    };
    try {
      return ok((await this.clientFor(credentials).callAPI(params)) as RawResponse);
    } catch (error) {
      if (isNetworkError(error)) return amazonFailure({ kind: "network" }, `${operation} failed: ${errorText(error)}`);
      // The client threw before sending: a wrong operation or missing parameter is our bug.
      throw error;
    }
  }

  private interpret<T>(operation: SpApiOperation, response: RawResponse): ChannelCallResult<SpApiResponse<T>> {
    const bucket = this.buckets.for(operation);
    const limit = Number(headerValue(response.headers, "x-amzn-ratelimit-limit"));
    if (limit > 0) bucket.setRate(limit * CLIENT_RATE_MARGIN);
    const body = parseBody(response.body);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return ok({ status, body: body as T, headers: response.headers });
    const detail = `${operation} answered ${status}: ${errorSummary(body)}`;
    if (status === 429) {
      bucket.drain();
      return amazonFailure({ kind: "http", status }, detail, limit > 0 ? Math.ceil(1000 / limit) : bucket.tryTake() || 1000);
    }
    return amazonFailure({ kind: "http", status }, detail);
  }
}

function accessTokenExpired(response: RawResponse): boolean {
  if (response.statusCode !== 403 && response.statusCode !== 401) return false;
  const body = parseBody(response.body) as { errors?: { code?: string; details?: string; message?: string }[] } | null;
  const first = body?.errors?.[0];
  return first?.code === "Unauthorized" && /access token.*expired/i.test(`${first.details ?? ""} ${first.message ?? ""}`);
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorSummary(body: unknown): string {
  const errors = (body as { errors?: { code?: string; message?: string; details?: string }[] } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e) => [e.code, e.message, e.details].filter(Boolean).join(": ")).join("; ");
  }
  return typeof body === "string" ? body.slice(0, 300) : (JSON.stringify(body)?.slice(0, 300) ?? "no body");
}

function headerValue(headers: RawResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
