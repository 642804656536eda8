import { z } from "zod";
import { channelSchema } from "../../core/orders/unified-order";

/** A checkbox: present ("on") when ticked, absent otherwise; "true"/"false" from scripted posts. */
const checkbox = z
  .enum(["on", "true", "false"])
  .optional()
  .transform((value) => value === "on" || value === "true");

/** Order page: map one unmatched line to a variant (and, when ticked, the other orders waiting on it). */
export const mapLineFormSchema = z.object({
  intent: z.literal("map_line"),
  lineId: z.guid("not a line of this order"),
  variantId: z.guid("choose a variant"),
  alsoOtherOrders: checkbox,
});
export type MapLineForm = z.infer<typeof mapLineFormSchema>;

/** Inventory page: remember a channel's identity or a SKU alias for this variant. */
export const addIdentityFormSchema = z.object({
  intent: z.literal("add_identity"),
  channel: channelSchema,
  kind: z.enum(["ref", "sku"]),
  value: z.string().trim().min(1, "enter the channel's id or the SKU").max(255, "at most 255 characters"),
});

export const removeIdentityFormSchema = z.object({
  intent: z.literal("remove_identity"),
  mappingId: z.guid("not a mapping of this variant"),
});
