import EasyPostClient from "@easypost/api";

/**
 * The official SDK's client, pointed at EasyPost or at a sandbox. The SDK prefixes every path
 * with `baseUrl` (default https://api.easypost.com/v2/), so a sandbox is addressed as
 * `http://127.0.0.1:<port>/v2/`.
 */
export interface EasyPostConnection {
  apiKey: string;
  /** Defaults to EasyPost's production API. */
  baseUrl?: string;
  timeoutMs?: number;
}

export const EASYPOST_DEFAULT_BASE_URL = "https://api.easypost.com/v2/";

export type EasyPostSdk = InstanceType<typeof EasyPostClient>;

export function createEasyPostSdk(connection: EasyPostConnection): EasyPostSdk {
  const baseUrl = connection.baseUrl ? withTrailingSlash(connection.baseUrl) : EASYPOST_DEFAULT_BASE_URL;
  return new EasyPostClient(connection.apiKey, { baseUrl, timeout: connection.timeoutMs ?? 30_000 });
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
