import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/shopify-webhook-ingress.server";

/** POST /webhooks/orders/edited — verified, stored once and queued; processed by the webhooks/process job. */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "orders/edited");
