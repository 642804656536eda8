import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { listLocations } from "../../db/queries/integration-api-queries";
import { authenticateApiRequest } from "../api/integration-api.server";

/** GET /api/v1/locations — every location of the shop with capabilities and coordinates. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shopId } = await authenticateApiRequest(request);
  return json({ data: await listLocations(db, shopId) });
};
