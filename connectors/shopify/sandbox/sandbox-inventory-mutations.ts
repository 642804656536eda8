import { GraphQLError, valueFromASTUntyped, type GraphQLResolveInfo } from "graphql";
import { findLevel, takeId, type SandboxInventoryLevel } from "./sandbox-state.js";
import { inventoryItemView, locationView, quantityOf } from "./sandbox-catalogue-views.js";
import { iso, type Args, type SandboxContext } from "./sandbox-view-helpers.js";

/** inventorySetQuantities: all-or-nothing, with compare quantities and a mandatory idempotency key. */

const SET_QUANTITY_REASONS = new Set([
  "correction", "cycle_count_available", "damaged", "movement_created", "movement_updated", "movement_received",
  "movement_canceled", "other", "promotion", "quality_control", "received", "reservation_created",
  "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
]);

interface UserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

/** Reads `@idempotent(key:)` from the field the resolver is answering. */
export function idempotencyKeyOf(info: Pick<GraphQLResolveInfo, "fieldNodes" | "variableValues">): string | undefined {
  const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === "idempotent");
  const arg = directive?.arguments?.find((a) => a.name.value === "key");
  if (!arg) return undefined;
  const value = valueFromASTUntyped(arg.value, info.variableValues);
  return typeof value === "string" ? value : undefined;
}

export function inventorySetQuantities(args: Args, ctx: SandboxContext, info: GraphQLResolveInfo) {
  const { state } = ctx;
  const input = args.input as {
    name: string;
    reason: string;
    referenceDocumentUri?: string | null;
    quantities: ({ inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity?: number | null })[];
  };
  const key = idempotencyKeyOf(info);
  // The server refuses a missing key before execution; this guards direct calls.
  if (!key || key.trim() === "") {
    throw new GraphQLError("The @idempotent directive is required for this mutation.", { extensions: { code: "BAD_REQUEST" } });
  }
  const fingerprint = JSON.stringify(input);
  const previous = state.idempotency.get(key);
  if (previous) {
    if (previous.fingerprint === fingerprint) return previous.response;
    return {
      inventoryAdjustmentGroup: null,
      userErrors: [{ field: null, message: "The idempotency key was already used with different parameters.", code: "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" }],
    };
  }

  const errors: UserError[] = [];
  if (input.name !== "available" && input.name !== "on_hand") {
    errors.push({ field: ["input", "name"], message: "The quantity name must be either 'available' or 'on_hand'.", code: "INVALID_NAME" });
  }
  if (!SET_QUANTITY_REASONS.has(input.reason)) {
    errors.push({ field: ["input", "reason"], message: "The specified reason is invalid.", code: "INVALID_REASON" });
  }
  if (input.referenceDocumentUri != null && !/^[a-z][a-z0-9+.-]*:\/\/?\S+$/i.test(input.referenceDocumentUri)) {
    errors.push({ field: ["input", "referenceDocumentUri"], message: "The reference document URI is invalid.", code: "INVALID_REFERENCE_DOCUMENT" });
  }
  if (input.quantities.length > 250) {
    errors.push({ field: ["input", "quantities"], message: "The maximum number of quantities is 250.", code: "INVALID_QUANTITY_TOO_HIGH" });
  }
  const seen = new Set<string>();
  const planned: { level: SandboxInventoryLevel; quantity: number }[] = [];
  input.quantities.forEach((q, i) => {
    const at = (field: string) => ["input", "quantities", String(i), field];
    const item = state.inventoryItems.find((x) => x.id === q.inventoryItemId);
    const location = state.locations.find((x) => x.id === q.locationId);
    if (!item) return errors.push({ field: at("inventoryItemId"), message: "The specified inventory item could not be found.", code: "INVALID_INVENTORY_ITEM" });
    if (!location) return errors.push({ field: at("locationId"), message: "The specified location could not be found.", code: "INVALID_LOCATION" });
    const pair = `${item.id}|${location.id}`;
    if (seen.has(pair)) {
      return errors.push({ field: at("inventoryItemId"), message: "The combination of inventoryItemId and locationId must be unique.", code: "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR" });
    }
    seen.add(pair);
    const level = findLevel(state, item.id, location.id);
    if (!level) return errors.push({ field: at("locationId"), message: "The item is not stocked at the location.", code: "ITEM_NOT_STOCKED_AT_LOCATION" });
    if (!("changeFromQuantity" in q)) {
      return errors.push({ field: at("changeFromQuantity"), message: "changeFromQuantity is required; pass null to skip the compare check.", code: "COMPARE_QUANTITY_REQUIRED" });
    }
    if (q.quantity > 1_000_000_000) return errors.push({ field: at("quantity"), message: "The quantity is too high.", code: "INVALID_QUANTITY_TOO_HIGH" });
    if (q.quantity < -1_000_000_000) return errors.push({ field: at("quantity"), message: "The quantity is too low.", code: "INVALID_QUANTITY_TOO_LOW" });
    const current = quantityOf(level, input.name);
    if (q.changeFromQuantity !== null && q.changeFromQuantity !== undefined && q.changeFromQuantity !== current) {
      return errors.push({
        field: at("changeFromQuantity"),
        message: `The specified compare quantity does not match the current quantity (${current}).`,
        code: "CHANGE_FROM_QUANTITY_STALE",
      });
    }
    planned.push({ level, quantity: q.quantity });
    return undefined;
  });

  let response: unknown;
  if (errors.length > 0) {
    // All or nothing, like Shopify: one refused quantity leaves every level untouched.
    response = { inventoryAdjustmentGroup: null, userErrors: errors };
  } else {
    const at = iso(ctx);
    const changes: { name: string; delta: number; quantityAfterChange: number; level: SandboxInventoryLevel }[] = [];
    const recorded: { inventoryItemId: string; locationId: string; delta: number }[] = [];
    for (const { level, quantity } of planned) {
      const before = quantityOf(level, input.name);
      const delta = quantity - before;
      recorded.push({ inventoryItemId: level.inventoryItemId, locationId: level.locationId, delta });
      // Setting on_hand moves available by the same amount (committed is unchanged).
      level.available += delta;
      level.updatedAt = at;
      changes.push({ name: input.name, delta, quantityAfterChange: quantity, level });
      if (input.name === "available") changes.push({ name: "on_hand", delta, quantityAfterChange: quantityOf(level, "on_hand"), level });
    }
    const groupId = `gid://shopify/InventoryAdjustmentGroup/${takeId(state)}`;
    state.inventoryAdjustments.push({
      id: groupId,
      reason: input.reason,
      referenceDocumentUri: input.referenceDocumentUri ?? null,
      changes: recorded,
    });
    response = {
      inventoryAdjustmentGroup: {
        __typename: "InventoryAdjustmentGroup",
        id: groupId,
        createdAt: at,
        reason: input.reason,
        referenceDocumentUri: input.referenceDocumentUri ?? null,
        app: null,
        changes: changes.map((c) => ({
          name: c.name,
          delta: c.delta,
          quantityAfterChange: c.quantityAfterChange,
          ledgerDocumentUri: null,
          item: inventoryItemView(state.inventoryItems.find((i) => i.id === c.level.inventoryItemId)!, ctx),
          location: locationView(state.locations.find((l) => l.id === c.level.locationId)!, ctx),
        })),
      },
      userErrors: [],
    };
  }
  state.idempotency.set(key, { fingerprint, response });
  return response;
}
