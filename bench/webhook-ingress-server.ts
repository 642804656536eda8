import http from "node:http";
import { Readable } from "node:stream";
import { setDatabaseForTests } from "../app/db.server";
import { isShopifyWebhookTopic } from "../connectors/shopify/shopify-webhook-topics";
import { receiveShopifyWebhook } from "../app/webhooks/shopify-webhook-ingress.server";
import { createDatabaseClient } from "../db/client";

/**
 * The benches' web process (bench:chaos, bench:intake): the app's own Shopify webhook ingress
 * (bound the body, verify, store once, 503 while the database is away) behind a bare HTTP server
 * on loopback, so a bench can run it as a process of its own without building the admin. The
 * body is handed over as a stream, as Remix's adapter does. POST /webhooks/<topic>.
 */
const port = Number(process.env.BENCH_WEB_PORT ?? process.env.CHAOS_WEB_PORT);
const client = createDatabaseClient(process.env.DATABASE_URL!, { max: Number(process.env.BENCH_WEB_POOL ?? 16) });
setDatabaseForTests(client.db);

const server = http.createServer((req, res) => {
  const topic = (req.url ?? "").replace(/^\/webhooks\//, "");
  if (req.method !== "POST" || !isShopifyWebhookTopic(topic)) {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(`http://127.0.0.1:${port}${req.url}`, { method: "POST", headers, body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit);
  receiveShopifyWebhook(request, topic)
    .then(async (response) => {
      res.writeHead(response.status, { "Content-Type": response.headers.get("content-type") ?? "text/plain" });
      res.end(Buffer.from(await response.arrayBuffer()));
    })
    .catch(() => res.writeHead(500).end());
});
server.keepAliveTimeout = 30_000;
server.listen(port, "127.0.0.1", () => console.log(`[bench-web] listening on 127.0.0.1:${port}`));
