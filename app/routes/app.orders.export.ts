import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdminContext } from "../auth/admin-context.server";
import { getDatabase } from "../db.server";
import { EXPORT_TOTAL_HEADER, streamOrdersCsv } from "../exports/order-csv-export.server";
import { ORDER_LIST_ARRAY_PARAMS, orderListParamsSchema } from "../params/order-params";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

/**
 * GET /app/orders/export — every order matching the Orders page's filters as CSV, streamed
 * (resource route). The merchant asked for the history, so this is the one admin request whose
 * cost follows it; X-Export-Total lets the page show progress while the file downloads.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const params = parseOrThrow(
    orderListParamsSchema,
    searchParamsToObject(new URL(request.url).searchParams, ORDER_LIST_ARRAY_PARAMS),
    "export filters",
  );
  const { total, body } = await streamOrdersCsv(getDatabase(), shop.id, {
    channels: params.channel,
    statuses: params.status,
    locationId: params.location,
    placedFrom: params.from,
    placedTo: params.to,
    search: params.q,
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="orders-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
      [EXPORT_TOTAL_HEADER]: String(total),
    },
  });
};
