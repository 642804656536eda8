import type { Task } from "graphile-worker";
import { openChannelConnection, type ChannelConnectors } from "../../connectors/channel-connectors";
import type { CatalogueImporter, ImportedLocation, ImportedProduct, ImportProgress } from "../../core/ports/catalogue-import-port";
import { addTally, countSkip, emptyTally, type ImportTally } from "../../core/imports/import-tally";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database } from "../../db/client";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import {
  findImportConnection,
  findImportRun,
  finishImportRun,
  importShopifyInventoryLevels,
  importShopifyLocations,
  importShopifyProducts,
  markImportRunning,
  mirroredLocations,
  raiseRejectedImportOrders,
  SHOPIFY_IMPORT_ACTOR,
  writeImportProgress,
  type ShopifyImportConnection,
} from "../../db/repositories/shopify-import-repository";
import type { ImportCountsMap, ImportProgressMap, ImportResource } from "../../db/schema";
import { jobPayloadSchemas, type ParsedJobPayload } from "../../db/queue/job-payloads";
import { connectorsOf, type TaskContext } from "../task-context";

/**
 * shopify/import: locations -> products (paged, or one bulk operation for a large catalogue)
 * -> inventory levels -> recent orders, each page committed on its own as it arrives, with
 * progress on the import run for the admin. Expected failures (Shopify refusing, the network)
 * end the run as failed with the reason and keep what was imported; running it again is
 * idempotent and completes it.
 */

/** Above this many products, one bulk operation beats paging (25 products a request). */
export const DEFAULT_BULK_PRODUCT_THRESHOLD = 2_500;
/** Orders changed this far back are imported when nothing else is asked. */
export const DEFAULT_ORDERS_LOOKBACK_DAYS = 30;
/** Products stored per transaction when they come from a bulk operation's file. */
const BULK_CHUNK_SIZE = 100;
/** Progress is cosmetic: at most one write a second, whatever the page rate. */
export const PROGRESS_WRITE_INTERVAL_MS = 1_000;

export interface ShopifyImportDependencies {
  db: Database;
  /** Builds the connector for the stored connection; tests point it at the sandbox or nock. */
  connectorFor?: (connection: ShopifyImportConnection) => Result<CatalogueImporter, string>;
  /** The channel modules; the import opens the connection's `catalogue` capability through them. */
  connectors?: ChannelConnectors;
  now?: () => number;
  bulkProductThreshold?: number;
  ordersUpdatedSince?: Date;
  bulkPollIntervalMs?: number;
}

export type ShopifyImportOutcome =
  | { status: "succeeded"; counts: ImportCountsMap }
  | { status: "failed"; error: string; counts: ImportCountsMap }
  /** The run does not exist (deleted with its shop) or already finished successfully. */
  | { status: "skipped"; detail: string };

type StageFailure = { stage: ImportResource | "connection"; reason: string; detail?: string };

