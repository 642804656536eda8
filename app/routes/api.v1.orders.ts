import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { CHANNELS } from "../../core/orders/unified-order";
import { isDateInRange } from "../../core/shared/input-bounds";
import { ORDER_STATUSES } from "../../core/orders/order-status";
import { decodeCursor, listOrders } from "../../db/queries/integration-api-queries";
import { apiError, authenticateApiRequest, parseQuery } from "../api/integration-api.server";

/** A four-digit-year date, optionally with a time and zone: what ISO 8601 clients send. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const querySchema = z.object({
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  updated_since: z
    .string()
    .max(64, "must be an ISO 8601 date-time")
    .refine((value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z")
    .transform((value) => new Date(value))
    .refine(isDateInRange, "must be between 1970-01-01 and 9999-12-31")
    .optional(),
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().max(500).optional(),
});

/** GET /api/v1/orders — the shop's orders in (updated_at, id) order, cursor-paginated. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db, shopId } = await authenticateApiRequest(request);
  const query = parseQuery(request, querySchema);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) return apiError(400, "invalid_cursor", "The cursor is not one this API returned");
  const page = await listOrders(db, shopId, {
    channel: query.channel,
    status: query.status,
    updatedSince: query.updated_since,
    limit: query.limit,
    after,
  });
  return json({ data: page.orders, next_cursor: page.nextCursor });
};
