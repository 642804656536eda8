import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWooClient } from "../woocommerce-client.js";
import { refundWooOrder } from "../returns/woocommerce-refunds.js";
import { sandboxRefunds } from "./woo-sandbox-refunds.js";
import { startWooCommerceSandbox, type WooCommerceSandbox } from "./woocommerce-sandbox.server.js";

/** Refunds written by the connector to the sandbox through the official client (OAuth 1.0a over http). */

let sandbox: WooCommerceSandbox;
beforeAll(async () => {
  sandbox = await startWooCommerceSandbox({ port: 0, consumerKey: "ck_r", consumerSecret: "cs_r", log: () => {}, seed: { products: [{ name: "Mug", sku: "MUG", price: "12.00", stock: 10 }] } });
});
afterAll(() => sandbox.stop());

const client = () => createWooClient({ baseUrl: sandbox.url, credentials: { consumerKey: "ck_r", consumerSecret: "cs_r" } });

describe("WooCommerce sandbox refunds", () => {
  it("refunds once without restocking, refuses more than is left, and restocks only when asked", async () => {
    const productId = [...sandbox.state.products.values()][0]!.id;
    const { order } = await sandbox.simulateOrder({ lines: [{ listingId: productId, quantity: 2 }], send: false });
    const stockBefore = sandbox.stockOf(productId);
    const request = { externalOrderId: String(order.id), currency: "USD", amountMinor: 2_400, lines: [{ externalLineId: String(order.lines[0]!.id), quantity: 2, amountMinor: 2_400 }], reason: "return (defective)", reference: `#${order.id}-R1` };

    const first = await refundWooOrder(client(), request);
    expect(first).toMatchObject({ ok: true, value: { alreadyDone: false } });
    expect(await refundWooOrder(client(), request)).toEqual({ ok: true, value: { reference: first.ok ? first.value.reference : "", alreadyDone: true } });
    expect(sandboxRefunds(sandbox.state).filter((r) => r.orderId === order.id)).toEqual([expect.objectContaining({ amountMinor: 2_400, restocked: false, refundedPayment: true, lines: [{ lineId: order.lines[0]!.id, quantity: 2, totalMinor: 2_400 }] })]);
    expect(sandbox.stockOf(productId)).toBe(stockBefore);

    const tooMuch = await refundWooOrder(client(), { ...request, reference: `#${order.id}-R2`, amountMinor: 1_000_000 });
    expect(tooMuch).toMatchObject({ ok: false, reason: "rejected", detail: expect.stringContaining("Invalid refund amount") });

    const restocking = await client().post(`orders/${order.id}/refunds`, { amount: "0.01", line_items: [{ id: order.lines[0]!.id, quantity: 1, refund_total: 0.01 }] });
    expect(restocking.ok).toBe(true);
    expect(sandbox.stockOf(productId)).toBe((stockBefore ?? 0) + 1);
  });
});
