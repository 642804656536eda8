import type { Database } from "../../db/client";
import { addLineMapping, describeKey, mapUnmatchedLine, removeLineMapping, type MappingOutcome } from "../../db/repositories/line-mapping-repository";
import { addIdentityFormSchema, mapLineFormSchema, removeIdentityFormSchema } from "../params/line-mapping-params";

export type LineMappingActionOutcome = { ok: true; message: string } | { ok: false; reason: string };

/**
 * The order page's "Map and reserve": one validated form, one repository call. The message
 * says exactly what happened to this order and to every other order the mapping matched.
 */
export async function applyLineMappingAction(
  db: Database,
  input: { shopId: string; orderId: string; actor: string; form: Record<string, unknown> },
): Promise<{ status: number; outcome: LineMappingActionOutcome }> {
  const parsed = mapLineFormSchema.safeParse(input.form);
  if (!parsed.success) return { status: 400, outcome: { ok: false, reason: "invalid_line_mapping" } };
  const mapped = await mapUnmatchedLine(db, {
    shopId: input.shopId,
    orderId: input.orderId,
    lineId: parsed.data.lineId,
    variantId: parsed.data.variantId,
    actor: input.actor,
    alsoOtherOrders: parsed.data.alsoOtherOrders,
  });
  if (!mapped.ok) return { status: mapped.reason === "line_not_found" || mapped.reason === "variant_not_found" ? 404 : 409, outcome: { ok: false, reason: mapped.reason } };
  return { status: 200, outcome: { ok: true, message: describeMappingOutcome(mapped.value, input.orderId) } };
}

export function describeMappingOutcome(outcome: MappingOutcome, orderId?: string): string {
  const self = outcome.orders.find((order) => order.orderId === orderId);
  const others = outcome.orders.filter((order) => order.orderId !== orderId);
  const parts = [
    self
      ? `Mapped to ${outcome.sku}: reserved ${self.reserved} unit${self.reserved === 1 ? "" : "s"}${self.shortfall > 0 ? `, ${self.shortfall} still short` : ""}`
      : `Mapped to ${outcome.sku}`,
    others.length > 0 ? `also matched ${others.length} other order${others.length === 1 ? "" : "s"} (${others.map((o) => o.number).join(", ")})` : "",
    outcome.remembered ? `later orders with ${describeKey(outcome.remembered)} match it at once` : "this line carried no SKU or channel id, so nothing is remembered",
  ];
  return parts.filter(Boolean).join("; ");
}

/**
 * The inventory page's identities card: add a channel id or SKU alias to the variant (matching
 * the open orders already waiting on it) or remove one.
 */
export async function applyIdentityAction(
  db: Database,
  input: { shopId: string; variantId: string; actor: string; form: Record<string, unknown> },
): Promise<{ status: number; outcome: { ok: boolean; message: string } }> {
  if (input.form.intent === "remove_identity") {
    const parsed = removeIdentityFormSchema.safeParse(input.form);
    if (!parsed.success) return { status: 400, outcome: { ok: false, message: "That is not a mapping of this variant." } };
    const removed = await removeLineMapping(db, { shopId: input.shopId, variantId: input.variantId, mappingId: parsed.data.mappingId });
    return removed
      ? { status: 200, outcome: { ok: true, message: "Identity removed: later order lines carrying it are no longer matched to this variant." } }
      : { status: 404, outcome: { ok: false, message: "That mapping no longer exists." } };
  }
  const parsed = addIdentityFormSchema.safeParse(input.form);
  if (!parsed.success) {
    return { status: 400, outcome: { ok: false, message: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") } };
  }
  const key = { channel: parsed.data.channel, matchKey: `${parsed.data.kind}:${parsed.data.value}` };
  const added = await addLineMapping(db, { shopId: input.shopId, variantId: input.variantId, key, actor: input.actor });
  if (!added.ok) {
    return {
      status: added.reason === "variant_not_found" ? 404 : 409,
      outcome: { ok: false, message: added.reason === "identity_mapped_elsewhere" ? `${describeKey(key)} is ${added.detail}; remove it there first.` : added.reason },
    };
  }
  const matched = added.value.orders;
  const units = matched.reduce((sum, order) => sum + order.reserved, 0);
  return {
    status: 200,
    outcome: {
      ok: true,
      message: `${added.value.created ? "Added" : "Already mapped"}: ${describeKey(key)} on ${key.channel}. ${
        matched.length > 0
          ? `Matched ${matched.length} waiting order${matched.length === 1 ? "" : "s"} (${matched.map((o) => o.number).join(", ")}), reserved ${units} unit${units === 1 ? "" : "s"}.`
          : "No open order was waiting on it."
      }`,
    },
  };
}
