import { createHash } from "node:crypto";
import type { AdminGraphqlClient, ShopifyUserError } from "./admin-graphql-client.js";
import { INVENTORY_SET_QUANTITIES_MUTATION } from "./graphql-documents.js";

/**
 * Pushes Switchyard's available-to-sell figures into Shopify with `inventorySetQuantities`.
 *
 * - At most 250 quantities per call: Shopify's documented input limit for the mutation.
 * - `changeFromQuantity` carries the value Switchyard last pushed, so a concurrent change made
 *   in Shopify (a POS sale, a merchant edit) is detected instead of overwritten; `null` (allowed
 *   by the 2026-04 schema, but the field must be present) skips the check where Switchyard has
 *   never pushed the item.
 * - The 2026-04 idempotency key is derived from the batch's content, so a retried job sends the
 *   same key for the same batch and Shopify replays instead of applying twice (rule 5).
 * - Shopify applies a batch all-or-nothing: when some items are refused, the others were not
 *   applied either, so they are re-sent once without the refused ones.
 */

export const SHOPIFY_SET_QUANTITIES_MAX_BATCH = 250;

export interface AvailablePushItem {
  /** `gid://shopify/InventoryItem/...` */
  inventoryItemId: string;
  /** `gid://shopify/Location/...` */
  locationId: string;
  /** The available-to-sell Switchyard computed for this channel. */
  available: number;
  /** What Switchyard last pushed here; null where nothing was pushed yet (skips the CAS check). */
  lastPushed: number | null;
}

export type AvailablePushOutcome =
  | { status: "applied"; item: AvailablePushItem }
  /** Shopify holds a different quantity than `lastPushed`: re-read it, recompute, retry. */
  | { status: "stale"; item: AvailablePushItem; message: string }
  /** Refused for a reason a retry will not fix (unknown item, not stocked at the location...). */
  | { status: "rejected"; item: AvailablePushItem; code: string | null; message: string }
  /** Transport or throttling failure: nothing is known to be applied; safe to retry as-is. */
  | { status: "failed"; item: AvailablePushItem; reason: string; message: string };

export interface PushAvailableOptions {
  /**
   * The Switchyard cause recorded in Shopify's inventory history, e.g.
   * `gid://switchyard/StockSync/2026-11-27T12:00:00Z-42`.
   */
  referenceDocumentUri: string;
  /** Defaults to 250, the API maximum; smaller only for tests or cautious shops. */
  batchSize?: number;
}

export interface SetQuantitiesBatch {
  idempotencyKey: string;
  /** The items in input order; `input.quantities[i]` is built from `items[i]`. */
  items: AvailablePushItem[];
  input: {
    name: "available";
    reason: "correction";
    referenceDocumentUri: string;
    quantities: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null }[];
  };
}

interface SetQuantitiesData {
  inventorySetQuantities: { userErrors: ShopifyUserError[] } | null;
}

const STALE_CODES = new Set(["CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"]);

/** Splits items into the exact batches that will be sent, with their idempotency keys. */
export function buildSetQuantitiesBatches(
  items: readonly AvailablePushItem[],
  options: PushAvailableOptions,
): SetQuantitiesBatch[] {
  const size = Math.min(options.batchSize ?? SHOPIFY_SET_QUANTITIES_MAX_BATCH, SHOPIFY_SET_QUANTITIES_MAX_BATCH);
  if (size < 1) throw new RangeError("batchSize must be at least 1");
  const batches: SetQuantitiesBatch[] = [];
  for (let start = 0; start < items.length; start += size) {
    batches.push(toBatch(items.slice(start, start + size), options.referenceDocumentUri));
  }
  return batches;
}

function toBatch(items: readonly AvailablePushItem[], referenceDocumentUri: string): SetQuantitiesBatch {
  const input: SetQuantitiesBatch["input"] = {
    name: "available",
    reason: "correction",
    referenceDocumentUri,
    quantities: items.map((i) => ({
      inventoryItemId: i.inventoryItemId,
      locationId: i.locationId,
      quantity: i.available,
      changeFromQuantity: i.lastPushed,
    })),
  };
  return { idempotencyKey: idempotencyKeyFor(input), items: [...items], input };
}

