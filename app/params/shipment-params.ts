import { z } from "zod";

/** The order page's shipping buttons: plan and buy labels for the order, or act on one shipment. */
export const SHIPMENT_INTENTS = ["retry_label", "void_label", "mark_shipped"] as const;

export const shippingActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("buy_labels") }),
  z.object({ intent: z.enum(SHIPMENT_INTENTS), shipmentId: z.guid("not a shipment id") }),
]);
export type ShippingAction = z.infer<typeof shippingActionSchema>;

export const SHIPPING_INTENTS: readonly string[] = ["buy_labels", ...SHIPMENT_INTENTS];
