import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { Logger, runOnce, type TaskList } from "graphile-worker";
import { expect } from "vitest";
import { carrierGatewayFor, type CarrierGatewayFactory } from "../../connectors/easypost/easypost-account-gateway";
import { startEasyPostSandbox, type EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { enqueueJob } from "../../db/queue/job-queue";
import { upsertCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { applyReturnStep } from "../../db/repositories/return-lifecycle-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { shipments, variants } from "../../db/schema";
import type { TaskContext } from "../../jobs/task-context";
import { buildTaskList } from "../../jobs/task-list";
import { withBuy } from "./carrier-gateway-wrap";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "./ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "./test-database";

/**
 * A shop that buys labels through the EasyPost sandbox, as the label race and sweep tests need it:
 * its own test database, one location (East, 43207), each SKU with 100 units at 80.00 weighing
 * 900 g, and an EasyPost account pointing at the sandbox. `name` keeps each file's key and secret
 * its own.
 */
export interface LabelShop {
  database: TestDatabase;
  sandbox: EasyPostSandbox;
  cipher: CredentialCipher;
  shopId: string;
}

export async function createLabelShop(name: string, skus: readonly string[]): Promise<LabelShop> {
  const cipher = new CredentialCipher(randomBytes(32));
  const apiKey = `EZTK_${name}`;
  const webhookSecret = `${name}-secret`;
  const database = await createTestDatabase();
  const sandbox = await startEasyPostSandbox({ port: 0, apiKey, webhookSecret, log: () => {} });
  const { db } = database;
  const shopId = (await createShop(db)).id;
  const east = await createLocation(db, shopId, { name: "East", postalCode: "43207" });
  for (const sku of skus) {
    const variant = await createVariant(db, shopId, sku, 8_000);
    await db.update(variants).set({ weightGrams: 900 }).where(eq(variants.id, variant.id));
    await receive(db, shopId, variant.id, east.id, 100);
  }
  await upsertCarrierAccount(db, cipher, { shopId, provider: "easypost", name: "EasyPost", apiKey, webhookSecret, settings: { baseUrl: sandbox.apiBaseUrl } });
  return { database, sandbox, cipher, shopId };
}

/** What label jobs run with, their gateways built by `factory`. */
export function labelContext(shop: LabelShop, factory: CarrierGatewayFactory = carrierGatewayFor): TaskContext {
  return { db: shop.database.db, cipher: shop.cipher, carrierGateways: factory };
}

/** graphile-worker runs these tasks until none is due; with `sweep`, the cron's sweep of interrupted purchases is queued first. */
export async function runLabelJobs(shop: LabelShop, tasks: readonly string[], options: { factory?: CarrierGatewayFactory; sweep?: boolean } = {}): Promise<void> {
  if (options.sweep) await enqueueJob(shop.database.db, "labels:settle-interrupted", {}, { jobKey: "labels-settle-interrupted" });
  const all = buildTaskList(labelContext(shop, options.factory));
  const taskList: TaskList = Object.fromEntries(tasks.map((name) => [name, all[name]!]));
  await runOnce({ connectionString: shop.database.url, taskList, logger: new Logger(() => () => {}) });
}

/** The job stopped for good: graphile-worker used up its attempts (it keeps such a job, idle) and no worker holds it. */
export async function jobStoppedForGood(shop: LabelShop, key: string): Promise<void> {
  const stopped = await shop.database.db.execute(
    sql`UPDATE graphile_worker._private_jobs SET attempts = max_attempts, locked_at = NULL, locked_by = NULL, last_error = 'worker lost' WHERE key = ${key} RETURNING id`,
  );
  expect(stopped.rows).toHaveLength(1);
}

/** A purchase record last touched long ago, as the sweep looks for them. */
export async function leftBehind(shop: LabelShop, table: "label_purchases" | "return_label_purchases", recordId: string, age = "2 hours"): Promise<void> {
  await shop.database.db.execute(sql`UPDATE ${sql.identifier(table)} SET updated_at = now() - ${age}::interval WHERE id = ${recordId}`);
}

/** Crashes after the provider answered: the record stays `buying` with a label bought. */
export const killedAfterTheProviderBought = withBuy(async (real, request) => {
  await real.buyLabel(request);
  throw new Error("worker killed after the provider answered");
});

/** The buy never reached the provider: the record stays `buying`, nothing bought. */
export const providerUnreachable = withBuy(async () => ({ ok: false, reason: "unavailable", detail: "connection refused" }));

/** Every buy is counted and refused: what a run that must never buy is given. */
export function countingBuys() {
  const calls: string[] = [];
  const factory = withBuy(async (_real, request) => {
    calls.push(request.providerShipmentId);
    return { ok: false, reason: "rejected", detail: "this run must not buy" };
  });
  return { calls, factory };
}

/**
 * A delivered order of one jacket (a SKU the shop was created with) with an approved refund return,
 * its label job queued. `tag` keeps each file's order numbers and ids apart.
 */
export async function approvedJacketReturn(shop: LabelShop, tag: string): Promise<{ returnId: string; orderId: string }> {
  const { db } = shop.database;
  const { shopId } = shop;
  const n = ++returnsMade;
  const ingested = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ number: `#${tag}${n}`, externalId: `${tag}-return-${n}`, lines: [{ ...line("JACKET", 1), unitPriceMinor: 8_000 }], subtotalMinor: 8_000, totalMinor: 8_000 }) });
  const shipped = await shipReservedOrder(db, { shopId, orderId: ingested.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "USPS", service: "Ground", trackingNumber: `OUT-${tag}${n}` }) });
  if (!shipped.ok) throw new Error(shipped.reason);
  await db.update(shipments).set({ deliveredAt: new Date(Date.now() - 86_400_000) }).where(eq(shipments.orderId, ingested.orderId));
  const [orderLine] = (await db.execute<{ id: string }>(sql`SELECT id FROM order_lines WHERE order_id = ${ingested.orderId}`)).rows;
  const requested = await requestReturn(db, { shopId, orderId: ingested.orderId, resolution: "refund", source: "portal", actor: "customer", lines: [{ orderLineId: orderLine!.id, quantity: 1, reason: "size_too_large" }] });
  if (!requested.ok) throw new Error(requested.detail);
  expect(await applyReturnStep(db, { shopId, returnId: requested.value.returnId, event: "approve", actor: "user:m" })).toMatchObject({ ok: true });
  return { returnId: requested.value.returnId, orderId: ingested.orderId };
}
let returnsMade = 0;
