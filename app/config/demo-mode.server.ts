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

/** Thrown when the app runs outside demo mode without the secret that authenticates Shopify. */
export class MissingSecretError extends Error {
  constructor() {
    super(
      "SHOPIFY_API_SECRET is not set. Outside demo mode Switchyard refuses to run without it: webhooks would be " +
        "verified against the public demo secret and anyone could forge them. Set SHOPIFY_API_SECRET to the app's " +
        "client secret from the Partner Dashboard, or run the demo (unset SHOPIFY_API_KEY or set SWITCHYARD_DEMO=1).",
    );
    this.name = "MissingSecretError";
  }
}

/**
 * The HMAC secret of Shopify webhooks. Only demo mode falls back to the public demo secret;
 * anywhere else a missing secret fails closed (a forged shop/redact would erase a shop).
 */
export function webhookSecret(env: Record<string, string | undefined> = process.env): string {
  const configured = env.SHOPIFY_API_SECRET?.trim();
  if (configured) return configured;
  if (demoModeEnabled(env)) return DEMO_WEBHOOK_SECRET;
  throw new MissingSecretError();
}

/** The webhook secret, or undefined when none is configured outside demo mode (answer 503, verify nothing). */
export function configuredWebhookSecret(env: Record<string, string | undefined> = process.env): string | undefined {
  try {
    return webhookSecret(env);
  } catch {
    return undefined;
  }
}

/** What `npm start` checks before opening anything: the problems that must stop the app, if any. */
export function startupConfigProblems(env: Record<string, string | undefined> = process.env): string[] {
  const problems: string[] = [];
  try {
    webhookSecret(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

/**
 * The address the HTTP server binds. The demo has no login, so it listens on loopback only
 * unless HOST says otherwise; with Shopify credentials it serves the world (0.0.0.0). The
 * Shopify CLI puts the tunnel URL in HOST: a value with a scheme is a URL, not an address.
 */
export function listenHost(env: Record<string, string | undefined> = process.env): string {
  const host = env.HOST?.trim();
  if (host && !host.includes("://")) return host;
  return demoModeEnabled(env) ? "127.0.0.1" : "0.0.0.0";
}

/** The app's public URL: SHOPIFY_APP_URL, else http://localhost:<PORT> as the README documents. */
export function appUrl(env: Record<string, string | undefined> = process.env): string {
  const configured = env.SHOPIFY_APP_URL?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  return `http://localhost:${env.PORT?.trim() || "3000"}`;
}
