import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { carrierGatewayFor } from "../../connectors/easypost/easypost-account-gateway";
import { startEasyPostSandbox, type EasyPostSandbox } from "../../connectors/easypost/sandbox/easypost-sandbox.server";
import { verifyWmsSignature } from "../../connectors/wms/wms-webhook-signature";
import { pickListPdf } from "../../app/documents/pick-list-pdf.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { upsertCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { createPickWave, loadPickList, readyToPickCount } from "../../db/repositories/pick-wave-repository";
import { planShipments } from "../../db/repositories/shipment-repository";
import { createWmsEndpoint, WMS_HANDOFF_MAX_ATTEMPTS } from "../../db/repositories/wms-repository";
import { exceptions, inventoryLevels, variants, wmsHandoffs } from "../../db/schema";
import { purchaseLabel } from "../../jobs/tasks/shipping-buy-label.task";
import { handOffShipment } from "../../jobs/tasks/wms-handoff.task";
import type { TaskContext } from "../../jobs/task-context";
import { createLocation, createShop, createVariant, line, makeOrder, receive } from "../helpers/ledger-fixtures";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/** Pick waves and their lists at one location, and the signed WMS hand-off retried until acknowledged. */

const cipher = new CredentialCipher(randomBytes(32));
const WMS_SECRET = "wms-endpoint-secret";
let database: TestDatabase;
let sandbox: EasyPostSandbox;
let wms: Server;
let wmsAnswers: number[] = [];
const received: { body: string; signature: string | undefined; event: string | undefined }[] = [];
let shopId: string;
let dcId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  sandbox = await startEasyPostSandbox({ port: 0, apiKey: "EZTK_pick", webhookSecret: "x", log: () => {} });
  wms = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: req.headers["x-switchyard-signature"] as string | undefined, event: req.headers["x-switchyard-event"] as string | undefined });
      res.writeHead(wmsAnswers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => wms.listen(0, "127.0.0.1", resolve));
  const { db } = database;
  shopId = (await createShop(db)).id;
  dcId = (await createLocation(db, shopId, { name: "DC", postalCode: "43207" })).id;
  for (const [sku, bin] of [["TEE-M", "A-10"], ["MUG", "A-2"], ["CAP", null]] as const) {
    const v = await createVariant(db, shopId, sku);
    await db.update(variants).set({ weightGrams: 250 }).where(eq(variants.id, v.id));
    await receive(db, shopId, v.id, dcId, 50);
    await db.update(inventoryLevels).set({ bin }).where(and(eq(inventoryLevels.variantId, v.id), eq(inventoryLevels.locationId, dcId)));
  }
  await upsertCarrierAccount(db, cipher, { shopId, provider: "easypost", name: "EasyPost", apiKey: "EZTK_pick", webhookSecret: "x", settings: { baseUrl: sandbox.apiBaseUrl } });
  await createWmsEndpoint(db, cipher, { shopId, locationId: dcId, url: `http://127.0.0.1:${(wms.address() as AddressInfo).port}/hook`, secret: WMS_SECRET });
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise<void>((resolve) => wms.close(() => resolve()));
});

const context = (): TaskContext => ({ db: database.db, cipher, carrierGateways: carrierGatewayFor });

async function labelledOrder(number: string, lines: ReturnType<typeof line>[]) {
  const ingested = await ingestOrder(database.db, { shopId, actor: "test", order: makeOrder({ number, lines }) });
  const planned = await planShipments(database.db, { shopId, orderId: ingested.orderId, actor: "test" });
  if (!planned.ok) throw new Error(planned.reason);
  for (const id of planned.value.shipmentIds) await purchaseLabel(context(), { shopId, shipmentId: id });
  return planned.value.shipmentIds;
}

async function handoffs() {
  return database.db.select().from(wmsHandoffs).where(eq(wmsHandoffs.shopId, shopId));
}