/**
 * Same content, same key; any difference (a quantity, the expected value, the cause) gives a
 * new key, because Shopify rejects a reused key whose parameters differ.
 */
export function idempotencyKeyFor(input: SetQuantitiesBatch["input"]): string {
  const canonical = JSON.stringify([
    input.name,
    input.reason,
    input.referenceDocumentUri,
    input.quantities.map((q) => [q.inventoryItemId, q.locationId, q.quantity, q.changeFromQuantity]),
  ]);
  const hex = createHash("sha256").update(canonical).digest("hex");
  return `switchyard-inv-${hex.slice(0, 40)}`;
}

export async function pushAvailableQuantities(
  client: AdminGraphqlClient,
  items: readonly AvailablePushItem[],
  options: PushAvailableOptions,
): Promise<AvailablePushOutcome[]> {
  const outcomes: AvailablePushOutcome[] = [];
  for (const batch of buildSetQuantitiesBatches(items, options)) {
    outcomes.push(...(await sendBatch(client, batch, options.referenceDocumentUri, true)));
  }
  return outcomes;
}

async function sendBatch(
  client: AdminGraphqlClient,
  batch: SetQuantitiesBatch,
  referenceDocumentUri: string,
  retryRemainder: boolean,
): Promise<AvailablePushOutcome[]> {
  const batchItems = batch.items;
  const result = await client.request<SetQuantitiesData>(
    INVENTORY_SET_QUANTITIES_MUTATION,
    { input: batch.input, idempotencyKey: batch.idempotencyKey },
    { expectedCost: 10 },
  );
  if (!result.ok) {
    return batchItems.map((item) => ({ status: "failed", item, reason: result.reason, message: result.detail }));
  }
  const payload = result.data.inventorySetQuantities;
  if (!payload) {
    return batchItems.map((item) => ({ status: "failed", item, reason: "empty_payload", message: "inventorySetQuantities returned null" }));
  }
  if (payload.userErrors.length === 0) return batchItems.map((item) => ({ status: "applied", item }));

  const refused = new Map<number, AvailablePushOutcome>();
  const unattributed: ShopifyUserError[] = [];
  for (const error of payload.userErrors) {
    const index = quantityIndex(error.field);
    const item = index === undefined ? undefined : batchItems[index];
    if (index === undefined || !item) {
      unattributed.push(error);
      continue;
    }
    refused.set(
      index,
      STALE_CODES.has(error.code ?? "")
        ? { status: "stale", item, message: error.message }
        : { status: "rejected", item, code: error.code ?? null, message: error.message },
    );
  }

  if (unattributed.length > 0) {
    // An error about the whole input (reason, name, idempotency) refuses every item alike.
    const first = unattributed[0]!;
    return batchItems.map(
      (item, i) => refused.get(i) ?? { status: "rejected", item, code: first.code ?? null, message: first.message },
    );
  }

  const remainder = batchItems.filter((_, i) => !refused.has(i));
  const outcomes: AvailablePushOutcome[] = [...refused.values()];
  if (remainder.length === 0) return outcomes;
  if (!retryRemainder) {
    return [
      ...outcomes,
      ...remainder.map((item): AvailablePushOutcome => ({
        status: "failed",
        item,
        reason: "batch_refused",
        message: "not applied because other items in the batch were refused",
      })),
    ];
  }
  const retry = toBatch(remainder, referenceDocumentUri);
  return [...outcomes, ...(await sendBatch(client, retry, referenceDocumentUri, false))];
}

/** `["input", "quantities", "3", "changeFromQuantity"]` -> 3. */
function quantityIndex(field: string[] | null): number | undefined {
  if (!field) return undefined;
  const at = field.indexOf("quantities");
  const raw = at >= 0 ? field[at + 1] : undefined;
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
