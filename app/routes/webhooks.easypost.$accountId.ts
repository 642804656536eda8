import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveEasyPostWebhook } from "../webhooks/easypost-webhook-ingress.server";

/** POST /webhooks/easypost/:accountId — EasyPost events, verified, stored once, processed by webhooks/process. */
export const action = ({ request, params }: ActionFunctionArgs) => receiveEasyPostWebhook(request, params.accountId);
