import { json, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { demoControls } from "../config/demo-controls.server";
import { requireAdminContext } from "../auth/admin-context.server";

const formSchema = z.object({
  count: z.coerce.number().int().min(1).max(50),
  channel: z.enum(["shopify", "woocommerce", "ebay"]).default("shopify"),
});

/**
 * POST /app/demo/simulate-orders — demo only: the Shopify sandbox places orders and delivers
 * them to this app as signed orders/create webhooks, the same path a real shop's orders take.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { demo } = await requireAdminContext(request);
  if (!demo) return json({ ok: false as const, error: "Simulated orders exist only in demo mode." }, { status: 403 });
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ ok: false as const, error: "Choose between 1 and 50 orders." }, { status: 400 });
  const controls = demoControls();
  if (!controls) {
    return json({ ok: false as const, error: "The Shopify sandbox is not running in this process (start the demo with npm start)." }, { status: 503 });
  }
  const { channel, count } = parsed.data;
  if (channel !== "shopify" && !controls.simulateMarketplaceOrders) {
    return json({ ok: false as const, error: "The eBay and WooCommerce sandboxes are not running in this process." }, { status: 503 });
  }
  const sent = channel === "shopify" ? await controls.simulateShopifyOrders(count) : await controls.simulateMarketplaceOrders!(channel, count);
  return json({ ok: true as const, requested: parsed.data.count, sent });
};
