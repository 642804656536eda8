import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { z } from "zod";
import { customerOrderReturnView, findOrderForGuest, shopByDomain } from "../../db/queries/return-portal-queries";
import { quoteReturn, requestReturn } from "../../db/repositories/return-request-repository";
import { verifyAppProxyRequest } from "../auth/storefront-auth.server";
import { getDatabase } from "../db.server";
import { returnRequestBodySchema, type ReturnRequestBody } from "../params/return-params";
import { ChooseItemsPage, ConfirmPage, LookupPage, RefusedPage, StatusPage } from "../portal/portal-pages";
import { allowLookup, clientAddressOf } from "../portal/portal-rate-limits.server";
import { issuePortalTicket, readPortalTicket } from "../portal/portal-ticket.server";

/**
 * The storefront returns portal behind Shopify's app proxy (`[app_proxy]` in shopify.app.toml:
 * /apps/returns). Every request must carry the proxy's signature; the guest then proves the
 * order with its number and email once, and a signed ticket carries that proof to the next steps.
 */

const NOT_FOUND = "We could not find an order with that number and email. Check both and try again.";

function page(element: ReactElement, status = 200): Response {
  return new Response(`<!DOCTYPE html>${renderToStaticMarkup(element)}`, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "X-Robots-Tag": "noindex" },
  });
}

const unauthorized = () => new Response("This page must be opened through the store.", { status: 401, headers: { "Content-Type": "text/plain" } });

async function proxiedShop(request: Request) {
  const identity = await verifyAppProxyRequest(request);
  if (!identity) return null;
  const shop = await shopByDomain(getDatabase(), identity.shopDomain);
  return shop ? { ...shop, action: identity.pathPrefix } : null;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shop = await proxiedShop(request);
  if (!shop) return unauthorized();
  return page(<LookupPage shopName={shop.name} action={shop.action} />);
};

const lookupSchema = z.object({
  orderNumber: z.string().trim().min(1).max(64),
  email: z.string().trim().pipe(z.email().max(320)),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const shop = await proxiedShop(request);
  if (!shop) return unauthorized();
  const db = getDatabase();
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const common = { shopName: shop.name, action: shop.action };

  if (intent === "lookup") {
    const parsed = lookupSchema.safeParse({ orderNumber: form.get("orderNumber"), email: form.get("email") });
    if (!parsed.success) return page(<LookupPage {...common} message="Enter an order number and a valid email." />, 400);
    if (!(await allowLookup(clientAddressOf(request), shop.id, parsed.data.orderNumber))) {
      return page(<LookupPage {...common} message="Too many attempts. Try again in a few minutes." />, 429);
    }
    const orderId = await findOrderForGuest(db, shop.id, parsed.data.orderNumber, parsed.data.email);
    const view = orderId ? await customerOrderReturnView(db, shop.id, orderId) : null;
    // A wrong email and a missing order get the same answer: the portal never confirms an order exists.
    if (!orderId || !view) return page(<LookupPage {...common} message={NOT_FOUND} />, 200);
    return page(<ChooseItemsPage {...common} ticket={issuePortalTicket(shop.id, orderId)} view={view} />);
  }

  const ticketText = String(form.get("ticket") ?? "");
  const ticket = readPortalTicket(ticketText);
  if (!ticket || ticket.shopId !== shop.id) return page(<LookupPage {...common} message="Your session ended. Look your order up again." />, 401);
  const view = await customerOrderReturnView(db, shop.id, ticket.orderId);
  if (!view) return page(<LookupPage {...common} message={NOT_FOUND} />, 200);
  const withTicket = { ...common, ticket: ticketText, view };

  if (intent === "view") return page(<ChooseItemsPage {...withTicket} />);

  if (intent === "quote") {
    const body = requestFromForm(form, view.lines.map((line) => line.id));
    if (!body.success) return page(<ChooseItemsPage {...withTicket} message="Choose at least one item, and for an exchange the item you want instead." />, 400);
    const quote = await quoteReturn(db, { shopId: shop.id, orderId: view.orderId, ...body.data });
    if (!quote.ok) return page(<ChooseItemsPage {...withTicket} message="Those items are not on this order." />, 400);
    if (!quote.value.acceptable) return page(<RefusedPage {...withTicket} quote={quote.value} />, 200);
    return page(<ConfirmPage {...withTicket} quote={quote.value} request={JSON.stringify(body.data)} />);
  }

  if (intent === "submit") {
    const body = parseJson(String(form.get("request") ?? ""));
    const parsed = returnRequestBodySchema.safeParse(body);
    if (!parsed.success) return page(<ChooseItemsPage {...withTicket} message="Something was off with that request; choose again." />, 400);
    const outcome = await requestReturn(db, { shopId: shop.id, orderId: view.orderId, source: "portal", actor: "customer:portal", ...parsed.data });
    if (!outcome.ok) {
      if (outcome.quote) return page(<RefusedPage {...withTicket} quote={outcome.quote} />, 409);
      return page(<ChooseItemsPage {...withTicket} message="Those items are not on this order." />, 400);
    }
    const refreshed = (await customerOrderReturnView(db, shop.id, view.orderId)) ?? view;
    return page(<StatusPage {...withTicket} view={refreshed} rmaNumber={outcome.value.rmaNumber} />);
  }
  return page(<ChooseItemsPage {...withTicket} />, 400);
};

/** The choose-items form names fields per line: qty:<id>, reason:<id>, exchange:<id>. */
function requestFromForm(form: FormData, lineIds: readonly string[]) {
  const resolution = String(form.get("resolution") ?? "refund");
  const lines = lineIds
    .map((id) => ({
      orderLineId: id,
      quantity: Number(form.get(`qty:${id}`) ?? 0),
      reason: String(form.get(`reason:${id}`) ?? "other"),
      exchangeVariantId: resolution === "exchange" ? String(form.get(`exchange:${id}`) ?? "") || undefined : undefined,
    }))
    .filter((line) => Number.isFinite(line.quantity) && line.quantity > 0);
  const parsed = returnRequestBodySchema.safeParse({ resolution, lines });
  if (parsed.success && parsed.data.resolution === "exchange" && parsed.data.lines.some((l) => !l.exchangeVariantId)) {
    return { success: false as const };
  }
  return parsed as z.ZodSafeParseResult<ReturnRequestBody>;
}

function parseJson(text: string): unknown {
  if (text.length > 50_000) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
