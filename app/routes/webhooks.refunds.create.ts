import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/shopify-webhook-ingress.server";

/** POST /webhooks/refunds/create — verified, stored once as received; processed by the worker's intake loop (jobs/intake). */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "refunds/create");
