import { z } from "zod";
import { isDateInRange } from "../../core/shared/input-bounds";
import { orderStatusSchema } from "../../core/orders/order-status";
import { channelSchema } from "../../core/orders/unified-order";
import { MERCHANT_ORDER_ACTIONS } from "../../db/repositories/order-action-repository";
import { ISO_DAY_PATTERN } from "./search-params";

const isoDay = z
  .string()
  .regex(ISO_DAY_PATTERN, "use YYYY-MM-DD")
  // Round-tripped: JavaScript rolls 2026-02-31 over to March, PostgreSQL refuses it.
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && isDateInRange(date);
  }, "not a date between 1970-01-01 and 9999-12-31");

export const ORDER_LIST_ARRAY_PARAMS = ["channel", "status"] as const;

export const orderListParamsSchema = z
  .object({
    channel: z.array(channelSchema).default([]),
    status: z.array(orderStatusSchema).default([]),
    location: z.guid("unknown location").optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
    q: z.string().max(200).optional(),
    cursor: z.string().max(500).optional(),
    direction: z.enum(["after", "before"]).default("after"),
  })
  .refine((params) => !params.from || !params.to || params.from <= params.to, {
    error: "the start date is after the end date",
    path: ["from"],
  });
export type OrderListParams = z.infer<typeof orderListParamsSchema>;

export const orderBulkActionSchema = z.object({
  intent: z.enum(MERCHANT_ORDER_ACTIONS),
  orderIds: z.array(z.guid()).min(1, "select at least one order").max(250, "at most 250 orders at once"),
});

export const orderIdParamSchema = z.object({ id: z.guid("not an order id") });
