import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { US_ADDRESSES } from "../../shopify/sandbox/us-addresses.js";
import { ebayChallengeResponse } from "../ebay-notification-signature.js";
import { ebaySchemaValidator } from "../ebay-openapi-validator.js";
import { createEbaySandboxState, money, type EbaySandboxOrder, type EbaySandboxSeed, type EbaySandboxState } from "./ebay-sandbox-state.js";
import { createEbayReturnsDesk, type EbayReturnsDesk } from "./ebay-sandbox-returns.js";

/**
 * A stand-in for one eBay seller's REST APIs (rule 9): the OAuth token endpoint (client
 * credentials and refresh-token grants, HTTP basic client auth), Bearer tokens that expire, the
 * Fulfillment API's getOrders (lastmodifieddate filter, limit/offset with href/next/prev/total),
 * getOrder and shipping fulfillments, the Inventory API's bulkUpdatePriceQuantity (25 per call,
 * 200/207 with per-item results; bodies checked against the published OpenAPI schema when the
 * specs are present), the Notification API's getPublicKey, signed marketplace account deletion
 * notifications, and each API's daily call limit answered with 429 and eBay's error 2001.
 */

export interface EbaySandboxOptions {
  port: number;
  host?: string;
  appId: string;
  certId: string;
  seed?: EbaySandboxSeed;
  /** Calls per API per day (eBay's published call limits); tests set small ones. */
  callLimits?: Partial<Record<"fulfillment" | "inventory" | "notification" | "post_order", number>>;
  tokenLifetimeSeconds?: number;
  now?: () => number;
  random?: () => number;
  log?: (line: string) => void;
}

export interface EbaySandbox {
  url: string;
  state: EbaySandboxState;
  requests: { method: string; path: string; status: number }[];
  /** Issues a user token pair, as the consent flow would. */
  issueUserToken(): { accessToken: string; refreshToken: string; expiresAt: Date };
  /** Expires every access token now (the next call gets 401 and must refresh). */
  expireAccessTokens(): void;
  simulateOrder(options?: { lines?: { sku: string; quantity: number }[] }): EbaySandboxOrder;
  /** Post-Order returns: buyers open them on shipped lines, `advance()` moves them along. */
  returns: EbayReturnsDesk;
  /** Sends a signed MARKETPLACE_ACCOUNT_DELETION notification to an endpoint. */
  sendAccountDeletion(endpoint: string, data: { username: string; userId: string }, options?: { tamper?: boolean }): Promise<{ status: number }>;
  /** Asks the endpoint for the challenge response and checks it, as eBay does on subscription. */
  verifyEndpoint(endpoint: string, verificationToken: string): Promise<boolean>;
  stop(): Promise<void>;
}

// Post-Order: eBay publishes no figure beside the REST APIs'; kept at the Fulfillment API's.
const DEFAULT_CALL_LIMITS = { fulfillment: 100_000, inventory: 2_000_000, notification: 10_000, post_order: 100_000 };
const SELLER_CANCEL_REASONS = ["ADDRESS_ISSUES", "BUYER_ASKED_CANCEL", "OUT_OF_STOCK_OR_CANNOT_FULFILL"];

/**
 * eBay's answer (OrderEligibilityResult) for an order with a shipped line: not eligible, because
 * a line failed the item-level check (ITEM_LEVEL_ELIGIBILITY_FAILURE), each shipped line listed
 * as not eligible. A shipped order is no longer cancellable; the buyer opens a return instead.
 */
function shippedIneligibility(order: EbaySandboxOrder) {
  const shipped = new Set(order.fulfillments.flatMap((f) => f.lineItems.map((l) => l.lineItemId)));
  return {
    legacyOrderId: order.orderId,
    eligible: false,
    failureReason: ["ITEM_LEVEL_ELIGIBILITY_FAILURE"],
    itemEligibilityResult: order.lines.map((l) => ({ itemId: l.legacyItemId, transactionId: l.lineItemId, eligible: !shipped.has(l.lineItemId) })),
  };
}
const MAX_BULK = 25;

