import { vitePlugin as remix } from "@remix-run/dev";
import { installGlobals } from "@remix-run/node";
import { defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

installGlobals({ nativeFetch: true });

// The Shopify CLI tunnels through HOST; the app itself only reads SHOPIFY_APP_URL.
if (process.env.HOST && (!process.env.SHOPIFY_APP_URL || process.env.SHOPIFY_APP_URL === process.env.HOST)) {
  process.env.SHOPIFY_APP_URL = process.env.HOST;
  delete process.env.HOST;
}

const host = new URL(process.env.SHOPIFY_APP_URL || "http://localhost").hostname;

// Behind the CLI tunnel the browser reaches HMR through 443; locally a fixed port. Several
// app servers in one machine (browser tests) would fight over that port, so it can be moved
// or switched off.
function hmrConfig(): NonNullable<UserConfig["server"]>["hmr"] {
  if (process.env.SWITCHYARD_DISABLE_HMR) return false;
  if (host === "localhost" || host === "127.0.0.1") {
    const port = Number(process.env.SWITCHYARD_HMR_PORT || 64999);
    return { protocol: "ws", host: "localhost", port, clientPort: port };
  }
  return { protocol: "wss", host, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 };
}

export default defineConfig({
  server: {
    allowedHosts: [host],
    cors: { preflightContinue: true },
    port: Number(process.env.PORT || 3000),
    hmr: hmrConfig(),
    // core/ and db/ are imported by routes (status labels, schema types) next to app/.
    fs: { allow: ["app", "core", "db", "node_modules"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.ts", "**/*.test.tsx"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
}) satisfies UserConfig;
