import eBayApi from "ebay-api";
import { AxiosRequest } from "ebay-api/request.js";
import { z } from "zod";
import type { ChannelCallResult, ChannelFailure, ChannelFailureReason } from "../../core/ports/channel-connector-port.js";

/**
 * One eBay seller account through the official `ebay-api` client. The client builds its URLs
 * from eBay's fixed hosts (api.ebay.com, apiz.ebay.com, the identity endpoint), so the base URL
 * is made configurable at the one seam it offers: its request handler. `RebasedRequest` rewrites
 * the eBay host of every call to the configured base URL (the sandbox, a proxy), and leaves
 * production untouched when none is set.
 *
 * The user token expires every two hours. A call refused with 401 asks its token source for a
 * new token (the refresh-token grant; the module's credential session persists it, encrypted,
 * BEFORE it is used) and is retried once; a refresh that fails means a person must reconnect
 * (`unauthorized`).
 */

export const ebayCredentialsSchema = z.object({
  /** App ID (OAuth client id) and Cert ID (client secret) of the eBay developer keyset. */
  appId: z.string().min(1),
  certId: z.string().min(1),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** ISO time the access token expires; refreshed a minute early. */
  accessTokenExpiresAt: z.iso.datetime().optional(),
  /** The marketplace account deletion endpoint's verification token (32-80 characters). */
  verificationToken: z.string().min(32).max(80).optional(),
});
export type EbayCredentials = z.infer<typeof ebayCredentialsSchema>;

/** What a refreshed token is for: only the scopes the connector uses. */
export const EBAY_SELL_SCOPES = [
  "https://api.ebay.com/oauth/api_scope",
  "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
  "https://api.ebay.com/oauth/api_scope/sell.inventory",
];

const EBAY_HOSTS = /^https:\/\/(api|apiz|apix)\.(sandbox\.)?ebay\.com/;
const REFRESH_MARGIN_MS = 60_000;

/** The client's own axios handler, with eBay's hosts replaced by the configured base URL. */
export class RebasedRequest extends AxiosRequest {
  constructor(private readonly baseUrl: string | undefined) {
    super({ timeout: 30_000 });
  }
  private rebase(url: string): string {
    return this.baseUrl ? url.replace(EBAY_HOSTS, this.baseUrl.replace(/\/+$/, "")) : url;
  }
  override get(url: string, config?: any) {
    return super.get(this.rebase(url), config);
  }
  override post(url: string, payload?: any, config?: any) {
    return super.post(this.rebase(url), payload, config);
  }
  override put(url: string, payload?: any, config?: any) {
    return super.put(this.rebase(url), payload, config);
  }
  override delete(url: string, config?: any) {
    return super.delete(this.rebase(url), config);
  }
  override patch(url: string, payload?: any, config?: any) {
    return super.patch(this.rebase(url), payload, config);
  }
  override postForm(url: string, payload?: any, config?: any) {
    return super.postForm(this.rebase(url), payload, config);
  }
}

/** Where a session gets its token, and a new one when eBay refused it (the module's credential session). */
export interface EbayTokenSource {
  current(): Promise<ChannelCallResult<EbayCredentials>>;
  renew(rejected: EbayCredentials): Promise<ChannelCallResult<EbayCredentials>>;
}

export interface EbaySessionConfig {
  /** e.g. the sandbox's http://127.0.0.1:3103; absent: eBay production. */
  baseUrl?: string;
  marketplaceId?: string;
  tokens: EbayTokenSource;
}

export interface EbaySession {
  /** Runs a call with the current token; refused (401) -> renewed once and retried once. */
  call<T>(run: (api: eBayApi) => Promise<T>): Promise<ChannelCallResult<T>>;
}

function ebayApi(baseUrl: string | undefined, credentials: Pick<EbayCredentials, "appId" | "certId">, marketplaceId?: string): eBayApi {
  return new eBayApi(
    {
      appId: credentials.appId,
      certId: credentials.certId,
      sandbox: false,
      // Refresh goes through the token source, so the new token is persisted before it is used.
      autoRefreshToken: false,
      scope: EBAY_SELL_SCOPES,
      ...(marketplaceId ? { marketplaceId: marketplaceId as never } : {}),
    },
    new RebasedRequest(baseUrl),
  );
}

function useToken(api: eBayApi, credentials: EbayCredentials): void {
  api.OAuth2.setCredentials({
    access_token: credentials.accessToken,
    refresh_token: credentials.refreshToken,
    expires_in: 7200,
    refresh_token_expires_in: 47_304_000,
    token_type: "User Access Token",
  });
}

