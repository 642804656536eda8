import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { inventoryBySku } from "../../db/queries/integration-api-queries";
import { authenticateApiRequest, parseQuery } from "../api/integration-api.server";

const querySchema = z.object({
  sku: z
    .string()
    .min(1, "give one SKU or several separated by commas")
    .transform((value) => [...new Set(value.split(",").map((s) => s.trim()).filter(Boolean))])
    .refine((skus) => skus.length > 0 && skus.length <= 100, "between 1 and 100 SKUs"),
});

/** GET /api/v1/inventory?sku=A,B — on hand, reserved, safety and available per location. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shopId } = await authenticateApiRequest(request);
  const { sku } = parseQuery(request, querySchema);
  return json({ data: await inventoryBySku(db, shopId, sku) });
};
