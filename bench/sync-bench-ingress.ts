import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { receiveShopifyWebhook } from "../app/webhooks/shopify-webhook-ingress.server";
import { receiveWooCommerceWebhook } from "../app/webhooks/woocommerce-webhook-ingress.server";
import { isShopifyWebhookTopic } from "../connectors/shopify/shopify-webhook-topics";

/**
 * The app's webhook ingress without the admin around it: the same functions the Remix routes
 * call (`/webhooks/<shopify topic>`, `/webhooks/woocommerce/:connectionId`): signature checked on
 * the raw bytes, stored once in the inbox with its job. The bench's sandboxes deliver here.
 */
export async function startSyncBenchIngress(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const response = await route(req);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function route(req: IncomingMessage): Promise<Response> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new Request(new URL(req.url ?? "/", url), { method: req.method ?? "GET", headers, ...(req.method === "POST" ? { body: Buffer.concat(chunks) } : {}) });
    const path = new URL(request.url).pathname;
    const woo = /^\/webhooks\/woocommerce\/([^/]+)$/.exec(path);
    if (woo) return receiveWooCommerceWebhook(request, woo[1]!);
    const topic = path.replace(/^\/webhooks\//, "");
    if (isShopifyWebhookTopic(topic)) return receiveShopifyWebhook(request, topic);
    return new Response("not found", { status: 404 });
  }

  return {
    url,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