export function createEbaySession(config: EbaySessionConfig): EbaySession {
  let api: eBayApi | undefined;
  return {
    async call(run) {
      const current = await config.tokens.current();
      if (!current.ok) return current;
      api ??= ebayApi(config.baseUrl, current.value, config.marketplaceId);
      useToken(api, current.value);
      try {
        return { ok: true, value: await run(api) };
      } catch (error) {
        if (!isExpiredToken(error)) return ebayFailure(error);
      }
      const renewed = await config.tokens.renew(current.value);
      if (!renewed.ok) return renewed;
      useToken(api, renewed.value);
      try {
        return { ok: true, value: await run(api) };
      } catch (error) {
        return ebayFailure(error);
      }
    },
  };
}

/** True when the access token expires within a minute (refresh before use). */
export function ebayTokenExpiresSoon(credentials: EbayCredentials, now: Date): boolean {
  return credentials.accessTokenExpiresAt !== undefined && Date.parse(credentials.accessTokenExpiresAt) - REFRESH_MARGIN_MS <= now.getTime();
}

/** The refresh-token grant at eBay's identity endpoint (through the client's OAuth2). */
export async function refreshEbayUserToken(baseUrl: string | undefined, credentials: EbayCredentials, now: Date): Promise<ChannelCallResult<EbayCredentials>> {
  const api = ebayApi(baseUrl, credentials);
  useToken(api, credentials);
  try {
    const token = (await api.OAuth2.refreshUserAccessToken()) as { access_token: string; expires_in?: number; refresh_token?: string };
    return {
      ok: true,
      value: {
        ...credentials,
        accessToken: token.access_token,
        // eBay keeps the refresh token (18 months) and does not send a new one on refresh.
        refreshToken: token.refresh_token || credentials.refreshToken,
        accessTokenExpiresAt: new Date(now.getTime() + (token.expires_in ?? 7200) * 1000).toISOString(),
      },
    };
  } catch (error) {
    const failure = ebayFailure(error);
    // The refresh token itself was refused: only a person reconnecting can fix it.
    return failure.reason === "rejected" ? { ...failure, reason: "unauthorized" } : failure;
  }
}

/**
 * A token source on its own (tests, scripts): refreshes before expiry or once after a 401, and
 * awaits `onCredentialsRefreshed` (persist, encrypted) before the new token is used.
 */
export function standaloneEbayTokens(config: {
  baseUrl?: string;
  credentials: EbayCredentials;
  onCredentialsRefreshed?: (credentials: EbayCredentials) => Promise<void>;
  now?: () => number;
}): EbayTokenSource & { credentials(): EbayCredentials } {
  const now = () => new Date((config.now ?? Date.now)());
  let credentials = config.credentials;
  const refresh = async (): Promise<ChannelCallResult<EbayCredentials>> => {
    const next = await refreshEbayUserToken(config.baseUrl, credentials, now());
    if (!next.ok) return next;
    await config.onCredentialsRefreshed?.(next.value);
    credentials = next.value;
    return next;
  };
  return {
    credentials: () => credentials,
    current: async () => (ebayTokenExpiresSoon(credentials, now()) ? refresh() : { ok: true, value: credentials }),
    renew: async (rejected) => (rejected.accessToken === credentials.accessToken ? refresh() : { ok: true, value: credentials }),
  };
}

function isExpiredToken(error: unknown): boolean {
  const e = error as { name?: string; meta?: { res?: { status?: number } } };
  return e?.name === "EBayInvalidAccessToken" || e?.meta?.res?.status === 401;
}

/** The one place an eBay failure becomes a port failure. */
export function ebayFailure(error: unknown): ChannelFailure {
  const e = error as { message?: string; description?: string; errorCode?: number; meta?: { res?: { status?: number; headers?: Record<string, unknown> } }; response?: { status?: number } };
  const status = e?.meta?.res?.status ?? e?.response?.status;
  if (!status) return { ok: false, reason: "unavailable", detail: `eBay unreachable: ${e?.message ?? String(error)}` };
  const reason: ChannelFailureReason =
    status === 429 ? "rate_limited" : status === 401 || status === 403 ? "unauthorized" : status === 404 ? "not_found" : status >= 500 ? "unavailable" : "rejected";
  const detail = `eBay answered ${status}${e.errorCode ? ` (error ${e.errorCode})` : ""}: ${e.message ?? ""}${e.description ? ` — ${e.description}` : ""}`;
  const retryAfter = Number(e.meta?.res?.headers?.["retry-after"]);
  return { ok: false, reason, detail, ...(reason === "rate_limited" && Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) };
}
