import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { signWooCommerceWebhook } from "../woocommerce-webhook-signature.js";
import { verifyWooOAuth1 } from "./woo-oauth1.js";
import { createWooSandboxState, randomAddress, type WooSandboxOrder, type WooSandboxSeed, type WooSandboxState } from "./woo-sandbox-state.js";
import { orderJson, productJson, variationAsProductJson, variationJson } from "./woo-sandbox-views.js";
import { wooRefundsRoute } from "./woo-sandbox-refunds.js";

/**
 * A stand-in for one WooCommerce store's REST API v3 and its webhooks (rule 9): the
 * /wp-json/wc/v3 paths, consumer key auth (OAuth 1.0a over http as the client signs it; basic
 * auth and query-string keys as over https), WordPress pagination (X-WP-Total,
 * X-WP-TotalPages, Link), the batch limit answered with 413, an optional per-key rate limit
 * answered with 429 and RateLimit-* / Retry-After headers (Woo's REST docs set no limit; hosts
 * and the Store API do), and signed webhook deliveries to the app.
 */

export interface WooSandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  consumerKey: string;
  consumerSecret: string;
  seed?: WooSandboxSeed;
  /** Webhooks registered from the start, as if created through POST /webhooks earlier. */
  webhooks?: { topic: string; deliveryUrl: string; secret: string }[];
  /** The store's batch limit (Woo's default is 100; `woocommerce_rest_batch_items_limit` changes it). */
  batchLimit?: number;
  /** Requests per second per key, with a bucket of `burst`; absent: unlimited. */
  rateLimit?: { perSecond: number; burst: number };
  now?: () => number;
  random?: () => number;
  log?: (line: string) => void;
}

export interface WooWebhookDelivery {
  topic: string;
  url: string;
  deliveryId: number;
  status: number;
  ok: boolean;
}

export interface WooCommerceSandbox {
  url: string;
  state: WooSandboxState;
  /** Every request the sandbox answered, for tests and the bench (method, path, status). */
  requests: { method: string; path: string; status: number }[];
  stop(): Promise<void>;
  simulateOrder(options?: { lines?: { listingId: number; quantity: number }[]; status?: string; send?: boolean }): Promise<{ order: WooSandboxOrder; payload: unknown; deliveries: WooWebhookDelivery[] }>;
  sendWebhook(topic: string, payload: unknown, options?: { deliveryId?: number }): Promise<WooWebhookDelivery[]>;
  /** What the store shows for a product or variation id. */
  stockOf(listingId: number): number | null | undefined;
}

const PREFIX = "/wp-json/wc/v3/";
const MAX_PER_PAGE = 100;