export async function runShopifyImport(deps: ShopifyImportDependencies, payload: ParsedJobPayload<"shopify/import">): Promise<ShopifyImportOutcome> {
  const { db } = deps;
  const run = await findImportRun(db, payload.importRunId);
  if (!run || run.shopId !== payload.shopId || run.connectionId !== payload.connectionId) {
    return { status: "skipped", detail: `import run ${payload.importRunId} not found for this connection` };
  }
  if (run.status === "succeeded") return { status: "skipped", detail: "the run already succeeded" };
  await markImportRunning(db, run.id);

  const recorder = new ProgressRecorder(db, run.id, deps.now ?? Date.now);
  const fail = async (failure: StageFailure): Promise<ShopifyImportOutcome> => {
    const error = `${failure.stage}: ${failure.reason}${failure.detail ? ` — ${failure.detail}` : ""}`;
    await recorder.settle();
    await finishImportRun(db, run.id, { status: "failed", progress: recorder.progress, counts: recorder.counts, error });
    return { status: "failed", error, counts: recorder.counts };
  };

  try {
    const connection = await findImportConnection(db, payload.shopId, payload.connectionId);
    if (!connection) return await fail({ stage: "connection", reason: "connection_not_found" });
    if (!connection.syncEnabled) return await fail({ stage: "connection", reason: "shop_uninstalled", detail: "the app is no longer installed on this shop" });
    const built = deps.connectorFor ? deps.connectorFor(connection) : catalogueOf(deps, connection);
    if (!built.ok) return await fail({ stage: "connection", reason: built.reason, ...(built.detail ? { detail: built.detail } : {}) });
    const shopify = built.value;
    const scope = { shopId: connection.shopId, connectionId: connection.id };

    // Locations first: levels are read per location and matched to the ones stored here.
    recorder.start("locations");
    let shopifyLocations: ImportedLocation[] = [];
    const locationsResult = await shopify.importLocations({
      onProgress: recorder.onProgress,
      onPage: async (page) => recorder.add("locations", await importShopifyLocations(db, scope, page)),
    });
    if (!locationsResult.ok) return await fail({ stage: "locations", ...failureOf(locationsResult) });
    shopifyLocations = locationsResult.value;
    recorder.complete("locations");

    recorder.start("products");
    const productScope = { ...scope, currency: connection.currency };
    const products = await importProducts(shopify, deps, recorder, (page) => importShopifyProducts(db, productScope, page));
    if (!products.ok) return await fail({ stage: "products", ...failureOf(products) });
    recorder.complete("products");

    recorder.start("inventory_levels");
    const locationsByGid = await mirroredLocations(db, connection.shopId);
    // Shopify keeps no stock at deactivated locations; only ours that mirror an active one are read.
    const readable = shopifyLocations.filter((l) => l.isActive && locationsByGid.has(l.id)).map((l) => l.id);
    const levels = await shopify.importInventoryLevels(readable, {
      onProgress: recorder.onProgress,
      onPage: async (page) =>
        recorder.add("inventory_levels", await importShopifyInventoryLevels(db, { shopId: connection.shopId, importRunId: run.id, locationsByGid }, page)),
    });
    if (!levels.ok) return await fail({ stage: "inventory_levels", ...failureOf(levels) });
    recorder.complete("inventory_levels");

    recorder.start("orders");
    const updatedSince = deps.ordersUpdatedSince ?? new Date((deps.now ?? Date.now)() - DEFAULT_ORDERS_LOOKBACK_DAYS * 86_400_000);
    const orders = await shopify.importOrders({
      updatedSince,
      onProgress: recorder.onProgress,
      onPage: async ({ orders: page, sourceNodes, rejected }) => {
        const tally = emptyTally();
        for (const [index, order] of page.entries()) {
          if (alreadyFulfilled(sourceNodes[index])) {
            // Its units left the shelf before Shopify's on hand was read: reserving them again would double-count.
            countSkip(tally, { ref: order.externalId, reason: "already_fulfilled", detail: `${order.number} was fulfilled in Shopify` });
            continue;
          }
          // Each order is its own transaction inside ingestOrder: idempotent by (shop, channel, external id).
          const result = await ingestOrder(db, { shopId: connection.shopId, order, actor: SHOPIFY_IMPORT_ACTOR, sourcePayload: sourceNodes[index] });
          tally[result.outcome]++;
        }
        for (const r of rejected) countSkip(tally, { ref: r.externalId ?? "(no id)", reason: r.reason, detail: r.detail });
        await raiseRejectedImportOrders(db, connection.shopId, run.id, rejected);
        recorder.add("orders", tally);
      },
    });
    if (!orders.ok) return await fail({ stage: "orders", ...failureOf(orders) });
    recorder.complete("orders");

    await recorder.settle();
    await finishImportRun(db, run.id, { status: "succeeded", progress: recorder.progress, counts: recorder.counts });
    return { status: "succeeded", counts: recorder.counts };
  } catch (error) {
    // A bug or the database: recorded on the run for the merchant, then rethrown for the worker's log and retry.
    await fail({ stage: recorder.current ?? "connection", reason: "unexpected_error", detail: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
    throw error;
  }
}

/** Paged for an ordinary catalogue; a bulk operation (one JSONL file) for a large one. */
async function importProducts(
  shopify: CatalogueImporter,
  deps: ShopifyImportDependencies,
  recorder: ProgressRecorder,
  store: (page: ImportedProduct[]) => Promise<ImportTally>,
): Promise<Result<void, string>> {
  const threshold = deps.bulkProductThreshold ?? DEFAULT_BULK_PRODUCT_THRESHOLD;
  const count = await shopify.countProducts();
  if (!count.ok) return count;
  // An inexact count means Shopify stopped counting: certainly large.
  const large = !count.value.exact || count.value.count > threshold;
  if (!large || !shopify.startBulkCatalogueExport || !shopify.awaitBulkCatalogue) {
    const paged = await shopify.importProducts({
      onProgress: recorder.onProgress,
      onPage: async (page) => recorder.add("products", await store(page)),
    });
    return paged.ok ? ok(undefined) : paged;
  }

  const started = await shopify.startBulkCatalogueExport();
  if (!started.ok) return started;
  const catalogue = await shopify.awaitBulkCatalogue(started.value.bulkOperationId, deps.bulkPollIntervalMs !== undefined ? { pollIntervalMs: deps.bulkPollIntervalMs } : {});
  if (!catalogue.ok) return catalogue;
  const chunks = Math.max(1, Math.ceil(catalogue.value.length / BULK_CHUNK_SIZE));
  for (let i = 0; i < catalogue.value.length; i += BULK_CHUNK_SIZE) {
    recorder.add("products", await store(catalogue.value.slice(i, i + BULK_CHUNK_SIZE)));
    recorder.onProgress({ resource: "products", done: i / BULK_CHUNK_SIZE + 1, total: chunks });
  }
  return ok(undefined);
}

function catalogueOf(deps: ShopifyImportDependencies, connection: ShopifyImportConnection): Result<CatalogueImporter, string> {
  if (!deps.connectors) throw new Error("the import needs the channel connectors from the composition root");
  const opened = openChannelConnection(deps.connectors, connection);
  if (!opened.ok) return opened;
  return opened.value.catalogue ? ok(opened.value.catalogue) : err("no_connector", `${opened.value.module.displayName} has no catalogue import`);
}

function alreadyFulfilled(node: unknown): boolean {
  return typeof node === "object" && node !== null && (node as { displayFulfillmentStatus?: unknown }).displayFulfillmentStatus === "FULFILLED";
}

function failureOf(result: { reason: string; detail?: string }): { reason: string; detail?: string } {
  return result.detail ? { reason: result.reason, detail: result.detail } : { reason: result.reason };
}

/**
 * Keeps the run's progress and counts and writes them at most once per interval (a write is
 * started by the update that crosses the interval, never by a timer); `settle` writes what is
 * left when the run ends, in the same breath as its final status.
 */
export class ProgressRecorder {
  readonly progress: ImportProgressMap = {};
  readonly counts: ImportCountsMap = {};
  current: ImportResource | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> = Promise.resolve();
  private dirty = false;
  /** Writes started, for tests of the throttle. */
  writes = 0;

  constructor(
    private readonly db: Database,
    private readonly importRunId: string,
    private readonly now: () => number,
    private readonly intervalMs = PROGRESS_WRITE_INTERVAL_MS,
  ) {}

  start(resource: ImportResource): void {
    this.current = resource;
    this.progress[resource] = { done: 0, total: null };
    this.counts[resource] ??= emptyTally();
    this.touch();
  }

  readonly onProgress = (progress: ImportProgress): void => {
    this.progress[progress.resource] = { done: progress.done, total: progress.total };
    this.touch();
  };

  add(resource: ImportResource, tally: ImportTally): void {
    addTally((this.counts[resource] ??= emptyTally()), tally);
    this.touch();
  }

  /** A finished stage shows a full bar even when Shopify could not count its pages. */
  complete(resource: ImportResource): void {
    const current = this.progress[resource] ?? { done: 0, total: null };
    this.progress[resource] = { done: current.done, total: current.done };
    this.touch();
  }

  /** Waits for the write in flight and writes what is still unwritten. */
  async settle(): Promise<void> {
    await this.inFlight;
    if (this.dirty) {
      this.write();
      await this.inFlight;
    }
  }

  private touch(): void {
    this.dirty = true;
    if (this.now() - this.lastWriteAt >= this.intervalMs) this.write();
  }

  private write(): void {
    this.dirty = false;
    this.lastWriteAt = this.now();
    this.writes++;
    const progress = structuredClone(this.progress);
    const counts = structuredClone(this.counts);
    // Chained so writes land in order; a failed progress write must not fail the import.
    this.inFlight = this.inFlight
      .then(() => writeImportProgress(this.db, this.importRunId, progress, counts))
      .catch((error: unknown) => console.warn("[shopify-import] progress write failed:", error instanceof Error ? error.message : error));
  }
}

export function shopifyImportTask(context: TaskContext): Task {
  return async (rawPayload, helpers) => {
    const payload = jobPayloadSchemas["shopify/import"].parse(rawPayload);
    const outcome = await runShopifyImport({ db: context.db, connectors: connectorsOf(context) }, payload);
    if (outcome.status === "failed") helpers.logger.warn(`shopify import ${payload.importRunId} failed: ${outcome.error}`);
    else if (outcome.status === "skipped") helpers.logger.info(`shopify import ${payload.importRunId} skipped: ${outcome.detail}`);
    else helpers.logger.info(`shopify import ${payload.importRunId} succeeded`);
  };
}
