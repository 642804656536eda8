import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import type { ServerBuild } from "@remix-run/node";
import { withBuildLock } from "./build-lock";
import { remixExpressHandler } from "./remix-express-handler";
import { serveShopifyWebhook, shopifyTopicOfPath } from "./webhook-node-route";

export interface AppServerHandle {
  url: string;
  server: http.Server;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  port: number;
  host?: string;
  /** Vite middleware and on-demand compilation (dev, tests) instead of the production build. */
  mode: "development" | "production";
}

/**
 * Serves the Remix app with Express. In production it serves build/ (static assets with long
 * caching, the server build for everything else); in development Vite compiles on request.
 */
export async function startAppServer(options: AppServerOptions): Promise<AppServerHandle> {
  const app = express();
  app.disable("x-powered-by");
  // Shopify webhooks are answered from Node directly, before Vite and Remix (the busiest path).
  app.post("/webhooks/*", (req, res, next) => {
    const topic = shopifyTopicOfPath(req.path);
    if (!topic) return next();
    void serveShopifyWebhook(req, res, topic);
  });
  let closeVite = async () => {};

  if (options.mode === "development") {
    const vite = await import("vite");
    const viteServer = await vite.createServer({
      server: { middlewareMode: true, hmr: false },
      logLevel: "warn",
    });
    closeVite = () => viteServer.close();
    app.use(viteServer.middlewares);
    app.all(
      "*",
      remixExpressHandler(() => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>),
    );
  } else {
    const buildDir = path.resolve("build");
    const serverBuild = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
    app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
    app.all("*", remixExpressHandler(serverBuild));
  }

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://localhost:${port}`,
    server,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeVite();
    },
  };
}

/**
 * Builds the admin (build/) when it is missing or older than its sources. The production build
 * is what `npm start` serves and what browser tests drive: unlike Vite's dev server it never
 * re-optimises dependencies and reloads a page under a test.
 */
export function ensureProductionBuild(log: (line: string) => void = console.log): void {
  if (!buildIsStale()) return;
  // One build at a time across processes; whoever waited finds it fresh and builds nothing.
  withBuildLock(process.cwd(), () => {
    if (!buildIsStale()) return;
    log("[switchyard] building the admin (first start or sources changed)…");
    const build = spawnSync("npx", ["remix", "vite:build"], {
      stdio: process.env.VITEST ? "pipe" : "inherit",
      env: { ...process.env, NODE_ENV: "production" },
      encoding: "utf8",
    });
    if (build.status !== 0) throw new Error(`remix vite:build failed${build.stderr ? `:\n${build.stderr}` : ""}`);
  });
}

/** True when build/ is missing or older than any source the server bundle includes. */
export function buildIsStale(root = process.cwd()): boolean {
  const built = path.join(root, "build/server/index.js");
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  const sources = ["app", "core", "db", "connectors", "jobs", "server", "vite.config.ts", "package.json"];
  return sources.some((source) => newestMtime(path.join(root, source)) > builtAt);
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}
