import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { easyPostSpecsDir, readEasyPostSpec, readEasyPostSpecText } from "../../connectors/easypost/easypost-specs";
import { easyPostSignature } from "../../connectors/easypost/easypost-webhook-signature";
import { credentialCipher } from "../../db/crypto/encryption-key";
import { upsertCarrierAccount } from "../../db/repositories/carrier-account-repository";
import { carrierAccounts, webhookDeliveries } from "../../db/schema";
import { action } from "../routes/webhooks.easypost.$accountId";
import { TEST_ORIGIN, useDemoAdmin } from "./route-test-kit";

/** POST /webhooks/easypost/:accountId — EasyPost's X-Hmac-Signature, verified per account, stored once. */

const context = useDemoAdmin();
const SECRET = "route-test-secret";
let accountId: string;

beforeAll(async () => {
  accountId = await upsertCarrierAccount(context.database.db, credentialCipher(), {
    shopId: context.demoShop.id,
    provider: "easypost",
    name: "EasyPost",
    apiKey: "EZTK_route",
    webhookSecret: SECRET,
    settings: {},
  });
});

function post(id: string, body: string, signature?: string) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (signature) headers["X-Hmac-Signature"] = signature;
  return action({ request: new Request(`${TEST_ORIGIN}/webhooks/easypost/${id}`, { method: "POST", headers, body }), params: { accountId: id }, context: {} });
}

const event = (id: string) =>
  JSON.stringify({ id, object: "Event", description: "tracker.updated", result: { id: "trk_1", object: "Tracker", tracking_code: "1", status: "in_transit", carrier: "USPS", weight: 614, updated_at: "2026-12-01T10:00:00Z" } });

async function deliveries(deliveryId: string) {
  return context.database.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, deliveryId));
}

describe("EasyPost webhook ingress", () => {
  it("stores a signed event once, and a redelivery changes nothing", async () => {
    const body = event("evt_good");
    const first = await post(accountId, body, easyPostSignature(body, SECRET));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, stored: true });
    const again = await post(accountId, body, easyPostSignature(body, SECRET));
    expect(await again.json()).toEqual({ received: true, stored: false, reason: "duplicate" });
    const rows = await deliveries("evt_good");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: "easypost", topic: "tracker.updated", resourceId: "trk_1", shopId: context.demoShop.id, status: "received" });
  });

  it("refuses a forged or missing signature and stores nothing", async () => {
    const body = event("evt_forged");
    expect((await post(accountId, body, easyPostSignature(body, "not-the-secret"))).status).toBe(401);
    expect((await post(accountId, body)).status).toBe(401);
    expect((await post(accountId, body.replace("in_transit", "delivered"), easyPostSignature(body, SECRET))).status).toBe(401);
    expect(await deliveries("evt_forged")).toHaveLength(0);
  });

  it("answers 404 for an address that is not a connected account", async () => {
    const body = event("evt_nowhere");
    expect((await post("00000000-0000-4000-8000-000000000000", body, easyPostSignature(body, SECRET))).status).toBe(404);
    expect((await post("not-a-uuid", body, easyPostSignature(body, SECRET))).status).toBe(404);
  });

  it("keeps a signed body that is not an Event, marked failed with the reason", async () => {
    const body = JSON.stringify({ id: "evt_bad", object: "Tracker" });
    const response = await post(accountId, body, easyPostSignature(body, SECRET));
    expect(response.status).toBe(400);
    const [row] = await deliveries("evt_bad");
    expect(row).toMatchObject({ status: "failed" });
    expect(row!.error).toMatch(/not an EasyPost Event/);
  });

  const fixtures = readEasyPostSpec<{ webhooks: { secret: string; hmac_signature: string } }>("client-library-fixtures.json");
  const specBody = readEasyPostSpecText("event-body.json");
  it.skipIf(!fixtures || !specBody)(`accepts the documented event with the client libraries' test vector (needs ${easyPostSpecsDir()})`, async () => {
    await context.database.db.update(carrierAccounts).set({
      credentialsEncrypted: credentialCipher().encryptJson({ apiKey: "EZTK_route", webhookSecret: fixtures!.webhooks.secret }),
    }).where(eq(carrierAccounts.id, accountId));
    const response = await post(accountId, specBody!.replace(/\n$/, ""), fixtures!.webhooks.hmac_signature);
    expect(response.status).toBe(200);
    expect(await deliveries("evt_1")).toHaveLength(1);
  });
});
