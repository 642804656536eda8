import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { createOrders, heldOrderVersions, type IngestInput } from "../../db/repositories/order-ingest-repository";
import { holdClaimLevels, lockOrdersAndLevels, orderKey, type ClaimLocks } from "../../db/repositories/order-lock-repository";
import { raiseExceptions } from "../../db/repositories/order-timeline-repository";
import type { ShopRecord } from "../../db/repositories/shop-repository";
import { finishDeliveries, lockDelivery, type DeliveryRow, type FinishedDelivery } from "../../db/repositories/webhook-inbox-repository";
import { shops } from "../../db/schema";
import { storableParsed, storableText } from "../../db/storable-json";
import { bodyTextOf, legacyPayload } from "./delivery-body";
import type { TaskContext } from "../task-context";
import { deliveryRoute, type DeliveryRoute } from "../webhook-handlers/delivery-routes";
import { failed, ignoredStale, processed, type HandlerOutcome } from "../webhook-handlers/shopify/webhook-handler";

export type DeliveryOutcome = HandlerOutcome & { rowId: number };

type Prepared =
  | { kind: "done"; row: DeliveryRow; outcome: HandlerOutcome; resourceId?: string | null }
  | { kind: "ready"; row: DeliveryRow; delivery: DeliveryRow; route: DeliveryRoute; shop: ShopRecord };

/**
 * Processes deliveries locked in the caller's transaction, in arrival order: each is parsed from
 * its raw bytes and routed by (channel, topic) (delivery-routes.ts). Consecutive deliveries that
 * carry new orders are created together, set-based (createOrders: one lock of the levels, the
 * core deciding in placement order); every other delivery runs its topic's handler one at a
 * time, after the orders that arrived before it. The statuses of all of them are written in one
 * statement at the end, in the same transaction as their effects.
 */
export async function processClaimedDeliveries(tx: Tx, context: TaskContext, rows: readonly DeliveryRow[], shop: ShopRecord | undefined): Promise<DeliveryOutcome[]> {
  const finished: (FinishedDelivery & HandlerOutcome)[] = [];
  const record = (row: DeliveryRow, outcome: HandlerOutcome, resourceId?: string | null) =>
    finished.push({ ...outcome, rowId: row.id, ...(resourceId !== undefined ? { resourceId } : {}) });
  let orderRun: Extract<Prepared, { kind: "ready" }>[] = [];
  const flushOrders = async () => {
    if (orderRun.length === 0) return;
    const run = orderRun;
    orderRun = [];
    for (const [prepared, outcome] of await processNewOrders(tx, context, run, claim)) record(prepared.row, outcome, prepared.delivery.resourceId);
  };

  const ready: Prepared[] = [];
  for (const row of rows) ready.push(await prepare(tx, row, shop));
  // Every order and level the claim can write, locked before any write (docs/adr/0003).
  // A claim of whole orders only leaves the levels to createOrders, which writes the new orders first.
  const deferLevels = ready.every((p) => p.kind === "done" || p.route.orderMapper !== undefined);
  const scopes = ready.flatMap((p) => (p.kind === "ready" ? (p.route.lockScope?.(p.delivery.payload) ?? []) : []));
  const claim = shop ? await lockOrdersAndLevels(tx, shop.id, scopes, { deferLevels }) : undefined;
  for (const prepared of ready) {
    const row = prepared.row;
    if (prepared.kind === "done") {
      record(row, prepared.outcome, prepared.resourceId);
    } else if (prepared.route.orderMapper) {
      orderRun.push(prepared);
    } else {
      await flushOrders();
      record(row, await prepared.route.handler({ tx, delivery: prepared.delivery, shop: prepared.shop, policies: context.policies }), prepared.delivery.resourceId);
    }
  }
  await flushOrders();
  await finishDeliveries(tx, finished);
  return finished.map(({ resourceId: _resourceId, ...outcome }) => outcome);
}

/** Parse, route and the shop's checks: what stops a delivery before any handler runs. */
async function prepare(tx: Tx, row: DeliveryRow, shop: ShopRecord | undefined): Promise<Prepared> {
  const done = (outcome: HandlerOutcome, resourceId?: string | null): Prepared => ({ kind: "done", row, outcome, ...(resourceId !== undefined ? { resourceId } : {}) });
  const route = deliveryRoute(row.channel, row.topic);
  if (!route) return done(failed(`no handler for ${row.channel} topic ${row.topic}`));
  if (!shop || shop.id !== row.shopId) return done(failed("the delivery's shop is not installed"));

  let payload: unknown;
  try {
    const text = bodyTextOf(row);
    payload = text !== undefined ? storableParsed(text, route.parse(text)) : legacyPayload(row.payload);
  } catch (error) {
    // Kept, never dropped: the raw bytes stay on the row, and the exception can be retried once
    // the parser is fixed (exception-repository requeues the delivery).
    // The parser quotes the body in its message: made storable like the body's own strings.
    const reason = storableText(`body is not valid JSON: ${(error as Error).message}`);
    await raiseExceptions(tx, shop.id, [{ kind: "invalid_payload", message: `${row.channel} ${row.topic} could not be read: ${reason}`, details: { deliveryRowId: row.id, topic: row.topic, reason } }], {
      deliveryRowId: row.id,
    });
    return done(failed(reason));
  }
  const resourceId = row.resourceId ?? route.resourceId?.(payload) ?? null;
  // Ignored, not failed: nothing is wrong with the delivery, the merchant switched sync off
  // (uninstall). Marked ignored_stale because the inbox has no other "ignored" status.
  if (!shop.syncEnabled && !route.runsWithSyncDisabled) return done(ignoredStale(`sync is disabled for ${shop.domain}`), resourceId);
  return { kind: "ready", row, route, shop, delivery: { ...row, payload, resourceId } };
}

