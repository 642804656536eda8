import fs, { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { returnRulesSchema } from "../../core/returns/return-rules";
import { customerAccountOrders } from "../../db/queries/extension-harness-queries";
import { customerOrderReturnView, type ReturnableLine } from "../../db/queries/return-portal-queries";
import { quoteReturn, saveReturnRules } from "../../db/repositories/return-request-repository";
import { orders, returnLines, returns } from "../../db/schema";
import { buildExtensions, SHOPIFY_UI_EXTENSION_LIMIT_BYTES, type BuiltModule } from "../../scripts/build-extensions";
import { startTestApp, type TestApp } from "../helpers/app-server";
import { chromiumAvailable, launchChromium, warnWithoutChromium } from "../helpers/chromium";

/**
 * The customer-account returns extension as a customer meets it: its bundle, built offline for
 * this app, runs in Chromium inside the demo's local harness (which gives it the `shopify`
 * global and a session token signed for the order's customer) and talks to the running app.
 */

const SCREENSHOT_DIR = path.resolve("test-results/screenshots");
warnWithoutChromium("the customer-account extension browser test");

describe.skipIf(!chromiumAvailable)("customer-account returns extension in the local harness", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let built: BuiltModule[];
  const pageErrors: string[] = [];
  const previousDistDir = process.env.SWITCHYARD_EXTENSIONS_DIST_DIR;

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    app = await startTestApp();
    // Built for this app's URL (the bundle calls its backend there), where the harness reads it.
    const distRoot = mkdtempSync(path.join(tmpdir(), "extension-dist-"));
    process.env.SWITCHYARD_EXTENSIONS_DIST_DIR = distRoot;
    built = await buildExtensions({ appUrl: app.url, outDir: (dir) => path.join(distRoot, path.basename(dir)) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: "en-US" });
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 240_000);

  afterEach(() => {
    expect(pageErrors.splice(0), "uncaught errors in the browser").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (previousDistDir === undefined) delete process.env.SWITCHYARD_EXTENSIONS_DIST_DIR;
    else process.env.SWITCHYARD_EXTENSIONS_DIST_DIR = previousDistDir;
  });

  const usd = (minor: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(minor / 100);

  /** A demo order of a customer account with a shipped line that can be exchanged for another size or colour. */
  async function exchangeableOrder(): Promise<{ orderGid: string; orderId: string; number: string; line: ReturnableLine }> {
    for (const order of await customerAccountOrders(app.db, app.shop.id, 50)) {
      const [row] = await app.db.select({ id: orders.id }).from(orders).where(eq(orders.externalId, order.orderGid));
      const view = await customerOrderReturnView(app.db, app.shop.id, row!.id);
      const line = view?.lines.find((candidate) => candidate.returnable > 0 && candidate.exchangeOptions.length > 0);
      if (view && line) return { orderGid: order.orderGid, orderId: view.orderId, number: view.number, line };
    }
    throw new Error("the demo seed has no customer-account order with an exchangeable line");
  }

  it("builds every target under Shopify's 64 KB limit, and the harness shows the sizes", async () => {
    expect(built.map((module) => module.target).sort()).toEqual(["customer-account.order.action.menu-item.render", "customer-account.order.action.render"]);
    for (const module of built) {
      expect(fs.statSync(module.file).size, module.target).toBeLessThan(SHOPIFY_UI_EXTENSION_LIMIT_BYTES);
    }
    await page.goto(`${app.url}/demo/extensions/customer-account-returns`);
    await expect(page.getByText(/customer-account\.order\.action\.render: \d+\.\d KB/).textContent()).resolves.toBeTruthy();
  });

  it("requests a return with an exchange: fees before, the exchange at no cost, then the RMA with its status", async () => {
    // Fees a refund pays, so the quote has some to show; an exchange pays none.
    await saveReturnRules(app.db, app.shop.id, returnRulesSchema.parse({ restockingFeeBps: 1000, returnShippingFeeMinor: 595 }));
    const target = await exchangeableOrder();
    const exchangeVariant = target.line.exchangeOptions[0]!;

    await page.goto(`${app.url}/demo/extensions/customer-account-returns?order=${encodeURIComponent(target.orderGid)}`);
    await expect(page.getByRole("heading", { name: `Order ${target.number}` }).isVisible()).resolves.toBe(true);
    await page.frameLocator("#menu-item").getByRole("button", { name: "Return items" }).click();

    const action: FrameLocator = page.frameLocator("#action");
    await action.getByRole("heading", { name: `Return items from ${target.number}` }).waitFor();
    const section = action.locator(`s-section[heading="${target.line.title.replace(/"/g, '\\"')}"]`).first();
    const quantity = section.getByLabel(/Quantity to return/);
    await quantity.fill("1");
    await quantity.blur();
    await section.getByLabel("Reason").selectOption("size_too_small");

    // A refund first: the restocking fee and the label fee come off, as the backend quotes them.
    const refundQuote = await quoteReturn(app.db, {
      shopId: app.shop.id,
      orderId: target.orderId,
      resolution: "refund",
      lines: [{ orderLineId: target.line.id, quantity: 1, reason: "size_too_small" }],
    });
    if (!refundQuote.ok) throw new Error(`quote refused: ${refundQuote.reason}`);
    await action.getByRole("button", { name: "See what I get" }).click();
    await action.getByText(`Restocking fee: −${usd(refundQuote.value.restockingFeeMinor)}`).waitFor();
    await action.getByText(`Return label: −${usd(refundQuote.value.returnShippingFeeMinor)}`).waitFor();
    await action.getByText(`You get ${usd(refundQuote.value.payoutMinor)}`).waitFor();
    expect(refundQuote.value.restockingFeeMinor).toBeGreaterThan(0);
    expect(refundQuote.value.returnShippingFeeMinor).toBe(595);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "customer-account-refund-quote.png") });

    // Back, and an exchange for another variant instead.
    await action.getByRole("button", { name: "Back" }).click();
    await action.getByLabel("I would like").selectOption("exchange");
    await section.getByLabel("Exchange for").selectOption(exchangeVariant.variantId);
    await action.getByRole("button", { name: "See what I get" }).click();
    await action.getByText("Your exchange, at no cost").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "customer-account-exchange-quote.png") });

    await action.getByRole("button", { name: "Request return" }).click();
    const banner = action.getByText(/^Return .+-R\d+ requested\./);
    await banner.waitFor();
    const rmaNumber = /^Return (.+-R\d+) requested\./.exec((await banner.textContent())!)![1]!;

    const [rma] = await app.db.select().from(returns).where(eq(returns.rmaNumber, rmaNumber));
    expect(rma).toMatchObject({ orderId: target.orderId, resolution: "exchange", source: "customer_account", payoutMinor: 0, restockingFeeMinor: 0, returnShippingFeeMinor: 0 });
    const lines = await app.db.select().from(returnLines).where(eq(returnLines.returnId, rma!.id));
    expect(lines).toEqual([expect.objectContaining({ orderLineId: target.line.id, quantity: 1, reason: "size_too_small", exchangeVariantId: exchangeVariant.variantId })]);

    // "Your returns": the RMA with the status the backend reports and its label, or that one is coming.
    const yours = action.locator('s-section[heading="Your returns"]');
    await yours.getByText(rmaNumber).waitFor();
    await yours.getByText(rma!.status.replace(/_/g, " ")).waitFor();
    if (rma!.labelUrl) await yours.getByRole("link", { name: "Print label" }).waitFor();
    else await yours.getByText(rma!.trackingNumber ? rma!.trackingNumber : "Label coming").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "customer-account-return-requested.png") });

    // Close asks the host (the harness) to close the action, as Shopify's modal would.
    await action.getByRole("button", { name: "Close" }).click();
    await page.locator("#overlay.open").waitFor({ state: "detached" });
    expect(await page.locator("#overlay").isVisible()).toBe(false);
  }, 120_000);
});
