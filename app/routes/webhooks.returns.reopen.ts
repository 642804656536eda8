import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "../webhooks/shopify-webhook-ingress.server";

/** POST /webhooks/returns/reopen — verified, stored once and queued; mapped onto the RMA by the webhooks/process job. */
export const action = ({ request }: ActionFunctionArgs) => receiveShopifyWebhook(request, "returns/reopen");
