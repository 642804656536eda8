import { describe, expect, it } from "vitest";
import { easyPostSpecsDir, readEasyPostSpec, readEasyPostSpecText } from "./easypost-specs";
import { easyPostSignature, verifyEasyPostSignature } from "./easypost-webhook-signature";

const fixtures = readEasyPostSpec<{ webhooks: { secret: string; hmac_signature: string } }>("client-library-fixtures.json");
const eventBody = readEasyPostSpecText("event-body.json");

describe("EasyPost webhook signatures (X-Hmac-Signature)", () => {
  const body = JSON.stringify({ id: "evt_1", object: "Event", description: "tracker.updated", result: { id: "trk_1", status: "in_transit" } });

  it("accepts a body signed with the webhook's secret", () => {
    expect(verifyEasyPostSignature(body, easyPostSignature(body, "s3cret"), "s3cret")).toBe(true);
    expect(easyPostSignature(body, "s3cret")).toMatch(/^hmac-sha256-hex=[0-9a-f]{64}$/);
  });

  it("refuses a forged signature, another secret, a tampered body, or none", () => {
    const good = easyPostSignature(body, "s3cret");
    expect(verifyEasyPostSignature(body, good.replace(/.$/, (c) => (c === "0" ? "1" : "0")), "s3cret")).toBe(false);
    expect(verifyEasyPostSignature(body, easyPostSignature(body, "other"), "s3cret")).toBe(false);
    expect(verifyEasyPostSignature(body.replace("in_transit", "delivered"), good, "s3cret")).toBe(false);
    expect(verifyEasyPostSignature(body, good.replace("hmac-sha256-hex=", ""), "s3cret")).toBe(false);
    expect(verifyEasyPostSignature(body, undefined, "s3cret")).toBe(false);
    expect(verifyEasyPostSignature(body, good, "")).toBe(false);
  });

  it("signs integer weights as EasyPost does (with .0), like the official libraries", () => {
    const integerWeight = '{"result":{"weight":614}}';
    expect(easyPostSignature(integerWeight, "k")).toBe(easyPostSignature('{"result":{"weight":614.0}}', "k"));
  });

  it.skipIf(!fixtures || eventBody === undefined)(`matches the client libraries' test vector (needs ${easyPostSpecsDir()})`, () => {
    // The fixture file ends with a newline the signed body did not have.
    const signedBody = eventBody!.replace(/\n$/, "");
    expect(verifyEasyPostSignature(signedBody, fixtures!.webhooks.hmac_signature, fixtures!.webhooks.secret)).toBe(true);
    // The secret is NFKD-normalised: the decomposed "é" verifies the same.
    expect(verifyEasyPostSignature(signedBody, fixtures!.webhooks.hmac_signature, fixtures!.webhooks.secret.normalize("NFD"))).toBe(true);
    expect(verifyEasyPostSignature(signedBody, fixtures!.webhooks.hmac_signature, "secret")).toBe(false);
  });
});
