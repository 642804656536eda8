import { createRequire } from "node:module";
import type { AmazonSettings } from "./amazon-connection-config.js";
import { EndpointRedirectAgent } from "./endpoint-redirect-agent.js";

/**
 * Builds the official client (`amazon-sp-api`) for one seller. Tokens and throttling are left
 * to our side (auto_request_tokens / auto_request_throttled off), where failures become values
 * and refreshed tokens are persisted before use; the endpoint override goes in as the client's
 * `https_proxy_agent` (see EndpointRedirectAgent).
 */

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The part of the official client this connector uses. */
export interface SellingPartnerClient {
  readonly access_token: string | undefined;
  refreshAccessToken(): Promise<void>;
  callAPI(params: Record<string, unknown>): Promise<unknown>;
  upload(details: { url: string }, feed: { content: string; contentType: string }): Promise<unknown>;
  download(details: { url: string; compressionAlgorithm?: string }, options?: Record<string, unknown>): Promise<unknown>;
}
type SellingPartnerConstructor = new (config: Record<string, unknown>) => SellingPartnerClient;

// The package is CommonJS and its typings declare a module shape it does not export.
const SellingPartner = createRequire(import.meta.url)("amazon-sp-api") as SellingPartnerConstructor;

const agents = new Map<string, EndpointRedirectAgent>();
function agentFor(baseUrl: string): EndpointRedirectAgent {
  let agent = agents.get(baseUrl);
  if (!agent) agents.set(baseUrl, (agent = new EndpointRedirectAgent(baseUrl)));
  return agent;
}

export function buildSellingPartner(
  settings: Pick<AmazonSettings, "region" | "baseUrl">,
  app: { clientId: string; clientSecret: string; refreshToken: string },
  accessToken?: string,
): SellingPartnerClient {
  return new SellingPartner({
    region: settings.region,
    refresh_token: app.refreshToken,
    ...(accessToken ? { access_token: accessToken } : {}),
    credentials: { SELLING_PARTNER_APP_CLIENT_ID: app.clientId, SELLING_PARTNER_APP_CLIENT_SECRET: app.clientSecret },
    options: {
      auto_request_tokens: false,
      auto_request_throttled: false,
      retry_remote_timeout: false,
      version_fallback: false,
      // A stalled connection must end the call, not hang a worker.
      timeouts: { response: 30_000, deadline: 120_000 },
      ...(settings.baseUrl ? { https_proxy_agent: agentFor(settings.baseUrl) } : {}),
    },
  });
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "EHOSTUNREACH", "ENETUNREACH",
  "API_RESPONSE_TIMEOUT", "API_DEADLINE_TIMEOUT", "API_IDLE_TIMEOUT",
]);
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

export function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = (error as { message?: unknown } | null)?.message;
  return [code, message].filter((x) => typeof x === "string" && x).join(" ");
}
