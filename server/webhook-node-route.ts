import type { IncomingMessage, ServerResponse } from "node:http";
import { answerShopifyWebhook } from "../app/webhooks/shopify-webhook-ingress.server";
import { isShopifyWebhookTopic, type ShopifyWebhookTopic } from "../connectors/shopify/shopify-webhook-topics";
import { describeError } from "../db/safe-error-text";

/** The Shopify topic a path names (`/webhooks/orders/create` → `orders/create`), if it names one. */
export function shopifyTopicOfPath(path: string): ShopifyWebhookTopic | undefined {
  const topic = path.startsWith("/webhooks/") ? path.slice("/webhooks/".length) : "";
  return isShopifyWebhookTopic(topic) ? topic : undefined;
}

/**
 * Serves a Shopify webhook straight from Node's request and response, in front of Remix: the
 * same ingress as the Remix routes (app/webhooks/shopify-webhook-ingress.server.ts) without
 * turning each delivery into a web Request, a web stream and a Response. At a flash sale this
 * is the busiest path of the app, and that adaptation was most of its cost per delivery
 * (docs/adr/0017). The Remix routes stay for any stack that calls them as Requests.
 */
export async function serveShopifyWebhook(req: IncomingMessage, res: ServerResponse, topic: ShopifyWebhookTopic): Promise<void> {
  try {
    const answer = await answerShopifyWebhook({ method: req.method ?? "", header: (name) => headerValue(req, name), body: req }, topic);
    // Its length given, the answer goes out as one write without chunked framing.
    res.writeHead(answer.status, { ...answer.headers, "Content-Length": Buffer.byteLength(answer.body) });
    // A body refused unread (413) is not drained: the connection closes once the answer is out.
    res.end(answer.body, () => {
      if (answer.abandonBody) req.destroy();
    });
  } catch (error) {
    console.error(`[webhooks] ${topic}: ${describeError(error)}`);
    if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Internal error: the delivery was not stored; send it again");
  }
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") : value;
}
