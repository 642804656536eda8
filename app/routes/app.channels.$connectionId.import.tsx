import { json, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requestShopifyImport } from "../../db/repositories/shopify-import-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { getDatabase } from "../db.server";
import { parseOrThrow } from "../params/search-params";

/**
 * POST /app/channels/:connectionId/import — queues an import from Shopify (resource route,
 * called by the Channels page's import card). Asking again while one is queued or running
 * answers with that run instead of starting a second.
 */
const paramsSchema = z.object({ connectionId: z.guid("not a connection id") });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return json({ message: "Use POST to start an import." }, { status: 405 });
  const { shop } = await requireAdminContext(request);
  const { connectionId } = parseOrThrow(paramsSchema, params, "connection id");
  const result = await requestShopifyImport(getDatabase(), shop.id, connectionId);
  if (!result.ok) {
    return result.reason === "connection_not_found"
      ? json({ message: "This channel connection does not exist in this shop." }, { status: 404 })
      : json({ message: "Only a Shopify connection can import from Shopify." }, { status: 422 });
  }
  return json(result.value, { status: result.value.alreadyRequested ? 200 : 202 });
};