/**
 * A run of deliveries carrying whole orders: the new ones are created in one createOrders call;
 * the others (an order already held, a repeat within the run, a payload its mapper refuses) go to
 * their topic's handler one by one afterwards, which updates, ignores as stale, or raises the
 * exception, exactly as it would for a single delivery.
 */
async function processNewOrders(
  tx: Tx,
  context: TaskContext,
  run: readonly Extract<Prepared, { kind: "ready" }>[],
  claim: ClaimLocks | undefined,
): Promise<[Extract<Prepared, { kind: "ready" }>, HandlerOutcome][]> {
  const shop = run[0]!.shop;
  const inputs: { at: number; input: IngestInput }[] = [];
  run.forEach((prepared, at) => {
    const mapped = prepared.route.orderMapper!(prepared.delivery.payload);
    if (mapped.ok) {
      inputs.push({ at, input: { shopId: shop.id, order: mapped.value, actor: `${prepared.row.channel}:${prepared.row.topic}`, sourceDeliveryId: prepared.row.id } });
    }
  });
  const created = await createOrders(tx, shop.id, inputs.map((entry) => entry.input), context.policies, claim);
  // The orders left to their handlers (already held, repeated, refused) may touch stock too.
  if (claim) await holdClaimLevels(tx, claim);
  const createdAt = new Map(inputs.flatMap((entry, i) => (created[i] ? [[entry.at, { result: created[i]!, number: entry.input.order.number }] as const] : [])));
  const unchangedAt = await repeatsAtHeldVersion(tx, shop.id, inputs.filter((_, i) => !created[i]));

  const outcomes: [Extract<Prepared, { kind: "ready" }>, HandlerOutcome][] = [];
  for (const [at, prepared] of run.entries()) {
    const made = createdAt.get(at);
    const unchanged = unchangedAt.get(at);
    outcomes.push([
      prepared,
      made
        ? processed(`order ${made.number} created: ${made.result.status}`)
        : unchanged !== undefined
          ? ignoredStale(`order ${unchanged} is already at this or a newer version`)
          : await prepared.route.handler({ tx, delivery: prepared.delivery, shop, policies: context.policies }),
    ]);
  }
  return outcomes;
}

/**
 * The run's orders that were not created because the shop already holds them at this or a newer
 * version (Shopify's redeliveries under a new event id, one order in two deliveries), by their
 * place in the run, with their number. Their handlers would each find that out and change nothing,
 * after four round trips apiece inside the section that holds the shop's levels; one look answers
 * for all of them. The held version only ever moves forward, so what this read sees cannot turn
 * such a delivery into a change. The others (newer versions, edits) still go to their handler.
 */
async function repeatsAtHeldVersion(tx: Tx, shopId: string, repeats: readonly { at: number; input: IngestInput }[]): Promise<Map<number, string>> {
  const versions = await heldOrderVersions(tx, shopId, repeats.map((entry) => entry.input.order));
  return new Map(
    repeats.flatMap(({ at, input: { order } }) => {
      const held = versions.get(orderKey(order));
      return held !== undefined && order.sourceUpdatedAt.getTime() <= held.getTime() ? [[at, order.number] as const] : [];
    }),
  );
}

export async function loadShop(tx: Tx, shopId: string | null): Promise<ShopRecord | undefined> {
  if (!shopId) return undefined;
  const [shop] = await tx
    .select({ id: shops.id, domain: shops.domain, name: shops.name, currency: shops.currency, isDemo: shops.isDemo, syncEnabled: shops.syncEnabled })
    .from(shops)
    .where(eq(shops.id, shopId));
  return shop;
}

export type ProcessDeliveryOutcome =
  | (HandlerOutcome & { delivery: "handled" })
  /** Nothing to do: the row is gone, or it was already finished (a retried or duplicate call). */
  | { delivery: "missing" | "already_finished"; status?: string };

/**
 * Processes one stored delivery in its own transaction (the intake loop's fallback when a batch
 * throws, and the tests' way to process what they posted). A delivery that is no longer
 * `received` is left alone, so nothing is done twice.
 */
export async function processDeliveryById(context: TaskContext, rowId: number): Promise<ProcessDeliveryOutcome> {
  return context.db.transaction(async (tx) => {
    const row = await lockDelivery(tx, rowId);
    if (!row) return { delivery: "missing" } as const;
    if (row.status !== "received") return { delivery: "already_finished", status: row.status } as const;
    const [outcome] = await processClaimedDeliveries(tx, context, [row], await loadShop(tx, row.shopId));
    const { rowId: _rowId, ...rest } = outcome!;
    return { ...rest, delivery: "handled" } as const;
  });
}
