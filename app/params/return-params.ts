import { z } from "zod";
import { RETURN_GRADES } from "../../core/returns/disposition-policy";
import { RETURN_REASONS, RETURN_RESOLUTIONS } from "../../core/returns/return-rules";
import { RMA_STATUSES } from "../../core/returns/rma-state-machine";

export const returnIdParamSchema = z.object({ id: z.guid() });

export const returnListParamsSchema = z.object({
  status: z.enum(RMA_STATUSES).optional(),
  view: z.enum(["open", "finished"]).optional(),
  after: z.string().max(500).optional(),
  /** The order's channel: shopify, amazon, ebay, woocommerce. */
  channel: z.enum(["shopify", "amazon", "ebay", "woocommerce"]).optional(),
});

const noteSchema = z.string().trim().max(1000).optional();

/** One form per step on the return page; `intent` names the step. */
export const returnActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(["approve", "mark_in_transit", "receive", "close", "cancel"]), note: noteSchema }),
  z.object({ intent: z.literal("buy_label") }),
  z.object({ intent: z.literal("decline"), note: z.string().trim().min(1, "Say why the return is declined").max(1000) }),
  z.object({ intent: z.enum(["refund", "credit", "exchange"]), reference: z.string().trim().max(255).optional(), note: noteSchema }),
  z.object({
    intent: z.literal("issue_label"),
    carrier: z.string().trim().min(1, "Carrier is required").max(100),
    trackingNumber: z.string().trim().min(4, "Tracking number is required").max(100).regex(/^[A-Za-z0-9-]+$/, "Letters, digits and dashes only"),
    // z.url() trims before it checks, as the .trim() ahead of zod 3's .url() did.
    labelUrl: z.url().max(2000).optional().or(z.literal("").transform(() => undefined)),
  }),
  z.object({
    intent: z.literal("inspect"),
    grades: z
      .string()
      .max(20_000)
      .transform((raw, ctx) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "grades must be JSON" });
          return z.NEVER;
        }
      })
      .pipe(z.array(z.object({ returnLineId: z.guid(), grade: z.enum(RETURN_GRADES), notes: z.string().max(1000).optional() })).min(1).max(1000)),
  }),
]);
export type ReturnActionInput = z.infer<typeof returnActionSchema>;

/** A return request from the portal, the customer-account extension or the admin. */
export const returnRequestBodySchema = z.object({
  resolution: z.enum(RETURN_RESOLUTIONS),
  lines: z
    .array(
      z.object({
        orderLineId: z.guid(),
        quantity: z.number().int().min(1).max(10_000),
        reason: z.enum(RETURN_REASONS),
        note: z.string().trim().max(1000).optional(),
        exchangeVariantId: z.guid().optional(),
      }),
    )
    .min(1)
    .max(250)
    .refine((lines) => new Set(lines.map((l) => l.orderLineId)).size === lines.length, "each line once"),
});
export type ReturnRequestBody = z.infer<typeof returnRequestBodySchema>;