export async function startEbaySandbox(options: EbaySandboxOptions): Promise<EbaySandbox> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const log = options.log ?? ((line: string) => console.log(`[ebay-sandbox] ${line}`));
  const state = createEbaySandboxState(options.seed ?? {});
  const lifetime = (options.tokenLifetimeSeconds ?? 7200) * 1000;
  const limits = { ...DEFAULT_CALL_LIMITS, ...options.callLimits };
  const calls = new Map<string, { day: string; count: number }>();
  const requests: EbaySandbox["requests"] = [];
  const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const kid = randomUUID();
  const publicKeyPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
  const validateBulk = ebaySchemaValidator("sell_inventory_v1_oas3.json", "BulkPriceQuantity");
  const validateFulfillment = ebaySchemaValidator("sell_fulfillment_v1_oas3.json", "ShippingFulfillmentDetails");
  const validateBulkGet = ebaySchemaValidator("sell_inventory_v1_oas3.json", "BulkGetInventoryItem");
  let baseUrl = "";
  const returnsDesk = createEbayReturnsDesk({ state, now, userToken: (token) => (state.tokens.get(token)?.expiresAt ?? 0) > now() && state.tokens.get(token)?.kind === "user" });

  const issue = (kind: "user" | "application") => {
    const token = `v^1.1#i^1#${kind === "user" ? "u" : "a"}^${randomUUID()}`;
    state.tokens.set(token, { expiresAt: now() + lifetime, kind });
    return token;
  };
  const errors = (status: number, errorId: number, domain: string, message: string, longMessage?: string) => ({
    status,
    json: { errors: [{ errorId, domain, category: "REQUEST", message, ...(longMessage ? { longMessage } : {}) }] },
  });

  function tokenEndpoint(req: IncomingMessage, body: string): { status: number; json: unknown } {
    const basic = req.headers.authorization?.startsWith("Basic ") ? Buffer.from(req.headers.authorization.slice(6), "base64").toString("utf8") : "";
    if (basic !== `${options.appId}:${options.certId}`) return { status: 401, json: { error: "invalid_client", error_description: "client authentication failed" } };
    const form = new URLSearchParams(body);
    const grant = form.get("grant_type");
    if (grant === "client_credentials") return { status: 200, json: { access_token: issue("application"), expires_in: lifetime / 1000, token_type: "Application Access Token" } };
    if (grant === "refresh_token") {
      if (!state.refreshTokens.has(form.get("refresh_token") ?? "")) {
        return { status: 400, json: { error: "invalid_grant", error_description: "the provided authorization refresh token is invalid or was issued to another client" } };
      }
      return { status: 200, json: { access_token: issue("user"), expires_in: lifetime / 1000, token_type: "User Access Token" } };
    }
    return { status: 400, json: { error: "unsupported_grant_type", error_description: "grant type in request is not supported by the authorization server" } };
  }

  /** REST APIs take `Bearer <token>`; the Post-Order API takes the same OAuth user token as `IAF <token>`. */
  function bearer(req: IncomingMessage, kinds: ("user" | "application")[], prefix = "Bearer "): boolean {
    const token = req.headers.authorization?.startsWith(prefix) ? req.headers.authorization.slice(prefix.length) : "";
    const known = state.tokens.get(token);
    return known !== undefined && known.expiresAt > now() && kinds.includes(known.kind);
  }

  /** eBay counts calls per application per API per day. */
  function withinLimit(api: keyof typeof DEFAULT_CALL_LIMITS, res: ServerResponse): boolean {
    const day = new Date(now()).toISOString().slice(0, 10);
    const counter = calls.get(api)?.day === day ? calls.get(api)! : { day, count: 0 };
    calls.set(api, counter);
    if (counter.count >= limits[api]) {
      const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      res.setHeader("Retry-After", String(Math.ceil((midnight - now()) / 1000)));
      return false;
    }
    counter.count++;
    return true;
  }

  function orderJson(o: EbaySandboxOrder) {
    const c = state.currency;
    const subtotal = o.lines.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
    const tax = o.lines.reduce((s, l) => s + l.taxMinor, 0);
    const shipped = o.lines.every((l) => o.fulfillments.some((f) => f.lineItems.some((x) => x.lineItemId === l.lineItemId)));
    return {
      orderId: o.orderId,
      creationDate: new Date(o.createdAt).toISOString(),
      lastModifiedDate: new Date(o.modifiedAt).toISOString(),
      orderFulfillmentStatus: shipped ? "FULFILLED" : o.fulfillments.length ? "IN_PROGRESS" : "NOT_STARTED",
      orderPaymentStatus: o.paymentStatus,
      sellerId: "switchyard_demo_seller",
      buyer: { username: o.buyer.username, buyerRegistrationAddress: { fullName: o.buyer.fullName, email: o.buyer.email } },
      pricingSummary: { priceSubtotal: money(subtotal, c), deliveryCost: money(o.shippingMinor, c), tax: money(tax, c), total: money(subtotal + o.shippingMinor + tax, c) },
      paymentSummary: {
        payments: o.paymentStatus === "PAID" ? [{ paymentMethod: "EBAY", paymentDate: new Date(o.createdAt).toISOString(), paymentStatus: "PAID", amount: money(subtotal + o.shippingMinor + tax, c) }] : [],
        totalDueSeller: money(subtotal + o.shippingMinor, c),
      },
      cancelStatus: o.cancellation
        ? {
            cancelState: "CANCELED",
            cancelRequests: [
              {
                cancelRequestId: o.cancellation.cancelId,
                cancelInitiator: "SELLER",
                cancelReason: o.cancellation.reason,
                cancelRequestState: "COMPLETED",
                cancelRequestedDate: new Date(o.cancellation.requestedAt).toISOString(),
                cancelCompletedDate: new Date(o.cancellation.requestedAt).toISOString(),
              },
            ],
          }
        : { cancelState: "NONE_REQUESTED", cancelRequests: [] },
      fulfillmentStartInstructions: [
        {
          fulfillmentInstructionsType: "SHIP_TO",
          shippingStep: {
            shipTo: {
              fullName: o.shipTo.fullName,
              contactAddress: { addressLine1: o.shipTo.addressLine1, city: o.shipTo.city, stateOrProvince: o.shipTo.stateOrProvince, postalCode: o.shipTo.postalCode, countryCode: o.shipTo.countryCode },
              primaryPhone: { phoneNumber: o.shipTo.phone },
              email: o.buyer.email,
            },
            shippingCarrierCode: "USPS",
            shippingServiceCode: "USPSPriority",
          },
        },
      ],
      fulfillmentHrefs: o.fulfillments.map((f) => `${baseUrl}/sell/fulfillment/v1/order/${o.orderId}/shipping_fulfillment/${f.fulfillmentId}`),
      lineItems: o.lines.map((l) => ({
        lineItemId: l.lineItemId,
        legacyItemId: l.legacyItemId,
        sku: l.sku,
        title: l.title,
        quantity: l.quantity,
        lineItemCost: money(l.priceMinor * l.quantity, c),
        total: money(l.priceMinor * l.quantity + l.taxMinor, c),
        taxes: [{ amount: money(l.taxMinor, c), taxType: "STATE_SALES_TAX" }],
        appliedPromotions: [],
        soldFormat: "FIXED_PRICE",
        listingMarketplaceId: "EBAY_US",
        purchaseMarketplaceId: "EBAY_US",
        lineItemFulfillmentStatus: o.fulfillments.some((f) => f.lineItems.some((x) => x.lineItemId === l.lineItemId)) ? "FULFILLED" : "NOT_STARTED",
      })),
    };
  }

  function getOrders(url: URL) {
    const filter = url.searchParams.get("filter") ?? "";
    const m = /lastmodifieddate:\[([^.\]]*(?:\.\d+)?Z?)\.\.([^\]]*)\]/.exec(filter);
    const from = m?.[1] ? Date.parse(m[1]) : undefined;
    const to = m?.[2] ? Date.parse(m[2]) : undefined;
    if (filter && !m && !/creationdate|orderfulfillmentstatus/.test(filter)) return errors(400, 30800, "API_FULFILLMENT", "Invalid filter name", `The filter ${filter} is not supported.`);
    const limit = Number(url.searchParams.get("limit") ?? 50);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return errors(400, 30830, "API_FULFILLMENT", "Invalid limit. Supported ranges 1 - 200.");
    if (!Number.isInteger(offset) || offset < 0) return errors(400, 30840, "API_FULFILLMENT", "Invalid offset. Offset must be zero or a positive number.");
    const list = [...state.orders.values()]
      .filter((o) => (from === undefined || o.modifiedAt >= from) && (to === undefined || o.modifiedAt <= to))
      .sort((a, b) => a.modifiedAt - b.modifiedAt || a.orderId.localeCompare(b.orderId));
    const page = list.slice(offset, offset + limit);
    const href = (off: number) => `${baseUrl}/sell/fulfillment/v1/order?${filter ? `filter=${encodeURIComponent(filter)}&` : ""}limit=${limit}&offset=${off}`;
    return {
      status: 200,
      json: {
        href: href(offset),
        total: list.length,
        limit,
        offset,
        ...(offset + limit < list.length ? { next: href(offset + limit) } : {}),
        ...(offset > 0 ? { prev: href(Math.max(0, offset - limit)) } : {}),
        orders: page.map(orderJson),
      },
    };
  }

  function findByLegacyId(id: unknown): EbaySandboxOrder | undefined {
    return typeof id === "string" ? state.orders.get(id) : undefined;
  }

  /** bulkGetInventoryItem: up to 25 SKUs, one `responses[]` entry each (207 when any is missing). */
  function bulkGet(body: unknown) {
    const problems = validateBulkGet?.(body) ?? [];
    if (problems.length) return errors(400, 25709, "API_INVENTORY", "Invalid value for requests.", problems.join("; "));
    const list = (body as { requests?: { sku?: string }[] }).requests ?? [];
    if (list.length === 0 || list.length > MAX_BULK) return errors(400, 25709, "API_INVENTORY", `Invalid value for requests. It should contain 1 to ${MAX_BULK} items.`);
    const responses = list.map((r) => {
      const item = r.sku ? state.items.get(r.sku) : undefined;
      if (!item) return { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: "API_INVENTORY", category: "REQUEST", message: `SKU ${r.sku} is not available in the system` }] };
      return { statusCode: 200, sku: item.sku, inventoryItem: { sku: item.sku, locale: "en_US", product: { title: item.title }, availability: { shipToLocationAvailability: { quantity: item.quantity } } } };
    });
    return { status: responses.every((r) => r.statusCode === 200) ? 200 : 207, json: { responses } };
  }

  function bulkUpdate(body: unknown) {
    const problems = validateBulk?.(body) ?? [];
    if (problems.length) return errors(400, 25709, "API_INVENTORY", "Invalid value for requests.", problems.join("; "));
    const list = (body as { requests?: { sku?: string; shipToLocationAvailability?: { quantity?: number } }[] }).requests ?? [];
    if (list.length === 0 || list.length > MAX_BULK) return errors(400, 25709, "API_INVENTORY", `Invalid value for requests. It should contain 1 to ${MAX_BULK} items.`);
    const responses = list.map((r) => {
      const item = r.sku ? state.items.get(r.sku) : undefined;
      if (!item) return { statusCode: 404, sku: r.sku, errors: [{ errorId: 25702, domain: "API_INVENTORY", category: "REQUEST", message: `SKU ${r.sku} is not available in the system` }] };
      const q = r.shipToLocationAvailability?.quantity;
      if (typeof q !== "number" || q < 0) return { statusCode: 400, sku: r.sku, errors: [{ errorId: 25016, domain: "API_INVENTORY", category: "REQUEST", message: "Invalid quantity" }] };
      item.quantity = q;
      return { statusCode: 200, sku: r.sku, warnings: [] };
    });
    return { status: responses.every((r) => r.statusCode === 200) ? 200 : 207, json: { responses } };
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<{ status: number; json: unknown; headers?: Record<string, string> }> {
    const method = req.method ?? "GET";
    const p = url.pathname;
    if (p === "/identity/v1/oauth2/token" && method === "POST") return tokenEndpoint(req, raw);
    const api = p.startsWith("/sell/fulfillment/")
      ? "fulfillment"
      : p.startsWith("/sell/inventory/")
        ? "inventory"
        : p.startsWith("/commerce/notification/")
          ? "notification"
          : p.startsWith("/post-order/v2/")
            ? "post_order"
            : undefined;
    if (!api) return errors(404, 2002, "API_ROUTING", "Resource not found");
    const kinds: ("user" | "application")[] = api === "notification" ? ["application", "user"] : ["user"];
    if (!bearer(req, kinds, api === "post_order" ? "IAF " : "Bearer ")) return errors(401, 1001, "OAuth", "Invalid access token", "Invalid access token. Check the value of the Authorization HTTP request header.");
    if (!withinLimit(api, res)) return errors(429, 2001, "ACCESS", "Too many requests. The request limit has been reached for the resource.");
    let body: unknown = null;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return errors(400, 2004, "ACCESS", "Request had bad syntax or the API call is missing required parameters. Check the request body.");
      }
    }
    // Returns (search, read, decide, issue_refund) live on the returns desk, over the same auth and call limit.
    if (p.startsWith("/post-order/v2/return")) return returnsDesk.route(method, url, req.headers.authorization, body) ?? errors(404, 2002, "API_ROUTING", "Resource not found");
    let m: RegExpExecArray | null;
    if (p === "/sell/fulfillment/v1/order" && method === "GET") return getOrders(url);
    if ((m = /^\/sell\/fulfillment\/v1\/order\/([^/]+)(\/shipping_fulfillment)?$/.exec(p))) {
      const order = state.orders.get(decodeURIComponent(m[1]!));
      if (!order) return errors(404, 32100, "API_FULFILLMENT", "Invalid Order Id");
      if (!m[2] && method === "GET") return { status: 200, json: orderJson(order) };
      if (m[2] && method === "GET") {
        return { status: 200, json: { total: order.fulfillments.length, fulfillments: order.fulfillments.map((f) => ({ fulfillmentId: f.fulfillmentId, shipmentTrackingNumber: f.trackingNumber, shippingCarrierCode: f.carrier, shippedDate: f.shippedDate, lineItems: f.lineItems })) } };
      }
      if (m[2] && method === "POST") {
        const problems = validateFulfillment?.(body) ?? [];
        if (problems.length) return errors(400, 32500, "API_FULFILLMENT", "Invalid input", problems.join("; "));
        const b = body as { lineItems?: { lineItemId: string; quantity: number }[]; trackingNumber?: string; shippingCarrierCode?: string; shippedDate?: string };
        if (!b.lineItems?.length || !b.trackingNumber || !b.shippingCarrierCode) return errors(400, 32400, "API_FULFILLMENT", "Missing lineItems, trackingNumber or shippingCarrierCode");
        const unknown = b.lineItems.find((l) => !order.lines.some((x) => x.lineItemId === l.lineItemId));
        if (unknown) return errors(400, 32210, "API_FULFILLMENT", `Invalid line item id ${unknown.lineItemId}`);
        const fulfillmentId = b.trackingNumber;
        order.fulfillments.push({ fulfillmentId, trackingNumber: b.trackingNumber, carrier: b.shippingCarrierCode, shippedDate: b.shippedDate ?? new Date(now()).toISOString(), lineItems: b.lineItems });
        order.modifiedAt = now();
        return { status: 201, json: {}, headers: { Location: `${baseUrl}/sell/fulfillment/v1/order/${order.orderId}/shipping_fulfillment/${encodeURIComponent(fulfillmentId)}` } };
      }
    }
    if (p === "/post-order/v2/cancellation/check_eligibility" && method === "POST") {
      const order = findByLegacyId((body as { legacyOrderId?: unknown } | null)?.legacyOrderId);
      if (!order) return errors(400, 1200, "API_POST_ORDER", "The legacyOrderId is invalid");
      if (order.cancellation) return { status: 200, json: { legacyOrderId: order.orderId, eligible: false, failureReason: ["CANCELLATION_EXIST"] } };
      if (order.fulfillments.length > 0) return { status: 200, json: shippedIneligibility(order) };
      return { status: 200, json: { legacyOrderId: order.orderId, eligible: true, eligibleCancelReason: SELLER_CANCEL_REASONS } };
    }
    if (p === "/post-order/v2/cancellation" && method === "POST") {
      const b = (body ?? {}) as { legacyOrderId?: unknown; cancelReason?: unknown; buyerPaid?: unknown; buyerPaidDate?: { value?: unknown } };
      const order = findByLegacyId(b.legacyOrderId);
      if (!order) return errors(400, 1200, "API_POST_ORDER", "The legacyOrderId is invalid");
      if (typeof b.cancelReason !== "string" || !SELLER_CANCEL_REASONS.includes(b.cancelReason)) return errors(400, 1201, "API_POST_ORDER", "The cancelReason is not a seller's cancel reason");
      if (typeof b.buyerPaid !== "boolean" || (b.buyerPaid && typeof b.buyerPaidDate?.value !== "string")) return errors(400, 1202, "API_POST_ORDER", "buyerPaid (and buyerPaidDate when paid) are required");
      if (order.cancellation) return { status: 200, json: { orderEligibilityResult: { legacyOrderId: order.orderId, eligible: false, failureReason: ["CANCELLATION_EXIST"] } } };
      // A shipped order can no longer be cancelled: no cancelId, only why (CreateCancelResponse).
      if (order.fulfillments.length > 0) return { status: 200, json: { orderEligibilityResult: shippedIneligibility(order) } };
      const at = now();
      order.cancellation = { cancelId: String(5_000_000_000 + state.sequence++), reason: b.cancelReason, requestedAt: at };
      order.modifiedAt = at;
      return { status: 201, json: { cancelId: order.cancellation.cancelId } };
    }
    if (p === "/sell/inventory/v1/bulk_update_price_quantity" && method === "POST") return bulkUpdate(body);
    if (p === "/sell/inventory/v1/bulk_get_inventory_item" && method === "POST") return bulkGet(body);
    if ((m = /^\/sell\/inventory\/v1\/inventory_item\/([^/]+)$/.exec(p)) && method === "GET") {
      const item = state.items.get(decodeURIComponent(m[1]!));
      if (!item) return errors(404, 25702, "API_INVENTORY", "We didn't find the entity you are requesting. Please verify the request");
      return { status: 200, json: { sku: item.sku, product: { title: item.title }, availability: { shipToLocationAvailability: { quantity: item.quantity } } } };
    }
    if ((m = /^\/commerce\/notification\/v1\/public_key\/([^/]+)$/.exec(p)) && method === "GET") {
      if (decodeURIComponent(m[1]!) !== kid) return errors(404, 195001, "API_NOTIFICATION", "The specified key id is invalid.");
      // eBay returns the PEM on one line.
      return { status: 200, json: { key: publicKeyPem.replace(/\n/g, ""), algorithm: "ECDSA", digest: "SHA1" } };
    }
    return errors(404, 2002, "API_ROUTING", "Resource not found");
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://sandbox");
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const answer = await route(req, res, url, Buffer.concat(chunks).toString("utf8"));
      requests.push({ method: req.method ?? "GET", path: url.pathname, status: answer.status });
      const text = JSON.stringify(answer.json);
      res.writeHead(answer.status, { "Content-Type": "application/json", ...(answer.headers ?? {}) });
      res.end(text);
    })().catch((error: unknown) => {
      log(`internal error: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ errors: [{ errorId: 2003, domain: "ACCESS", category: "APPLICATION", message: "There was a problem with an eBay internal system or process." }] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`;
  log(`seller listening on ${baseUrl} (token endpoint ${baseUrl}/identity/v1/oauth2/token)${validateBulk ? "" : "; eBay specs not found: request bodies are NOT validated"}`);

  return {
    url: baseUrl,
    state,
    requests,
    returns: returnsDesk,
    issueUserToken() {
      const refreshToken = `v^1.1#i^1#r^1#${randomUUID()}`;
      state.refreshTokens.add(refreshToken);
      const accessToken = issue("user");
      return { accessToken, refreshToken, expiresAt: new Date(state.tokens.get(accessToken)!.expiresAt) };
    },
    expireAccessTokens() {
      for (const token of state.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now() - 1);
    },
    simulateOrder(opts = {}) {
      const items = [...state.items.values()];
      if (items.length === 0) throw new Error("ebay sandbox: simulateOrder needs seeded items");
      const wanted =
        opts.lines ??
        (() => {
          const pool = items.filter((i) => i.quantity > 0);
          const from = pool.length ? pool : items;
          return [{ sku: from[Math.floor(random() * from.length) % from.length]!.sku, quantity: 1 }];
        })();
      const n = state.sequence++;
      const orderId = `${String(10 + (n % 17)).padStart(2, "0")}-${String(10_000 + ((n * 7919) % 90_000))}-${String(10_000 + ((n * 104_729) % 90_000))}`;
      const place = US_ADDRESSES[Math.floor(random() * US_ADDRESSES.length) % US_ADDRESSES.length]!;
      const at = now();
      const lines = wanted.map((w, i) => {
        const item = state.items.get(w.sku);
        if (!item) throw new Error(`ebay sandbox: unknown sku ${w.sku}`);
        item.quantity = Math.max(0, item.quantity - w.quantity);
        return { lineItemId: `${10_000_000_000 + n * 10 + i}`, legacyItemId: item.legacyItemId, sku: item.sku, title: item.title, quantity: w.quantity, priceMinor: item.priceMinor, taxMinor: Math.round(item.priceMinor * w.quantity * 0.0725) };
      });
      const order: EbaySandboxOrder = {
        orderId,
        createdAt: at,
        modifiedAt: at,
        buyer: { username: `buyer_${n}`, fullName: `Buyer ${n}`, email: `buyer${n}@members.ebay.com` },
        shipTo: { fullName: `Buyer ${n}`, addressLine1: place.address1, city: place.city, stateOrProvince: place.provinceCode, postalCode: place.zip, countryCode: "US", phone: "5555550100" },
        lines,
        shippingMinor: 0,
        paymentStatus: "PAID",
        fulfillments: [],
      };
      state.orders.set(orderId, order);
      return order;
    },
    async sendAccountDeletion(endpoint, data, opts = {}) {
      const body = JSON.stringify({
        metadata: { topic: "MARKETPLACE_ACCOUNT_DELETION", schemaVersion: "1.0", deprecated: false },
        notification: { notificationId: randomUUID(), eventDate: new Date(now()).toISOString(), publishDate: new Date(now()).toISOString(), publishAttemptCount: 1, data: { ...data, eiasToken: Buffer.from(data.userId).toString("base64") } },
      });
      const signature = createSign("sha1").update(body).sign(keys.privateKey, "base64");
      const header = Buffer.from(JSON.stringify({ alg: "ECDSA", kid, signature, digest: "SHA1" })).toString("base64");
      const response = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json", "X-EBAY-SIGNATURE": header }, body: opts.tamper ? body.replace(data.username, `${data.username}x`) : body });
      await response.arrayBuffer();
      return { status: response.status };
    },
    async verifyEndpoint(endpoint, verificationToken) {
      const challengeCode = randomUUID().replace(/-/g, "");
      const response = await fetch(`${endpoint}${endpoint.includes("?") ? "&" : "?"}challenge_code=${challengeCode}`);
      if (!response.ok) return false;
      const answer = (await response.json()) as { challengeResponse?: string };
      return answer.challengeResponse === ebayChallengeResponse(challengeCode, verificationToken, endpoint);
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
