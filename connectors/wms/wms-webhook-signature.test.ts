import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWmsBody, verifyWmsSignature } from "./wms-webhook-signature";

describe("WMS hand-off signatures", () => {
  const body = JSON.stringify({ event: "shipment.ready_to_pick", shipment: { id: "s1" } });

  it("is sha256= and the hex HMAC-SHA256 of the exact body under the endpoint's secret", () => {
    const expected = createHmac("sha256", "wms-secret").update(body).digest("hex");
    expect(signWmsBody(body, "wms-secret")).toBe(`sha256=${expected}`);
    expect(verifyWmsSignature(body, `sha256=${expected}`, "wms-secret")).toBe(true);
  });

  it("refuses another secret, a changed body, a missing or malformed header", () => {
    const good = signWmsBody(body, "wms-secret");
    expect(verifyWmsSignature(body, signWmsBody(body, "other"), "wms-secret")).toBe(false);
    expect(verifyWmsSignature(`${body} `, good, "wms-secret")).toBe(false);
    expect(verifyWmsSignature(body, undefined, "wms-secret")).toBe(false);
    expect(verifyWmsSignature(body, good.slice(7), "wms-secret")).toBe(false);
  });
});
