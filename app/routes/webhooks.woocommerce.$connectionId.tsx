import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWooCommerceWebhook } from "../webhooks/woocommerce-webhook-ingress.server";

/** POST /webhooks/woocommerce/:connectionId — verified, stored once and queued; processed by the webhooks/process job. */
export const action = ({ request, params }: ActionFunctionArgs) => receiveWooCommerceWebhook(request, params.connectionId ?? "");
