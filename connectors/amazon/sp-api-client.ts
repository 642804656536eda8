import { createRequire } from "node:module";
import { err, ok } from "../../core/shared/result.js";
import type { ChannelCallResult, ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";
import {
  LWA_ACCESS_TOKEN_LIFETIME_MS,
  type AmazonCredentials,
  type AmazonSettings,
} from "./amazon-connection-config.js";
import { EndpointRedirectAgent } from "./endpoint-redirect-agent.js";
import { SP_API_USAGE_PLANS, type SpApiOperation } from "./sp-api-rate-limits.js";
import { TokenBucket } from "./token-bucket.js";

/**
 * One seller's SP-API session on top of the official client (`amazon-sp-api`): the client
 * builds each operation's path and query, signs requests with `x-amz-access-token` and talks
 * to LWA; this wrapper adds what a background connector needs and the client leaves out:
 * - failures as values in the port's vocabulary (the client throws, and drops the status);
 * - LWA tokens refreshed ahead of expiry and when SP-API says "expired", retried once, and
 *   handed to `onCredentialsRefreshed` to be persisted (encrypted) before they are used;
 * - each operation's documented rate and burst kept on our side, so a poll or push waits or
 *   reschedules instead of collecting 429s (the client's own retry sleeps inside the call);
 * - the endpoint override (see EndpointRedirectAgent).
 */

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The part of the official client this wrapper uses. */
interface SellingPartnerClient {
  readonly access_token: string | undefined;
  refreshAccessToken(): Promise<void>;
  callAPI(params: Record<string, unknown>): Promise<unknown>;
  upload(details: { url: string }, feed: { content: string; contentType: string }): Promise<unknown>;
  download(details: { url: string; compressionAlgorithm?: string }, options?: Record<string, unknown>): Promise<unknown>;
}
type SellingPartnerConstructor = new (config: Record<string, unknown>) => SellingPartnerClient;

// The package is CommonJS and its typings declare a module shape it does not export.
const SellingPartner = createRequire(import.meta.url)("amazon-sp-api") as SellingPartnerConstructor;

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
  credentials: AmazonCredentials;
  /** Persist refreshed credentials (encrypted) here; awaited before the new token is used. */
  onCredentialsRefreshed?: (credentials: AmazonCredentials) => Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Buckets shared by every client of the same seller in this process. */
  buckets?: SpApiBuckets;
}

