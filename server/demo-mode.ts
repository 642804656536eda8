/**
 * Demo mode: no Shopify app credentials, so the admin is served for the seeded demo shop
 * without OAuth, against sandbox channels. SWITCHYARD_DEMO=1 forces it on, =0 off.
 */
export function demoModeEnabled(env: Record<string, string | undefined> = process.env): boolean {
  if (env.SWITCHYARD_DEMO === "1") return true;
  if (env.SWITCHYARD_DEMO === "0") return false;
  return !env.SHOPIFY_API_KEY;
}

/** The documented default webhook secret of the demo (README); set SHOPIFY_API_SECRET to change it. */
export const DEMO_WEBHOOK_SECRET = "switchyard-demo-secret";

export function webhookSecret(env: Record<string, string | undefined> = process.env): string {
  return env.SHOPIFY_API_SECRET ?? DEMO_WEBHOOK_SECRET;
}
