import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EasyPostCarrierGateway } from "./easypost-carrier-gateway";
import { easyPostSpecsAvailable, easyPostSpecsDir, readEasyPostSpec } from "./easypost-specs";

/**
 * Contract tests: the official SDK, through our gateway, against answers shaped exactly as
 * EasyPost's documentation shows them (read from ../shared/specs/easypost/responses).
 */

const API = "https://api.easypost.com";
const KEY = "EZTK_test_key";
const gateway = new EasyPostCarrierGateway({ apiKey: KEY });
const basic = `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`;

const from = { name: "Columbus DC", line1: "4400 Alum Creek Dr", city: "Columbus", region: "OH", postalCode: "43207", countryCode: "US" };
const to = { name: "Dr. Steve Brule", line1: "179 N Harbor Dr", city: "Redondo Beach", region: "CA", postalCode: "90277", countryCode: "US" };

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe.skipIf(!easyPostSpecsAvailable())(`EasyPost gateway against the documented responses (needs ${easyPostSpecsDir()})`, () => {
  const created = readEasyPostSpec<Record<string, any>>("responses/shipments/shipments-create.json")!;
  const bought = readEasyPostSpec<Record<string, any>>("responses/shipments/shipments-buy.json")!;
  const tracker = readEasyPostSpec<Record<string, any>>("responses/trackers/trackers-create.json")!;

  it("creates a shipment with our units and reference, and reads its rates in minor units", async () => {
    let sent: any;
    nock(API, { reqheaders: { authorization: basic } })
      .post("/v2/shipments", (body) => ((sent = body), true))
      .reply(201, created);
    const rates = await gateway.rates({ from, to, parcel: { weightGrams: 1000, lengthMm: 300, widthMm: 200, heightMm: 100 }, reference: "ship-1" });
    expect(sent.shipment).toMatchObject({
      reference: "ship-1",
      to_address: { street1: "179 N Harbor Dr", zip: "90277", country: "US", state: "CA" },
      parcel: { weight: 35.3, length: 11.9, width: 7.9, height: 4 },
    });
    expect(rates.ok).toBe(true);
    if (!rates.ok) return;
    expect(rates.value).toHaveLength(created.rates.length);
    const ground = rates.value.find((r) => r.service === "GroundAdvantage")!;
    expect(ground).toEqual({
      providerShipmentId: created.id,
      rateId: "rate_76e0cae29e294e6db279c76bbe2f27e9",
      carrier: "USPS",
      service: "GroundAdvantage",
      amountMinor: 820,
      currency: "USD",
      deliveryDays: 3,
    });
  });

  it("buys the chosen rate and returns the label, tracking code, tracker and cost", async () => {
    let sent: any;
    nock(API)
      .post(`/v2/shipments/${bought.id}/buy`, (body) => ((sent = body), true))
      .reply(200, bought);
    const label = await gateway.buyLabel({ providerShipmentId: bought.id, rateId: bought.selected_rate.id, idempotencyKey: "label:s1:1" });
    expect(sent).toEqual({ rate: { id: bought.selected_rate.id } });
    expect(label).toEqual({
      ok: true,
      value: {
        providerShipmentId: bought.id,
        carrier: "USPS",
        service: "GroundAdvantage",
        trackingNumber: "9434600208303109842228",
        trackingUrl: bought.tracker.public_url,
        labelUrl: bought.postage_label.label_url,
        amountMinor: 820,
        currency: "USD",
        trackerId: bought.tracker.id,
        trackingStatus: "unknown",
      },
    });
  });

  it("finds the label of a bought shipment, and none on one not bought yet (reconciliation)", async () => {
    nock(API).get(`/v2/shipments/${bought.id}`).reply(200, bought);
    nock(API).get(`/v2/shipments/${created.id}`).reply(200, created);
    const found = await gateway.findLabel(bought.id);
    expect(found.ok && found.value?.trackingNumber).toBe("9434600208303109842228");
    expect(await gateway.findLabel(created.id)).toEqual({ ok: true, value: null });
  });

  it("asks for a refund and reads the refund status", async () => {
    nock(API).post(`/v2/shipments/${bought.id}/refund`).reply(200, { ...bought, refund_status: "submitted" });
    expect(await gateway.refundLabel(bought.id)).toEqual({ ok: true, value: { status: "submitted" } });
  });

  it("creates a tracker", async () => {
    let sent: any;
    nock(API)
      .post("/v2/trackers", (body) => ((sent = body), true))
      .reply(201, tracker);
    const created = await gateway.createTracker({ trackingNumber: "EZ1000000001", carrier: "USPS" });
    expect(sent).toEqual({ tracker: { tracking_code: "EZ1000000001", carrier: "USPS" } });
    expect(created).toMatchObject({ ok: true, value: { trackerId: tracker.id, status: "pre_transit", carrier: "USPS", trackingNumber: "EZ1000000001" } });
  });
});

