import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { customerAccountOrders, customerOfShopifyOrder } from "../../db/queries/extension-harness-queries";
import { shopByDomain } from "../../db/queries/return-portal-queries";
import { DEMO_SHOP } from "../../db/seed/demo-catalogue";
import { demoModeEnabled } from "../config/demo-mode.server";
import { getDatabase } from "../db.server";
import {
  builtModule,
  harnessFrame,
  harnessPage,
  isHarnessTarget,
  signCustomerAccountToken,
  TARGETS,
  type HarnessTarget,
} from "../extension-harness/customer-account-harness.server";

/**
 * /demo/extensions/customer-account-returns: the customer-account returns extension in a local
 * harness (demo mode only; 404 otherwise). `/` is the customer's order page, `/frame` one
 * target's sandbox, `/modules/<file>.js` the built bundle, `/session-token` a token for the
 * customer who owns the order, signed with the demo app secret.
 */

const NO_STORE = { "Cache-Control": "no-store", "X-Robots-Tag": "noindex" };
const notFound = (message = "Not found") => new Response(message, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", ...NO_STORE } });
const ORDER_GID = /^gid:\/\/shopify\/Order\/\d{1,20}$/;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  if (!demoModeEnabled()) return notFound();
  const db = getDatabase();
  const shop = await shopByDomain(db, DEMO_SHOP.domain);
  if (!shop) return notFound("The demo shop is not seeded.");
  const url = new URL(request.url);
  const part = params["*"] ?? "";
  const order = url.searchParams.get("order") ?? "";

  if (part === "") {
    const orders = await customerAccountOrders(db, shop.id);
    const selected = orders.find((candidate) => candidate.orderGid === order) ?? (order ? null : (orders[0] ?? null));
    if (order && !selected) return notFound("No such order with a customer account in the demo shop.");
    const modules = Object.fromEntries(Object.keys(TARGETS).map((target) => [target, builtModule(target as HarnessTarget)])) as Parameters<typeof harnessPage>[0]["modules"];
    return html(harnessPage({ shopDomain: DEMO_SHOP.domain, orders, selected, modules, origin: url.origin }));
  }

  if (part === "frame") {
    const target = url.searchParams.get("target") ?? "";
    if (!isHarnessTarget(target) || !ORDER_GID.test(order)) return notFound();
    return html(harnessFrame({ target, orderGid: order }));
  }

  if (part === "session-token") {
    if (!ORDER_GID.test(order)) return notFound();
    const customerGid = await customerOfShopifyOrder(db, shop.id, order);
    if (!customerGid) return notFound("No such order with a customer account in the demo shop.");
    return json(signCustomerAccountToken({ shopDomain: DEMO_SHOP.domain, customerGid }), { headers: NO_STORE });
  }

  const moduleFile = /^modules\/([A-Za-z]+\.js)$/.exec(part)?.[1];
  const target = (Object.keys(TARGETS) as HarnessTarget[]).find((candidate) => TARGETS[candidate] === moduleFile);
  const built = target ? builtModule(target) : null;
  if (!built) return notFound();
  return new Response(built.code, { headers: { "Content-Type": "text/javascript; charset=utf-8", ...NO_STORE } });
};

function html(body: string): Response {
  return new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8", ...NO_STORE } });
}