describe("pick waves", () => {
  it("batches shipments with labels, oldest first, and lists them by bin and SKU", async () => {
    await labelledOrder("#P1", [line("TEE-M", 2), line("MUG", 1)]);
    await labelledOrder("#P2", [line("TEE-M", 1), line("CAP", 1)]);
    await labelledOrder("#P3", [line("MUG", 4)]);
    expect(await readyToPickCount(database.db, shopId, dcId)).toBe(3);

    const wave = await createPickWave(database.db, { shopId, locationId: dcId, actor: "test", maxShipments: 2 });
    if (!wave.ok) throw new Error(wave.reason);
    expect(wave.value).toMatchObject({ number: 1, shipmentCount: 2 });
    expect(await readyToPickCount(database.db, shopId, dcId)).toBe(1);

    const list = (await loadPickList(database.db, shopId, wave.value.waveId))!;
    expect(list.shipments.map((s) => s.orderNumber)).toEqual(["#P1", "#P2"]);
    expect(list.lines.map((l) => [l.bin, l.sku, l.quantity])).toEqual([
      ["A-2", "MUG", 1],
      ["A-10", "TEE-M", 3],
      [null, "CAP", 1],
    ]);
    expect(list.lines[1]!.slots).toEqual([{ slot: 1, quantity: 2 }, { slot: 2, quantity: 1 }]);

    const pdf = await pickListPdf(list, new Date("2026-12-01T10:00:00Z"));
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    // One page, and one barcode image per line and per tote slot.
    const raw = pdf.toString("latin1");
    expect(raw.match(/\/Type \/Page\b(?!s)/g)).toHaveLength(1);
    expect(raw.match(/\/Subtype \/Image/g)!.length).toBeGreaterThanOrEqual(list.lines.length);

    const second = await createPickWave(database.db, { shopId, locationId: dcId, actor: "test", maxShipments: 25 });
    expect(second.ok && second.value).toMatchObject({ number: 2, shipmentCount: 1 });
    expect(await createPickWave(database.db, { shopId, locationId: dcId, actor: "test", maxShipments: 25 })).toMatchObject({ ok: false, reason: "nothing_to_pick" });
  });
});

describe("WMS hand-off", () => {
  it("queues one hand-off per shipment with a label, sends it signed, and retries until acknowledged", async () => {
    const [shipmentId] = await labelledOrder("#W1", [line("TEE-M", 1)]);
    const mine = (await handoffs()).filter((h) => h.shipmentId === shipmentId);
    expect(mine).toHaveLength(1);
    const jobs = await database.db.execute(sql`SELECT max_attempts FROM graphile_worker._private_jobs WHERE key = ${`wms/handoff:${mine[0]!.id}`}`);
    expect(jobs.rows).toEqual([{ max_attempts: WMS_HANDOFF_MAX_ATTEMPTS }]);

    wmsAnswers = [503];
    const payload = { shopId, handoffId: mine[0]!.id };
    expect(await handOffShipment(context(), payload, { attempts: 1, maxAttempts: 10 })).toMatchObject({ status: "failed", final: false });
    expect(await handOffShipment(context(), payload, { attempts: 2, maxAttempts: 10 })).toEqual({ status: "delivered" });
    expect(await handOffShipment(context(), payload, { attempts: 3, maxAttempts: 10 })).toEqual({ status: "already_delivered" });

    const [last, previous] = [received.at(-1)!, received.at(-2)!];
    // The same body both times, signed with the endpoint's secret.
    expect(last.body).toBe(previous.body);
    expect(verifyWmsSignature(last.body, last.signature, WMS_SECRET)).toBe(true);
    expect(verifyWmsSignature(last.body, last.signature, "another")).toBe(false);
    expect(last.event).toBe("shipment.ready_to_pick");
    const message = JSON.parse(last.body);
    expect(message).toMatchObject({ event: "shipment.ready_to_pick", shipment: { id: shipmentId, order: { number: "#W1" }, lines: [{ sku: "TEE-M", quantity: 1 }] } });
    expect(message.shipment.trackingNumber).toBeTruthy();
    const [row] = (await handoffs()).filter((h) => h.id === mine[0]!.id);
    expect(row).toMatchObject({ status: "delivered", attempts: 2, lastHttpStatus: 200 });
  });

  it("gives up after the last attempt with an exception for a person", async () => {
    const [shipmentId] = await labelledOrder("#W2", [line("MUG", 1)]);
    const handoff = (await handoffs()).find((h) => h.shipmentId === shipmentId)!;
    wmsAnswers = [500];
    expect(await handOffShipment(context(), { shopId, handoffId: handoff.id }, { attempts: 10, maxAttempts: 10 })).toMatchObject({ status: "failed", final: true });
    const raised = await database.db.select().from(exceptions).where(and(eq(exceptions.shopId, shopId), eq(exceptions.kind, "wms_handoff_failed")));
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).toContain("HTTP 500");
  });
});
