import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { DrizzleSessionStoragePostgres } from "@shopify/shopify-app-session-storage-drizzle";
import { credentialCipher } from "../db/crypto/encryption-key";
import { shopifySessions } from "../db/schema";
import { EncryptedSessionStorage } from "./auth/encrypted-session-storage.server";
import { appUrl, demoModeEnabled, webhookSecret } from "./config/demo-mode.server";
import { connectShopifyOnAuth } from "./auth/shopify-install.server";
import { getDatabase } from "./db.server";

export const apiVersion = ApiVersion.April26;

/**
 * Without SHOPIFY_API_KEY (or with SWITCHYARD_DEMO=1) the admin runs in demo mode against the
 * seeded demo shop; shopifyApp() refuses to start without credentials, so it is created on
 * first use and never in demo mode.
 */
export function isDemoMode(): boolean {
  return demoModeEnabled();
}

function createShopifyApp() {
  return shopifyApp({
    apiKey: process.env.SHOPIFY_API_KEY,
    // Fails closed: without SHOPIFY_API_SECRET outside demo mode this throws rather than trust a default.
    apiSecretKey: webhookSecret(),
    apiVersion,
    scopes: process.env.SCOPES?.split(",").map((scope) => scope.trim()).filter(Boolean),
    appUrl: appUrl(),
    authPathPrefix: "/auth",
    // Access tokens are encrypted at rest with the credentials key (db/crypto).
    sessionStorage: new EncryptedSessionStorage(new DrizzleSessionStoragePostgres(getDatabase(), shopifySessions), credentialCipher()),
    distribution: AppDistribution.AppStore,
    isEmbeddedApp: true,
    future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
    hooks: {
      // Install (and every re-authentication): webhooks, the Shopify connection with the offline
      // token, and on first install an import of the store.
      afterAuth: async ({ session }) => {
        await getShopifyApp().registerWebhooks({ session });
        await connectShopifyOnAuth(getDatabase(), session);
      },
    },
    ...(process.env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [process.env.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

type ShopifyApp = ReturnType<typeof createShopifyApp>;

declare global {
  var __switchyardShopifyApp: ShopifyApp | undefined;
}

export function getShopifyApp(): ShopifyApp {
  if (isDemoMode()) {
    throw new Error("Shopify is not configured (SHOPIFY_API_KEY unset): the admin is in demo mode");
  }
  globalThis.__switchyardShopifyApp ??= createShopifyApp();
  return globalThis.__switchyardShopifyApp;
}

/**
 * The template's named exports, resolved lazily so importing this module never needs
 * credentials (demo mode, tests). Each property is looked up on the real app at call time.
 */
function lazyMember<K extends keyof ShopifyApp>(key: K): ShopifyApp[K] {
  return new Proxy({} as object, {
    get: (_target, property) => Reflect.get(getShopifyApp()[key] as object, property),
    apply: (_target, thisArg, args) => Reflect.apply(getShopifyApp()[key] as (...a: unknown[]) => unknown, thisArg, args),
  }) as ShopifyApp[K];
}

function lazyFunction<K extends keyof ShopifyApp>(key: K): ShopifyApp[K] {
  const call = (...args: unknown[]) => (getShopifyApp()[key] as (...a: unknown[]) => unknown)(...args);
  return call as ShopifyApp[K];
}

export const authenticate = lazyMember("authenticate");
export const unauthenticated = lazyMember("unauthenticated");
export const login = lazyFunction("login");
export const registerWebhooks = lazyFunction("registerWebhooks");

/** Adds Shopify's document headers (CSP frame-ancestors) when a real app is configured. */
export function addDocumentResponseHeaders(request: Request, headers: Headers): void {
  if (isDemoMode()) return;
  getShopifyApp().addDocumentResponseHeaders(request, headers);
}
