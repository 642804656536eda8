import { z } from "zod";

/**
 * What one Amazon connection needs: where (region, marketplace, optional endpoint override),
 * who (seller id) and the Login with Amazon credentials. Settings are plain JSON stored on the
 * connection; credentials are stored encrypted and include the current access token so a
 * refreshed one survives restarts (rule 10, rule 14).
 */

export const AMAZON_REGIONS = ["na", "eu", "fe"] as const;
export type AmazonRegion = (typeof AMAZON_REGIONS)[number];

export const amazonSettingsSchema = z.object({
  region: z.enum(AMAZON_REGIONS).default("na"),
  /** e.g. ATVPDKIKX0DER (amazon.com). */
  marketplaceId: z.string().min(1),
  /** The merchant token; the Listings Items API addresses listings as /items/{sellerId}/{sku}. */
  sellerId: z.string().min(1),
  /**
   * Base URL that replaces both Amazon hosts (SP-API and LWA), e.g. the sandbox at
   * http://127.0.0.1:3102. Absent in production.
   */
  baseUrl: z.url().optional(),
  /** Product type sent with listing patches when the listing's own is unknown; PRODUCT is Amazon's generic one. */
  productType: z.string().min(1).default("PRODUCT"),
  /** Batches with more SKUs than this go through a JSON_LISTINGS_FEED instead of one patch per SKU. */
  feedThreshold: z.number().int().min(1).max(10_000).default(20),
  /** Where polling starts on a fresh connection when no cursor is stored yet. */
  pollStartAt: z.iso.datetime({ offset: true }).optional(),
});
export type AmazonSettings = z.infer<typeof amazonSettingsSchema>;
export type AmazonSettingsInput = z.input<typeof amazonSettingsSchema>;

export const amazonCredentialsSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  /** ISO time the access token stops working (LWA issues them for 3600 s). */
  accessTokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type AmazonCredentials = z.infer<typeof amazonCredentialsSchema>;

export const SP_API_HOSTS: Readonly<Record<AmazonRegion, string>> = {
  na: "sellingpartnerapi-na.amazon.com",
  eu: "sellingpartnerapi-eu.amazon.com",
  fe: "sellingpartnerapi-fe.amazon.com",
};
export const LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token";

/** LWA access tokens live one hour; the client does not pass `expires_in` on, so this is the documented figure. */
export const LWA_ACCESS_TOKEN_LIFETIME_MS = 3600_000;