export async function startWooCommerceSandbox(options: WooSandboxOptions): Promise<WooCommerceSandbox> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log ?? ((line: string) => console.log(`[woocommerce-sandbox] ${line}`));
  const state = createWooSandboxState(options.seed ?? {}, now);
  const batchLimit = options.batchLimit ?? 100;
  const requests: WooCommerceSandbox["requests"] = [];
  const buckets = new Map<string, { tokens: number; at: number }>();
  let deliverySeq = 1;
  let baseUrl = "";
  for (const w of options.webhooks ?? []) {
    const id = state.nextId++;
    state.webhooks.set(id, { id, name: w.topic, status: "active", topic: w.topic, deliveryUrl: w.deliveryUrl, secret: w.secret, createdAt: now() });
  }

  function authenticate(req: IncomingMessage, url: URL): string | undefined {
    const header = req.headers.authorization;
    if (header?.startsWith("Basic ")) {
      const [key, secret] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
      return key === options.consumerKey && secret === options.consumerSecret ? key : undefined;
    }
    const queryKey = url.searchParams.get("consumer_key");
    if (queryKey) return queryKey === options.consumerKey && url.searchParams.get("consumer_secret") === options.consumerSecret ? queryKey : undefined;
    // The client signs with its wall clock, not the sandbox's injectable one.
    const checked = verifyWooOAuth1(req.method ?? "GET", url, header, (key) => (key === options.consumerKey ? options.consumerSecret : undefined), Date.now());
    return checked.ok ? checked.consumerKey : undefined;
  }

  /** A token bucket per key; false when the request must be answered 429. */
  function admit(key: string, res: ServerResponse): boolean {
    const limit = options.rateLimit;
    if (!limit) return true;
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: limit.burst, at: t };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((t - bucket.at) / 1000) * limit.perSecond);
    bucket.at = t;
    buckets.set(key, bucket);
    const resetSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
    res.setHeader("RateLimit-Limit", String(limit.burst));
    if (bucket.tokens < 1) {
      res.setHeader("RateLimit-Remaining", "0");
      res.setHeader("RateLimit-Reset", String(resetSeconds));
      res.setHeader("Retry-After", String(resetSeconds));
      return false;
    }
    bucket.tokens -= 1;
    res.setHeader("RateLimit-Remaining", String(Math.floor(bucket.tokens)));
    return true;
  }

  function paginate<T>(res: ServerResponse, url: URL, items: T[]): T[] {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(url.searchParams.get("per_page") ?? 10)));
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1));
    const totalPages = Math.ceil(items.length / perPage);
    res.setHeader("X-WP-Total", String(items.length));
    res.setHeader("X-WP-TotalPages", String(totalPages));
    const link = (p: number) => {
      const u = new URL(`${baseUrl}${url.pathname}`);
      for (const [k, v] of url.searchParams) if (!k.startsWith("oauth_") && k !== "consumer_key" && k !== "consumer_secret" && k !== "page") u.searchParams.set(k, v);
      u.searchParams.set("page", String(p));
      return `<${u.toString()}>`;
    };
    const links = [];
    if (page > 1) links.push(`${link(page - 1)}; rel="prev"`);
    if (page < totalPages) links.push(`${link(page + 1)}; rel="next"`);
    if (links.length) res.setHeader("Link", links.join(", "));
    return items.slice((page - 1) * perPage, page * perPage);
  }

  function listOrders(res: ServerResponse, url: URL) {
    const gmtDates = url.searchParams.get("dates_are_gmt") === "true" || url.searchParams.get("dates_are_gmt") === "1";
    const bound = (name: string) => {
      const value = url.searchParams.get(name);
      if (!value) return undefined;
      // Without dates_are_gmt Woo reads the bound in the site's zone; the sandbox's site is UTC.
      return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(value) || !gmtDates ? value : `${value}Z`);
    };
    const modifiedAfter = bound("modified_after");
    const after = bound("after");
    const statuses = url.searchParams.get("status")?.split(",").filter((s) => s && s !== "any");
    let list = [...state.orders.values()].filter(
      (o) =>
        (modifiedAfter === undefined || Math.floor(o.modifiedAt / 1000) * 1000 > modifiedAfter) &&
        (after === undefined || o.createdAt > after) &&
        (!statuses?.length || statuses.includes(o.status)),
    );
    list.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    if ((url.searchParams.get("order") ?? "desc") === "desc") list = list.reverse();
    return paginate(res, url, list).map((o) => orderJson(o, state, baseUrl));
  }

  function batchUpdate(
    body: unknown,
    find: (id: number) => { manageStock: boolean; stockQuantity: number | null; modifiedAt: number } | undefined,
    render: (id: number) => unknown,
    notFoundCode: string,
  ): { status: number; json: unknown } {
    const update = (body as { update?: unknown[] } | null)?.update ?? [];
    const create = (body as { create?: unknown[] } | null)?.create ?? [];
    const del = (body as { delete?: unknown[] } | null)?.delete ?? [];
    if (!Array.isArray(update)) return { status: 400, json: { code: "rest_invalid_param", message: "Invalid parameter(s): update", data: { status: 400 } } };
    if (update.length + create.length + del.length > batchLimit) {
      return { status: 413, json: { code: "woocommerce_rest_request_entity_too_large", message: `Unable to accept more than ${batchLimit} items for this request.`, data: { status: 413 } } };
    }
    return {
      status: 200,
      json: {
        update: update.map((raw) => {
          const item = raw as { id?: unknown; stock_quantity?: unknown; manage_stock?: unknown };
          const id = Number(item.id);
          const target = Number.isInteger(id) ? find(id) : undefined;
          if (!target) return { id: Number.isFinite(id) ? id : 0, error: { code: notFoundCode, message: "Invalid ID.", data: { status: 400 } } };
          if (item.stock_quantity !== undefined && (typeof item.stock_quantity !== "number" || !Number.isInteger(item.stock_quantity))) {
            return { id, error: { code: "rest_invalid_param", message: "stock_quantity is not of type integer.", data: { status: 400 } } };
          }
          if (typeof item.manage_stock === "boolean") target.manageStock = item.manage_stock;
          if (typeof item.stock_quantity === "number") target.stockQuantity = item.stock_quantity;
          target.modifiedAt = now();
          return render(id);
        }),
      },
    };
  }

  async function route(method: string, path: string, url: URL, body: unknown): Promise<{ status: number; json: unknown; res?: (res: ServerResponse) => unknown }> {
    let m: RegExpExecArray | null;
    const refunds = wooRefundsRoute(state, { now, baseUrl }, method, path, body);
    if (refunds) return refunds;
    if (method === "GET" && path === "orders") return { status: 200, json: null, res: (res) => listOrders(res, url) };
    if ((m = /^orders\/(\d+)$/.exec(path))) {
      const order = state.orders.get(Number(m[1]));
      if (!order) return { status: 404, json: { code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID.", data: { status: 404 } } };
      if (method === "GET") return { status: 200, json: orderJson(order, state, baseUrl) };
      if (method === "PUT" || method === "POST") {
        const status = (body as { status?: unknown } | null)?.status;
        if (status !== undefined) {
          if (typeof status !== "string" || !["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"].includes(status)) {
            return { status: 400, json: { code: "rest_invalid_param", message: "Invalid parameter(s): status", data: { status: 400, params: { status: "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed." } } } };
          }
          if (order.status !== status) {
            order.status = status;
            order.modifiedAt = now();
            void sendWebhook("order.updated", orderJson(order, state, baseUrl));
          }
        }
        return { status: 200, json: orderJson(order, state, baseUrl) };
      }
    }
    if ((m = /^orders\/(\d+)\/notes$/.exec(path))) {
      const order = state.orders.get(Number(m[1]));
      if (!order) return { status: 404, json: { code: "woocommerce_rest_order_invalid_id", message: "Invalid order ID.", data: { status: 404 } } };
      const noteJson = (n: WooSandboxOrder["notes"][number]) => ({ id: n.id, author: "Switchyard", date_created_gmt: new Date(n.createdAt).toISOString().slice(0, 19), note: n.note, customer_note: n.customerNote });
      if (method === "GET") return { status: 200, json: order.notes.map(noteJson).reverse() };
      if (method === "POST") {
        const note = (body as { note?: unknown } | null)?.note;
        if (typeof note !== "string" || note.trim() === "") return { status: 400, json: { code: "rest_missing_callback_param", message: "Missing parameter(s): note", data: { status: 400, params: ["note"] } } };
        const created = { id: state.nextId++, note, customerNote: (body as { customer_note?: unknown }).customer_note === true, createdAt: now() };
        order.notes.push(created);
        return { status: 201, json: noteJson(created) };
      }
    }
    if (method === "GET" && path === "products") {
      const type = url.searchParams.get("type");
      const include = url.searchParams.get("include")?.split(",").map(Number);
      const sku = url.searchParams.get("sku");
      const list = [...state.products.values()].filter((p) => (!type || p.type === type) && (!include || include.includes(p.id)) && (!sku || p.sku === sku));
      return { status: 200, json: null, res: (res) => paginate(res, url, list.sort((a, b) => a.id - b.id)).map((p) => productJson(p, baseUrl)) };
    }
    if (method === "POST" && path === "products/batch") {
      return batchUpdate(body, (id) => state.products.get(id), (id) => productJson(state.products.get(id)!, baseUrl), "woocommerce_rest_product_invalid_id");
    }
    if ((m = /^products\/(\d+)$/.exec(path)) && method === "GET") {
      const id = Number(m[1]);
      const product = state.products.get(id);
      if (product) return { status: 200, json: productJson(product, baseUrl) };
      const variation = state.variations.get(id);
      if (variation) return { status: 200, json: variationAsProductJson(variation, state.products.get(variation.parentId), baseUrl) };
      return { status: 404, json: { code: "woocommerce_rest_product_invalid_id", message: "Invalid ID.", data: { status: 404 } } };
    }
    if ((m = /^products\/(\d+)\/variations(\/batch)?$/.exec(path))) {
      const parent = state.products.get(Number(m[1]));
      if (!parent) return { status: 404, json: { code: "woocommerce_rest_product_invalid_id", message: "Invalid ID.", data: { status: 404 } } };
      if (method === "GET" && !m[2]) {
        const include = url.searchParams.get("include")?.split(",").map(Number);
        const list = parent.variationIds.filter((id) => !include || include.includes(id)).map((id) => state.variations.get(id)!);
        return { status: 200, json: null, res: (res) => paginate(res, url, list).map((v) => variationJson(v, baseUrl)) };
      }
      if (method === "POST" && m[2]) {
        return batchUpdate(
          body,
          (id) => (parent.variationIds.includes(id) ? state.variations.get(id) : undefined),
          (id) => variationJson(state.variations.get(id)!, baseUrl),
          "woocommerce_rest_product_variation_invalid_id",
        );
      }
    }
    if (path === "webhooks" && method === "POST") {
      const b = (body ?? {}) as { name?: string; topic?: string; delivery_url?: string; secret?: string };
      if (!b.topic || !b.delivery_url) return { status: 400, json: { code: "rest_missing_callback_param", message: "Missing parameter(s): topic, delivery_url", data: { status: 400 } } };
      // Woo pings the delivery URL on creation and refuses the webhook when it does not answer 2xx.
      const ping = await post(b.delivery_url, `webhook_id=${state.nextId}`, { "Content-Type": "application/x-www-form-urlencoded" });
      if (!ping.ok) return { status: 400, json: { code: "woocommerce_rest_webhook_delivery_url_error", message: `Error: Delivery URL returned response code: ${ping.status}`, data: { status: 400 } } };
      const id = state.nextId++;
      const webhook = { id, name: b.name ?? b.topic, status: "active" as const, topic: b.topic, deliveryUrl: b.delivery_url, secret: b.secret ?? "", createdAt: now() };
      state.webhooks.set(id, webhook);
      return { status: 201, json: { id, name: webhook.name, status: webhook.status, topic: webhook.topic, delivery_url: webhook.deliveryUrl } };
    }
    return { status: 404, json: { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } } };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { code: "internal_server_error", message: "Internal error", data: { status: 500 } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const method = req.method ?? "GET";
    const record = (status: number) => requests.push({ method, path: url.pathname, status });
    if (!url.pathname.startsWith(PREFIX)) {
      record(404);
      return send(res, 404, { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } });
    }
    const key = authenticate(req, url);
    if (!key) {
      record(401);
      return send(res, 401, { code: "woocommerce_rest_authentication_error", message: "Consumer key is invalid.", data: { status: 401 } });
    }
    if (!admit(key, res)) {
      record(429);
      return send(res, 429, { code: "woocommerce_rest_too_many_requests", message: "Too many requests. Please wait and try again.", data: { status: 429 } });
    }
    const raw = await readBody(req);
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        record(400);
        return send(res, 400, { code: "rest_invalid_json", message: "Invalid JSON body passed.", data: { status: 400 } });
      }
    }
    const answer = await route(method, url.pathname.slice(PREFIX.length), url, body);
    const json = answer.res ? answer.res(res) : answer.json;
    record(answer.status);
    send(res, answer.status, json);
  }

  async function post(target: string, body: string, headers: Record<string, string>): Promise<{ ok: boolean; status: number }> {
    try {
      const response = await fetch(target, { method: "POST", headers, body });
      await response.arrayBuffer();
      return { ok: response.ok, status: response.status };
    } catch (error) {
      log(`delivery to ${target} failed: ${String(error)}`);
      return { ok: false, status: 0 };
    }
  }

  async function sendWebhook(topic: string, payload: unknown, opts: { deliveryId?: number } = {}): Promise<WooWebhookDelivery[]> {
    const rawBody = JSON.stringify(payload);
    const [resource, event] = topic.split(".");
    const out: WooWebhookDelivery[] = [];
    for (const webhook of state.webhooks.values()) {
      if (webhook.status !== "active" || webhook.topic !== topic) continue;
      const deliveryId = opts.deliveryId ?? deliverySeq++;
      const result = await post(webhook.deliveryUrl, rawBody, {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.7)",
        "X-WC-Webhook-Source": `${baseUrl}/`,
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource ?? topic,
        "X-WC-Webhook-Event": event ?? "",
        "X-WC-Webhook-Signature": signWooCommerceWebhook(rawBody, webhook.secret),
        "X-WC-Webhook-ID": String(webhook.id),
        "X-WC-Webhook-Delivery-ID": String(deliveryId),
      });
      log(`webhook ${topic} #${deliveryId} -> ${result.status}`);
      out.push({ topic, url: webhook.deliveryUrl, deliveryId, status: result.status, ok: result.ok });
    }
    return out;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  log(`store listening on ${baseUrl}${PREFIX}`);

  return {
    url: baseUrl,
    state,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    sendWebhook,
    stockOf(listingId) {
      return (state.products.get(listingId) ?? state.variations.get(listingId))?.stockQuantity;
    },
    async simulateOrder(opts = {}) {
      const listings = [
        ...[...state.products.values()].filter((p) => p.type === "simple").map((p) => ({ id: p.id, productId: p.id, variationId: 0, sku: p.sku, name: p.name, priceMinor: p.priceMinor, stock: p.stockQuantity })),
        ...[...state.variations.values()].map((v) => ({ id: v.id, productId: v.parentId, variationId: v.id, sku: v.sku, name: `${state.products.get(v.parentId)?.name ?? "Product"} - ${v.attributes.map((a) => a.option).join(", ")}`, priceMinor: v.priceMinor, stock: v.stockQuantity })),
      ];
      if (listings.length === 0) throw new Error("woocommerce sandbox: simulateOrder needs seeded products");
      const wanted =
        opts.lines ??
        (() => {
          const pool = listings.filter((l) => l.stock === null || l.stock > 0);
          const from = pool.length > 0 ? pool : listings;
          const count = Math.min(from.length, 1 + Math.floor(random() * 2));
          const chosen = new Map<number, number>();
          while (chosen.size < count) chosen.set(from[Math.floor(random() * from.length) % from.length]!.id, 1 + Math.floor(random() * 2));
          return [...chosen].map(([listingId, quantity]) => ({ listingId, quantity }));
        })();
      const id = state.nextId++;
      const at = now();
      const lines = wanted.map((w) => {
        const listing = listings.find((l) => l.id === w.listingId);
        if (!listing) throw new Error(`woocommerce sandbox: unknown listing ${w.listingId}`);
        const target = state.products.get(listing.id) ?? state.variations.get(listing.id)!;
        if (target.manageStock && target.stockQuantity !== null) target.stockQuantity -= w.quantity;
        return { id: state.nextId++, name: listing.name, productId: listing.productId, variationId: listing.variationId, sku: listing.sku, quantity: w.quantity, priceMinor: listing.priceMinor, taxMinor: Math.round(listing.priceMinor * w.quantity * 0.0725) };
      });
      const merchandise = lines.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
      const address = randomAddress(random, id);
      const order: WooSandboxOrder = {
        id,
        status: opts.status ?? "processing",
        currency: state.currency,
        createdAt: at,
        modifiedAt: at,
        customerId: 0,
        billing: address,
        shipping: { ...address },
        lines,
        shippingMinor: merchandise >= 10_000 ? 0 : 795,
        notes: [],
      };
      state.orders.set(id, order);
      const payload = orderJson(order, state, baseUrl);
      const deliveries = opts.send === false ? [] : await sendWebhook("order.created", payload);
      return { order, payload, deliveries };
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
