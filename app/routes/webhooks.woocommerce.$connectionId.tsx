import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWooCommerceWebhook } from "../webhooks/woocommerce-webhook-ingress.server";

/** POST /webhooks/woocommerce/:connectionId — verified, stored once as received; processed by the worker's intake loop (jobs/intake). */
export const action = ({ request, params }: ActionFunctionArgs) => receiveWooCommerceWebhook(request, params.connectionId ?? "");
