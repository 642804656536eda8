import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveEasyPostWebhook } from "../webhooks/easypost-webhook-ingress.server";

/** POST /webhooks/easypost/:accountId — EasyPost events, verified, stored once, processed by the worker's intake loop (jobs/intake). */
export const action = ({ request, params }: ActionFunctionArgs) => receiveEasyPostWebhook(request, params.accountId);
