import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifySandbox, type ShopifySandbox } from "./shopify-sandbox.server";

/** The sandbox forwards /apps/... to the app with Shopify's proxy parameters and signature. */
let sandbox: ShopifySandbox;
let app: ReturnType<typeof createServer>;
const seen: { url: string; method: string; body: string; forwardedFor: string }[] = [];

beforeAll(async () => {
  app = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ url: req.url ?? "", method: req.method ?? "", body, forwardedFor: String(req.headers["x-forwarded-for"] ?? "") });
      res.writeHead(200, { "Content-Type": "text/html" }).end("<p>portal</p>");
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  sandbox = await startShopifySandbox({ port: 0, shopDomain: "proxy-test.myshopify.com", accessToken: "t", webhookSecret: "proxy-secret", appUrl });
});
afterAll(async () => {
  await sandbox.stop();
  await new Promise((resolve) => app.close(resolve));
});

describe("Shopify sandbox app proxy", () => {
  it("forwards a storefront POST to the app with shop, path prefix, timestamp and signature added", async () => {
    const response = await fetch(`${sandbox.url}/apps/returns?signature=forged&foo=bar`, { method: "POST", body: "intent=lookup", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("<p>portal</p>");
    const forwarded = new URL(seen[0]!.url, "http://app");
    expect(forwarded.pathname).toBe("/apps/returns");
    expect(forwarded.searchParams.get("shop")).toBe("proxy-test.myshopify.com");
    expect(forwarded.searchParams.get("path_prefix")).toBe("/apps/returns");
    expect(forwarded.searchParams.get("foo")).toBe("bar");
    expect(forwarded.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(forwarded.searchParams.getAll("signature")).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", body: "intent=lookup" });
    expect(seen[0]!.forwardedFor).toContain("127.0.0.1");
  });
});
