import type { IncomingMessage, ServerResponse } from "node:http";
import { signAppProxyQuery } from "./app-proxy-signer.js";

/**
 * The storefront side of Shopify's app proxy: a shopper's request to
 * `<storefront>/apps/<subpath>/...` is forwarded to the app's proxy URL with the shop, the path
 * prefix, a fresh timestamp and the signature added, and the app's answer is passed back. The
 * sandbox does the same for `/apps/...`, so the demo's returns portal runs the production check.
 */
export const APP_PROXY_PREFIX = "/apps/";

export async function forwardAppProxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { appUrl: string; shopDomain: string; secret: string; maxBodyBytes?: number },
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://storefront");
  const subpath = url.pathname.split("/").slice(0, 3).join("/"); // "/apps/returns"
  const signed = signAppProxyQuery(url.searchParams, { shopDomain: options.shopDomain, pathPrefix: subpath, secret: options.secret });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > (options.maxBodyBytes ?? 1_000_000)) {
      res.writeHead(413).end();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
  const response = await fetch(`${options.appUrl}${url.pathname}?${signed}`, {
    method: req.method,
    headers: {
      ...(req.headers["content-type"] ? { "Content-Type": String(req.headers["content-type"]) } : {}),
      "X-Forwarded-For": forwardedFor,
    },
    ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
    redirect: "manual",
  });
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "cache-control", "location", "x-robots-tag"]) {
    const value = response.headers.get(name);
    if (value) headers[name] = value;
  }
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}
