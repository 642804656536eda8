import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getOrder } from "../../db/queries/integration-api-queries";
import { apiError, authenticateApiRequest } from "../api/integration-api.server";

/** GET /api/v1/orders/:id — one order with lines, reservations and shipments. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { db, shopId } = await authenticateApiRequest(request);
  const id = z.guid().safeParse(params.id);
  // Another shop's order is indistinguishable from a missing one: no existence leak.
  if (!id.success) return apiError(404, "not_found", "No such order");
  const order = await getOrder(db, shopId, id.data);
  if (!order) return apiError(404, "not_found", "No such order");
  return json({ data: order });
};
