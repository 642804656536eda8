import { err, ok, type Result } from "../../core/shared/result.js";
import type { ChannelCallResult } from "../../core/ports/channel-connector-port.js";
import type { ChannelCredentials } from "../../core/ports/channel-module-port.js";
import { amazonFailure } from "./amazon-failure-mapping.js";
import {
  amazonCredentialsSchema,
  amazonSettingsSchema,
  LWA_ACCESS_TOKEN_LIFETIME_MS,
  type AmazonCredentials,
  type AmazonSettings,
} from "./amazon-connection-config.js";
import { buildSellingPartner, errorText } from "./selling-partner-client.js";

/**
 * Login with Amazon for one seller: the refresh token the seller granted never expires (until
 * revoked); access tokens live an hour. `refresh` exchanges the one for the other through the
 * official client (the same endpoint override as every other call), and the channel session
 * persists the answer encrypted before any request uses it.
 */

/** Refresh this long before expiry: a feed upload that starts at 59:30 must not carry a dead token. */
export const AMAZON_REFRESH_MARGIN_MS = 5 * 60_000;

export function amazonCredentials(): ChannelCredentials<AmazonCredentials> {
  return {
    parse(raw): Result<AmazonCredentials, "missing_credentials"> {
      const parsed = amazonCredentialsSchema.safeParse(raw);
      // Never echo the credentials, only which fields are missing.
      return parsed.success ? ok(parsed.data) : err("missing_credentials", `Amazon credentials lack ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
    },
    expiresSoon(credentials, now) {
      if (!credentials.accessToken) return true;
      if (!credentials.accessTokenExpiresAt) return false;
      return Date.parse(credentials.accessTokenExpiresAt) - now.getTime() <= AMAZON_REFRESH_MARGIN_MS;
    },
    async refresh(connection, credentials, transport) {
      const settings = amazonSettingsSchema.safeParse(connection.settings);
      if (!settings.success) return err("rejected", "invalid Amazon settings");
      return refreshAmazonAccessToken(settings.data, credentials, () => transport.now().getTime());
    },
  };
}

export async function refreshAmazonAccessToken(
  settings: Pick<AmazonSettings, "region" | "baseUrl">,
  credentials: AmazonCredentials,
  now: () => number,
): Promise<ChannelCallResult<AmazonCredentials>> {
  const client = buildSellingPartner(settings, credentials);
  try {
    await client.refreshAccessToken();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // LWA answers invalid_grant / invalid_client when the seller revoked the app: a person must reconnect.
    if (typeof code === "string" && /^(invalid_grant|invalid_client|unauthorized_client|invalid_request|unsupported_grant_type)$/.test(code)) {
      return amazonFailure({ kind: "lwa_refused" }, `Login with Amazon refused the refresh token (${code})`);
    }
    return amazonFailure({ kind: "network" }, `Login with Amazon token refresh failed: ${errorText(error)}`);
  }
  const accessToken = client.access_token;
  if (!accessToken) return amazonFailure({ kind: "unexpected_answer" }, "Login with Amazon answered without an access token");
  // The official client does not pass LWA's expires_in on; LWA documents one hour.
  return ok({ ...credentials, accessToken, accessTokenExpiresAt: new Date(now() + LWA_ACCESS_TOKEN_LIFETIME_MS).toISOString() });
}