/** One token bucket per operation, as SP-API meters them per seller and application. */
export class SpApiBuckets {
  private readonly buckets = new Map<SpApiOperation, TokenBucket>();
  constructor(private readonly now: () => number = Date.now) {}
  for(operation: SpApiOperation): TokenBucket {
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      const plan = SP_API_USAGE_PLANS[operation];
      bucket = new TokenBucket(plan.rateRps, plan.burst, this.now);
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

// A token this close to its end is refreshed first: a long call must not outlive it.
const EXPIRY_MARGIN_MS = 60_000;

export class SpApiClient {
  private credentials: AmazonCredentials;
  private readonly client: SellingPartnerClient;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly buckets: SpApiBuckets;

  constructor(private readonly options: SpApiClientOptions) {
    this.credentials = options.credentials;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.buckets = options.buckets ?? bucketsForSeller(options.settings);
    this.client = new SellingPartner({
      region: options.settings.region,
      refresh_token: options.credentials.refreshToken,
      ...(this.tokenStillGood() ? { access_token: options.credentials.accessToken } : {}),
      credentials: {
        SELLING_PARTNER_APP_CLIENT_ID: options.credentials.clientId,
        SELLING_PARTNER_APP_CLIENT_SECRET: options.credentials.clientSecret,
      },
      options: {
        // Tokens and throttling are handled here, where failures become values.
        auto_request_tokens: false,
        auto_request_throttled: false,
        retry_remote_timeout: false,
        version_fallback: false,
        // A stalled connection must end the call, not hang a worker.
        timeouts: { response: 30_000, deadline: 120_000 },
        ...(options.settings.baseUrl ? { https_proxy_agent: new EndpointRedirectAgent(options.settings.baseUrl) } : {}),
      },
    });
  }

  /** The credentials as they are now (after any refresh). */
  get currentCredentials(): AmazonCredentials {
    return this.credentials;
  }

  bucket(operation: SpApiOperation): TokenBucket {
    return this.buckets.for(operation);
  }

  async call<T = unknown>(operation: SpApiOperation, request: SpApiRequest = {}): Promise<ChannelCallResult<SpApiResponse<T>>> {
    const bucket = this.buckets.for(operation);
    let wait = bucket.tryTake();
    if (wait > 0 && wait <= (request.maxWaitMs ?? 0)) {
      await this.sleep(wait);
      wait = bucket.tryTake();
    }
    if (wait > 0) return rateLimited(`${operation}: the documented rate is used up locally`, wait);

    if (!this.tokenStillGood()) {
      const refreshed = await this.refreshToken();
      if (!refreshed.ok) return refreshed;
    }
    let response = await this.send(operation, request);
    if (!response.ok) return response;
    if (accessTokenExpired(response.value)) {
      // SP-API decides expiry, not our clock: refresh and retry exactly once.
      const refreshed = await this.refreshToken();
      if (!refreshed.ok) return refreshed;
      response = await this.send(operation, request);
      if (!response.ok) return response;
    }
    return this.interpret<T>(operation, response.value);
  }

  /** Uploads a feed document to the presigned URL createFeedDocument returned. */
  async upload(url: string, content: string, contentType: string): Promise<ChannelCallResult<void>> {
    try {
      await this.client.upload({ url }, { content, contentType });
      return ok(undefined);
    } catch (error) {
      return transportFailure(error, "feed document upload");
    }
  }

  /** Downloads (and gunzips) a document from the presigned URL getFeedDocument returned. */
  async download(document: { url: string; compressionAlgorithm?: string }): Promise<ChannelCallResult<string>> {
    try {
      const content = await this.client.download(document);
      return ok(typeof content === "string" ? content : Buffer.isBuffer(content) ? content.toString("utf8") : JSON.stringify(content));
    } catch (error) {
      return transportFailure(error, "document download");
    }
  }

  private tokenStillGood(): boolean {
    const { accessToken, accessTokenExpiresAt } = this.credentials;
    if (!accessToken) return false;
    if (!accessTokenExpiresAt) return true;
    return Date.parse(accessTokenExpiresAt) - EXPIRY_MARGIN_MS > this.now();
  }

  private async refreshToken(): Promise<ChannelCallResult<void>> {
    try {
      await this.client.refreshAccessToken();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // LWA answers invalid_grant / invalid_client when the seller revoked the app: a person must reconnect.
      if (typeof code === "string" && /^(invalid_grant|invalid_client|unauthorized_client|invalid_request)$/.test(code)) {
        return err("unauthorized", `Login with Amazon refused the refresh token (${code})`);
      }
      return transportFailure(error, "Login with Amazon token refresh");
    }
    const accessToken = this.client.access_token;
    if (!accessToken) return err("unavailable", "Login with Amazon answered without an access token");
    this.credentials = {
      ...this.credentials,
      accessToken,
      accessTokenExpiresAt: new Date(this.now() + LWA_ACCESS_TOKEN_LIFETIME_MS).toISOString(),
    };
    await this.options.onCredentialsRefreshed?.(this.credentials);
    return ok(undefined);
  }

  private async send(operation: SpApiOperation, request: SpApiRequest): Promise<ChannelCallResult<RawResponse>> {
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
      return ok((await this.client.callAPI(params)) as RawResponse);
    } catch (error) {
      if (isNetworkError(error)) return transportFailure(error, operation);
      throw error;
    }
  }

  private interpret<T>(operation: SpApiOperation, response: RawResponse): ChannelCallResult<SpApiResponse<T>> {
    const bucket = this.buckets.for(operation);
    const limit = Number(headerValue(response.headers, "x-amzn-ratelimit-limit"));
    if (limit > 0) bucket.setRate(limit);
    const body = parseBody(response.body);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return ok({ status, body: body as T, headers: response.headers });
    const detail = `${operation} answered ${status}: ${errorSummary(body)}`;
    if (status === 429) {
      bucket.drain();
      return rateLimited(detail, limit > 0 ? Math.ceil(1000 / limit) : bucket.tryTake() || 1000);
    }
    return err(failureForStatus(status), detail);
  }
}

function failureForStatus(status: number): ChannelFailureReason {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status >= 500) return "unavailable";
  return "rejected";
}

function rateLimited(detail: string, retryAfterMs: number): ChannelFailure {
  return { ...err("rate_limited", detail), retryAfterMs };
}

function accessTokenExpired(response: RawResponse): boolean {
  if (response.statusCode !== 403) return false;
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
  return typeof body === "string" ? body.slice(0, 300) : JSON.stringify(body)?.slice(0, 300) ?? "no body";
}

function headerValue(headers: RawResponse["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ERR_NOCK_NO_MATCH", "ENETUNREACH", "API_RESPONSE_TIMEOUT", "API_DEADLINE_TIMEOUT", "API_IDLE_TIMEOUT"]);
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

function transportFailure(error: unknown, what: string): ChannelFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  return err("unavailable", `${what} failed: ${[code, message].filter((x) => typeof x === "string").join(" ")}`.trim());
}
