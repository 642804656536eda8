import http from "node:http";
import { setDatabaseForTests } from "../app/db.server";
import { isShopifyWebhookTopic } from "../connectors/shopify/shopify-webhook-topics";
import { receiveShopifyWebhook } from "../app/webhooks/shopify-webhook-ingress.server";
import { createDatabaseClient } from "../db/client";

/**
 * The chaos bench's web process: the app's own Shopify webhook ingress (verify, store once,
 * 503 while the database is away) behind a bare HTTP server on loopback, so the bench can run
 * it as a process of its own without building the admin. POST /webhooks/<topic>.
 */
const port = Number(process.env.CHAOS_WEB_PORT);
const client = createDatabaseClient(process.env.DATABASE_URL!, { max: 16 });
setDatabaseForTests(client.db);

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const topic = (req.url ?? "").replace(/^\/webhooks\//, "");
    if (req.method !== "POST" || !isShopifyWebhookTopic(topic)) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    receiveShopifyWebhook(new Request(`http://127.0.0.1:${port}${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }), topic)
      .then(async (response) => {
        res.writeHead(response.status, { "Content-Type": response.headers.get("content-type") ?? "text/plain" });
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => res.writeHead(500).end());
  });
});
server.listen(port, "127.0.0.1", () => console.log(`[chaos-web] listening on 127.0.0.1:${port}`));