describe("EasyPost gateway failures map to the port's vocabulary", () => {
  const error = (code: string, message: string) => ({ error: { code, message, errors: [] } });

  it.each([
    [401, "APIKEY.INACTIVE", "unauthorized"],
    [422, "SHIPMENT.POSTAGE.EXISTS", "already_bought"],
    [422, "SHIPMENT.RATE.NOT_FOUND", "rate_expired"],
    [422, "ADDRESS.VERIFY.FAILURE", "address_invalid"],
    [429, "RATE_LIMITED", "rate_limited"],
    [503, "SERVICE.UNAVAILABLE", "unavailable"],
  ] as const)("%i %s -> %s", async (status, code, reason) => {
    nock(API).post("/v2/shipments/shp_1/buy").reply(status, error(code, "refused"));
    const result = await gateway.buyLabel({ providerShipmentId: "shp_1", rateId: "rate_1", idempotencyKey: "k" });
    expect(result).toMatchObject({ ok: false, reason });
    expect(!result.ok && result.detail).toContain(code);
  });

  it("a provider that cannot be reached is unavailable, not a crash", async () => {
    // Nothing listens and nock refuses the connection: the SDK throws without an HTTP status.
    const unreachable = new EasyPostCarrierGateway({ apiKey: KEY, baseUrl: "http://127.0.0.1:9/v2" });
    expect(await unreachable.findLabel("shp_1")).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("an answer that breaks the documented shape is rejected with the reason", async () => {
    nock(API).post("/v2/shipments").reply(201, { id: "shp_1", object: "Shipment", rates: [{ id: "rate_1", carrier: "USPS" }] });
    const result = await gateway.rates({ from, to, parcel: { weightGrams: 100 }, reference: "r" });
    expect(result).toMatchObject({ ok: false, reason: "rejected" });
    expect(!result.ok && result.detail).toMatch(/unexpected EasyPost answer/);
  });

  it("address verification: a failed delivery check lists the problems; a good one returns the corrected form", async () => {
    nock(API)
      .post("/v2/addresses", (body) => body.verify === true && body.address.street1 === "000 unknown street")
      .reply(201, {
        id: "adr_1",
        object: "Address",
        street1: "000 unknown street",
        verifications: { delivery: { success: false, errors: [{ code: "E.ADDRESS.NOT_FOUND", field: "address", message: "Address not found" }], details: null } },
      });
    const bad = await gateway.verifyAddress({ ...to, line1: "000 unknown street" });
    expect(bad).toEqual({ ok: true, value: { verified: false, problems: ["Address not found"] } });

    nock(API)
      .post("/v2/addresses")
      .reply(201, { id: "adr_2", object: "Address", street1: "179 N HARBOR DR", city: "REDONDO BEACH", state: "CA", zip: "90277-2506", country: "US", verifications: { delivery: { success: true, errors: [] } } });
    const good = await gateway.verifyAddress(to);
    expect(good).toMatchObject({ ok: true, value: { verified: true, corrected: { line1: "179 N HARBOR DR", postalCode: "90277-2506", name: "Dr. Steve Brule" } } });
  });
});
