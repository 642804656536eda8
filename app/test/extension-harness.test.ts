import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { shipReservedOrder } from "../../db/repositories/fulfillment-repository";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { createLocation, createVariant, line, makeOrder, receive } from "../../tests/helpers/ledger-fixtures";
import { loader as returnsApiLoader } from "../routes/api.customer-account.returns";
import { loader } from "../routes/demo.extensions.customer-account-returns.$";
import { callLoader, TEST_ORIGIN, useDemoAdmin } from "./route-test-kit";

/**
 * The customer-account extension's local harness: demo only, and the session token it gives
 * the extension is one the real backend accepts for the customer who owns the order, and only
 * for that customer's order.
 */
const context = useDemoAdmin();
const CUSTOMER = "gid://shopify/Customer/7101";
const ORDER = "gid://shopify/Order/990001";
const GUEST_ORDER = "gid://shopify/Order/990002";
const harness = (part: string, query = "") => callLoader(loader, `/demo/extensions/customer-account-returns/${part}${query}`, { "*": part });

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  const location = await createLocation(db, shopId, { name: "DC" });
  const variant = await createVariant(db, shopId, "HAT-RED");
  await receive(db, shopId, variant.id, location.id, 10);
  for (const [externalId, number, customer] of [
    [ORDER, "#5001", { externalId: CUSTOMER, name: "Ada Lovelace", email: "ada@example.com" }],
    [GUEST_ORDER, "#5002", { name: "Guest", email: "guest@example.com" }],
  ] as const) {
    const order = await ingestOrder(db, { shopId, actor: "test", order: makeOrder({ externalId, number, customer, lines: [line("HAT-RED", 1, `${number}-1`)] }) });
    await shipReservedOrder(db, { shopId, orderId: order.orderId, actor: "test", confirmOnChannel: false, shipment: () => ({ carrier: "UPS", service: "Ground", trackingNumber: `1Z${number}` }) });
  }
});

const previousDistDir = process.env.SWITCHYARD_EXTENSIONS_DIST_DIR;
afterEach(() => {
  process.env.SWITCHYARD_DEMO = "1";
  if (previousDistDir === undefined) delete process.env.SWITCHYARD_EXTENSIONS_DIST_DIR;
  else process.env.SWITCHYARD_EXTENSIONS_DIST_DIR = previousDistDir;
});

describe("customer-account extension harness", () => {
  it("signs a session token for the order's customer that the returns backend accepts", async () => {
    const response = await harness("session-token", `?order=${encodeURIComponent(ORDER)}`);
    expect(response.status).toBe(200);
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string; dest: string };
    expect(claims).toMatchObject({ sub: CUSTOMER, dest: "switchyard-demo.myshopify.com" });

    const view = await returnsApiLoader({
      request: new Request(`${TEST_ORIGIN}/api/customer-account/returns?order=${encodeURIComponent(ORDER)}`, { headers: { Authorization: `Bearer ${token}` } }),
      params: {},
      context: {},
    });
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ number: "#5001", lines: [expect.objectContaining({ returnable: 1 })] });
  });

  it("gives no token for a guest's order, an unknown order or something that is not an order GID", async () => {
    for (const order of [GUEST_ORDER, "gid://shopify/Order/1", "5001"]) {
      expect((await harness("session-token", `?order=${encodeURIComponent(order)}`)).status, order).toBe(404);
    }
  });

  it("lists the customer-account orders, says when the bundle is not built, and serves a frame per target", async () => {
    process.env.SWITCHYARD_EXTENSIONS_DIST_DIR = mkdtempSync(path.join(tmpdir(), "harness-empty-"));
    const page = await harness("");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("#5001");
    expect(html).not.toContain("#5002");
    expect(html).toContain("is not built: run <code>npm run build:extensions</code>");
    expect((await harness("modules/ReturnAction.js")).status).toBe(404);

    const frame = await harness("frame", `?target=customer-account.order.action.render&order=${encodeURIComponent(ORDER)}`);
    expect(frame.status).toBe(200);
    const frameHtml = await frame.text();
    expect(frameHtml).toContain("customElements.define");
    expect(frameHtml).toContain("/demo/extensions/customer-account-returns/modules/ReturnAction.js");
    expect((await harness("frame", `?target=purchase.checkout.block.render&order=${encodeURIComponent(ORDER)}`)).status).toBe(404);
  });

  it("does not exist outside demo mode", async () => {
    process.env.SWITCHYARD_DEMO = "0";
    for (const [part, query] of [["", ""], ["session-token", `?order=${encodeURIComponent(ORDER)}`], ["frame", "?target=customer-account.order.action.render"]] as const) {
      expect((await harness(part, query)).status, part || "page").toBe(404);
    }
  });
});
