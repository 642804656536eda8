import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { RETURN_REASON_LABELS, RETURN_REASONS } from "../../core/returns/return-rules";
import { customerOrderReturnView, findOrderForCustomer, shopByDomain } from "../../db/queries/return-portal-queries";
import { quoteReturn, requestReturn } from "../../db/repositories/return-request-repository";
import { verifyCustomerAccountToken } from "../auth/storefront-auth.server";
import { getDatabase } from "../db.server";
import { returnRequestBodySchema } from "../params/return-params";

/**
 * The customer-account returns extension's backend. Every request carries the session token
 * Shopify issued to the extension; its shop and customer decide what may be read, so a token
 * for another shop, another customer's order, a forged or an expired token all get nothing.
 * The extension runs on Shopify's origin, so answers carry CORS headers (no cookies are used).
 */

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Max-Age": "600",
};

const error = (status: number, code: string, message: string) => json({ error: { code, message } }, { status, headers: CORS });
const orderGidSchema = z.string().regex(/^gid:\/\/shopify\/Order\/\d{1,20}$/, "an order GID");

async function customerOrder(request: Request, orderGid: unknown) {
  const identity = await verifyCustomerAccountToken(request);
  if (!identity) return { ok: false as const, response: error(401, "unauthorized", "The session token is missing, forged or expired.") };
  const db = getDatabase();
  const shop = await shopByDomain(db, identity.shopDomain);
  if (!shop) return { ok: false as const, response: error(401, "unauthorized", "This shop does not use Switchyard.") };
  const gid = orderGidSchema.safeParse(orderGid);
  if (!gid.success) return { ok: false as const, response: error(400, "invalid_order", "order must be an order GID (gid://shopify/Order/…).") };
  const orderId = await findOrderForCustomer(db, shop.id, gid.data, identity.customerGid);
  if (!orderId) return { ok: false as const, response: error(404, "order_not_found", "No such order for this customer.") };
  return { ok: true as const, db, shopId: shop.id, orderId };
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const found = await customerOrder(request, new URL(request.url).searchParams.get("order"));
  if (!found.ok) return found.response;
  const view = await customerOrderReturnView(found.db, found.shopId, found.orderId);
  if (!view) return error(404, "order_not_found", "No such order for this customer.");
  const { orderId: _internalId, ...visible } = view;
  return json({ ...visible, reasons: RETURN_REASONS.map((value) => ({ value, label: RETURN_REASON_LABELS[value] })) }, { headers: CORS });
};

const postSchema = returnRequestBodySchema.extend({ order: z.string().max(100), confirm: z.boolean().default(false) });

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  if (request.method !== "POST") return error(405, "method_not_allowed", "Use POST.");
  const text = await request.text();
  if (text.length > 100_000) return error(413, "too_large", "The request is too large.");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return error(400, "invalid_json", "The body must be JSON.");
  }
  const parsed = postSchema.safeParse(body);
  // The order is checked before the body, so a stranger learns nothing about the shape we expect.
  const found = await customerOrder(request, (body as { order?: unknown } | null)?.order);
  if (!found.ok) return found.response;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return error(400, "invalid_request", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  const { order: _gid, confirm, ...requestBody } = parsed.data;
  const input = { shopId: found.shopId, orderId: found.orderId, ...requestBody };
  if (!confirm) {
    const quote = await quoteReturn(found.db, input);
    return quote.ok ? json({ quote: quote.value }, { headers: CORS }) : error(400, quote.reason, quote.detail ?? "A chosen line is not on this order.");
  }
  const outcome = await requestReturn(found.db, { ...input, source: "customer_account", actor: "customer:account" });
  if (!outcome.ok) {
    if (outcome.quote) return json({ error: { code: "not_acceptable", message: outcome.detail ?? "This return cannot be made." }, quote: outcome.quote }, { status: 409, headers: CORS });
    return error(400, outcome.reason, outcome.detail ?? "A chosen line is not on this order.");
  }
  return json({ returnId: outcome.value.returnId, rmaNumber: outcome.value.rmaNumber, quote: outcome.value.quote }, { status: 201, headers: CORS });
};
