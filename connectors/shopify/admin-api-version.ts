/**
 * The one Admin API version this connector speaks. Documents are validated against this
 * version's schema, the sandbox serves it, and webhook deliveries announce it, so bumping the
 * version is a single-line change that every test then re-checks.
 */
export const SHOPIFY_ADMIN_API_VERSION = "2026-04";

/** Production endpoint for a shop; the sandbox URL replaces it in the demo and browser tests. */
export function shopifyAdminGraphqlUrl(shopDomain: string): string {
  return `https://${shopDomain}/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`;
}
