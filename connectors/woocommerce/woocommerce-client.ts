import WooCommerceRestApi from "@woocommerce/woocommerce-rest-api";
import { z } from "zod";
import type { ChannelCallResult, ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";

/**
 * One WooCommerce store's REST API (wc/v3) through the official client, with every failure
 * mapped once into the port's vocabulary. The store URL is the base URL, so the same code talks
 * to a real store, the sandbox or nock. Over https the client sends the consumer key and secret
 * by basic auth (or query string); over http it signs each request with OAuth 1.0a, as the
 * authentication docs require.
 */

export const wooCredentialsSchema = z.object({
  consumerKey: z.string().min(1),
  consumerSecret: z.string().min(1),
  /** The secret of the webhooks Switchyard subscribed; verifies X-WC-Webhook-Signature. */
  webhookSecret: z.string().min(1).optional(),
});
export type WooCredentials = z.infer<typeof wooCredentialsSchema>;

export interface WooClientConfig {
  /** The store URL, e.g. https://shop.example.com (the REST API lives at /wp-json/wc/v3). */
  baseUrl: string;
  credentials: WooCredentials;
  /** Keys in the query string instead of basic auth, for hosts that drop the header. */
  queryStringAuth?: boolean;
  timeoutMs?: number;
}

export interface WooResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WooClient {
  readonly baseUrl: string;
  get<T = unknown>(endpoint: string, params?: Record<string, string | number | boolean>): Promise<ChannelCallResult<WooResponse<T>>>;
  post<T = unknown>(endpoint: string, body: unknown): Promise<ChannelCallResult<WooResponse<T>>>;
  put<T = unknown>(endpoint: string, body: unknown): Promise<ChannelCallResult<WooResponse<T>>>;
}

/**
 * The package ships CommonJS (`exports.default = class`) beside an ES module: Node's loader
 * hands ESM importers the CommonJS namespace, bundlers the class. Both are accepted.
 */
const WooApi: typeof WooCommerceRestApi =
  (WooCommerceRestApi as unknown as { default?: typeof WooCommerceRestApi }).default ?? WooCommerceRestApi;

export function createWooClient(config: WooClientConfig): WooClient {
  const api = new WooApi({
    url: config.baseUrl,
    consumerKey: config.credentials.consumerKey,
    consumerSecret: config.credentials.consumerSecret,
    version: "wc/v3",
    queryStringAuth: config.queryStringAuth ?? false,
    timeout: config.timeoutMs ?? 30_000,
  });
  const call = async <T>(run: () => Promise<{ status: number; data: T; headers: unknown }>): Promise<ChannelCallResult<WooResponse<T>>> => {
    try {
      const response = await run();
      return { ok: true, value: { status: response.status, data: response.data, headers: plainHeaders(response.headers) } };
    } catch (error) {
      return wooFailure(error);
    }
  };
  return {
    baseUrl: config.baseUrl,
    get: (endpoint, params = {}) => call(() => api.get(endpoint, params)),
    post: (endpoint, body) => call(() => api.post(endpoint, body)),
    put: (endpoint, body) => call(() => api.put(endpoint, body)),
  };
}

/** The one place a WooCommerce HTTP failure becomes a port failure. */
export function wooFailure(error: unknown): ChannelFailure {
  const response = (error as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
  if (!response?.status) {
    return { ok: false, reason: "unavailable", detail: `WooCommerce unreachable: ${(error as Error).message ?? String(error)}` };
  }
  const status = response.status;
  const body = response.data as { code?: string; message?: string } | undefined;
  const detail = `WooCommerce answered ${status}${body?.code ? ` ${body.code}` : ""}${body?.message ? `: ${body.message}` : ""}`;
  const reason: ChannelFailureReason =
    status === 429 ? "rate_limited" : status === 401 || status === 403 ? "unauthorized" : status === 404 ? "not_found" : status >= 500 ? "unavailable" : "rejected";
  const retryAfterMs = reason === "rate_limited" || reason === "unavailable" ? retryAfter(plainHeaders(response.headers)) : undefined;
  return { ok: false, reason, detail, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** Retry-After in seconds (or an HTTP date), else the reset of the RateLimit-* headers. */
function retryAfter(headers: Record<string, string>): number | undefined {
  const value = headers["retry-after"] ?? headers["ratelimit-reset"];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers || typeof headers !== "object") return out;
  const entries = typeof (headers as { toJSON?: () => unknown }).toJSON === "function" ? (headers as { toJSON: () => object }).toJSON() : headers;
  for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}
