import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listInventory } from "../../db/queries/inventory-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { getDatabase } from "../db.server";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

const variantSearchSchema = z.object({ q: z.string().trim().max(200, "a search of at most 200 characters").optional() });

/** Up to 10 picks per search: enough to choose from, small enough for a dropdown. */
const PICKER_SIZE = 10;

/**
 * GET /app/variants/search?q= — the variant picker of the order page's unmatched lines: SKU,
 * title or barcode, answered by the inventory search (its trigram indexes), with what is
 * available so the merchant sees whether mapping will reserve at once.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { q } = parseOrThrow(variantSearchSchema, searchParamsToObject(new URL(request.url).searchParams), "variant search");
  const page = await listInventory(getDatabase(), shop.id, { ...(q ? { search: q } : {}), pageSize: PICKER_SIZE });
  return json({
    variants: page.rows.map((row) => ({
      id: row.variantId,
      sku: row.sku,
      title: row.productTitle === row.variantTitle ? row.productTitle : `${row.productTitle} — ${row.variantTitle}`,
      available: row.totals.available,
    })),
  });
};
