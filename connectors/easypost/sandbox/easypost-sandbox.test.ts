import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EasyPostCarrierGateway } from "../easypost-carrier-gateway";
import { easyPostSpecsAvailable, easyPostSpecsDir, readEasyPostSpec } from "../easypost-specs";
import { verifyEasyPostSignature } from "../easypost-webhook-signature";
import { startEasyPostSandbox, type EasyPostSandbox } from "./easypost-sandbox.server";

/** The official SDK, through our gateway, against the sandbox over real HTTP. */

const KEY = "EZTK_sandbox_key";
const SECRET = "sandbox-webhook-sécret";
let sandbox: EasyPostSandbox;
let gateway: EasyPostCarrierGateway;
let receiver: Server;
const received: { body: string; signature: string | undefined }[] = [];

const from = { name: "Columbus DC", line1: "4400 Alum Creek Dr", city: "Columbus", region: "OH", postalCode: "43207", countryCode: "US" };
const to = { name: "Ada Lovelace", line1: "1 Market St", city: "San Francisco", region: "CA", postalCode: "94105", countryCode: "US" };

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: req.headers["x-hmac-signature"] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  sandbox = await startEasyPostSandbox({
    port: 0,
    apiKey: KEY,
    webhookSecret: SECRET,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/easypost`,
    log: () => {},
  });
  gateway = new EasyPostCarrierGateway({ apiKey: KEY, baseUrl: sandbox.apiBaseUrl });
});

afterAll(async () => {
  await sandbox?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("EasyPost sandbox", () => {
  it("refuses a wrong API key with EasyPost's error shape", async () => {
    const wrong = new EasyPostCarrierGateway({ apiKey: "nope", baseUrl: sandbox.apiBaseUrl });
    expect(await wrong.findLabel("shp_0")).toMatchObject({ ok: false, reason: "unauthorized" });
  });

  it("verifies addresses: the documentation's incorrect address fails, a real one passes", async () => {
    const bad = await gateway.verifyAddress({ ...to, line1: "000 unknown street", postalCode: "00001" });
    expect(bad.ok && bad.value.verified).toBe(false);
    expect(bad.ok && bad.value.problems).toContain("Address not found");
    const good = await gateway.verifyAddress(to);
    expect(good.ok && good.value.verified).toBe(true);
  });

  it("prices farther and heavier parcels higher, faster services dearer", async () => {
    const near = await gateway.rates({ from, to: { ...to, postalCode: "43215", city: "Columbus", region: "OH" }, parcel: { weightGrams: 500 }, reference: "a" });
    const far = await gateway.rates({ from, to, parcel: { weightGrams: 500 }, reference: "b" });
    const heavy = await gateway.rates({ from, to, parcel: { weightGrams: 5000 }, reference: "c" });
    if (!near.ok || !far.ok || !heavy.ok) throw new Error("rates failed");
    const price = (quotes: typeof near.value, service: string) => quotes.find((q) => q.service === service)!;
    expect(price(far.value, "GroundAdvantage").amountMinor).toBeGreaterThan(price(near.value, "GroundAdvantage").amountMinor);
    expect(price(far.value, "GroundAdvantage").deliveryDays).toBeGreaterThan(price(near.value, "GroundAdvantage").deliveryDays!);
    expect(price(heavy.value, "GroundAdvantage").amountMinor).toBeGreaterThan(price(far.value, "GroundAdvantage").amountMinor);
    expect(price(far.value, "Express").amountMinor).toBeGreaterThan(price(far.value, "Priority").amountMinor);
  });

  it("buys a shipment once, serves its label PDF, and refuses a second purchase", async () => {
    const rates = await gateway.rates({ from, to, parcel: { weightGrams: 800, lengthMm: 200, widthMm: 150, heightMm: 100 }, reference: "ship-1" });
    if (!rates.ok) throw new Error(rates.reason);
    const rate = rates.value[0]!;
    const label = await gateway.buyLabel({ providerShipmentId: rate.providerShipmentId, rateId: rate.rateId, idempotencyKey: "label:ship-1:1" });
    if (!label.ok) throw new Error(label.reason);
    expect(label.value).toMatchObject({ carrier: rate.carrier, service: rate.service, amountMinor: rate.amountMinor, trackingStatus: "pre_transit" });
    const pdf = Buffer.from(await (await fetch(label.value.labelUrl)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");

    const again = await gateway.buyLabel({ providerShipmentId: rate.providerShipmentId, rateId: rate.rateId, idempotencyKey: "label:ship-1:1" });
    expect(again).toMatchObject({ ok: false, reason: "already_bought" });
    expect(!again.ok && again.detail).toContain("SHIPMENT.POSTAGE.EXISTS");
    expect(sandbox.state.purchases.filter((p) => p.shipmentId === rate.providerShipmentId)).toHaveLength(1);
    expect(await gateway.findLabel(rate.providerShipmentId)).toEqual({ ok: true, value: label.value });
  });

  it("refuses a concurrent buy of a shipment whose purchase is under way, which shows no label until it is done", async () => {
    const rates = await gateway.rates({ from, to, parcel: { weightGrams: 400 }, reference: "ship-held" });
    if (!rates.ok) throw new Error(rates.reason);
    const rate = rates.value[0]!;
    const hold = sandbox.holdPurchases();
    const first = gateway.buyLabel({ providerShipmentId: rate.providerShipmentId, rateId: rate.rateId, idempotencyKey: "held:1" });
    await hold.reached;
    expect(await gateway.buyLabel({ providerShipmentId: rate.providerShipmentId, rateId: rate.rateId, idempotencyKey: "held:2" })).toMatchObject({ ok: false, reason: "already_bought" });
    expect(await gateway.findLabel(rate.providerShipmentId)).toEqual({ ok: true, value: null });
    hold.release();
    const bought = await first;
    if (!bought.ok) throw new Error(bought.reason);
    expect(await gateway.findLabel(rate.providerShipmentId)).toEqual({ ok: true, value: bought.value });
    expect(sandbox.state.purchases.filter((p) => p.shipmentId === rate.providerShipmentId)).toHaveLength(1);
  });

  it("holds only the next purchase when asked to, and lets a later purchase of another shipment through", async () => {
    const held = await gateway.rates({ from, to, parcel: { weightGrams: 400 }, reference: "ship-held-once" });
    const later = await gateway.rates({ from, to, parcel: { weightGrams: 400 }, reference: "ship-after-hold" });
    if (!held.ok || !later.ok) throw new Error("rates failed");
    const hold = sandbox.holdPurchases({ count: 1 });
    const first = gateway.buyLabel({ providerShipmentId: held.value[0]!.providerShipmentId, rateId: held.value[0]!.rateId, idempotencyKey: "held-once:1" });
    await hold.reached;
    expect(await gateway.buyLabel({ providerShipmentId: later.value[0]!.providerShipmentId, rateId: later.value[0]!.rateId, idempotencyKey: "after-hold:1" })).toMatchObject({ ok: true });
    expect(await gateway.findLabel(held.value[0]!.providerShipmentId)).toEqual({ ok: true, value: null });
    hold.release();
    expect(await first).toMatchObject({ ok: true });
  });

  it("sends signed tracker events, and refunds only labels never scanned", async () => {
    const rates = await gateway.rates({ from, to, parcel: { weightGrams: 300 }, reference: "ship-2" });
    const unused = await gateway.rates({ from, to, parcel: { weightGrams: 300 }, reference: "ship-3" });
    if (!rates.ok || !unused.ok) throw new Error("rates failed");
    const label = await gateway.buyLabel({ providerShipmentId: rates.value[0]!.providerShipmentId, rateId: rates.value[0]!.rateId, idempotencyKey: "k2" });
    const spare = await gateway.buyLabel({ providerShipmentId: unused.value[0]!.providerShipmentId, rateId: unused.value[0]!.rateId, idempotencyKey: "k3" });
    if (!label.ok || !spare.ok) throw new Error("buy failed");

    const { delivery } = await sandbox.advanceTracker(label.value.trackerId!);
    expect(delivery).toMatchObject({ ok: true, description: "tracker.updated" });
    const event = received.at(-1)!;
    expect(verifyEasyPostSignature(event.body, event.signature, SECRET)).toBe(true);
    expect(JSON.parse(event.body)).toMatchObject({ object: "Event", description: "tracker.updated", previous_attributes: { status: "pre_transit" }, result: { id: label.value.trackerId, status: "in_transit" } });

    expect(await gateway.refundLabel(label.value.providerShipmentId)).toEqual({ ok: true, value: { status: "rejected" } });
    expect(await gateway.refundLabel(spare.value.providerShipmentId)).toEqual({ ok: true, value: { status: "submitted" } });
  });

  it("creates trackers for labels bought elsewhere", async () => {
    const tracker = await gateway.createTracker({ trackingNumber: "EZ1000000001", carrier: "USPS" });
    expect(tracker).toMatchObject({ ok: true, value: { trackingNumber: "EZ1000000001", status: "pre_transit" } });
  });

  it.skipIf(!easyPostSpecsAvailable())(`answers with every field the documentation's responses have (needs ${easyPostSpecsDir()})`, async () => {
    const documented = readEasyPostSpec<Record<string, any>>("responses/shipments/shipments-buy.json")!;
    const rates = await gateway.rates({ from, to, parcel: { weightGrams: 300 }, reference: "shape" });
    if (!rates.ok) throw new Error(rates.reason);
    await gateway.buyLabel({ providerShipmentId: rates.value[0]!.providerShipmentId, rateId: rates.value[0]!.rateId, idempotencyKey: "shape" });
    const ours = sandbox.state.shipments.get(rates.value[0]!.providerShipmentId)!;
    const missing = (doc: Record<string, unknown>, mine: Record<string, unknown>) => Object.keys(doc).filter((k) => !(k in mine));
    expect(missing(documented, ours)).toEqual([]);
    expect(missing(documented.rates[0], (ours.rates as any[])[0])).toEqual([]);
    expect(missing(documented.postage_label, ours.postage_label as any)).toEqual([]);
    expect(missing(documented.tracker, ours.tracker as any)).toEqual([]);
    expect(missing(documented.parcel, ours.parcel as any)).toEqual([]);
    expect(missing(documented.to_address, ours.to_address as any)).toEqual([]);
  });
});
