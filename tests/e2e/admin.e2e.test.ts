import fs from "node:fs";
import path from "node:path";
import { and, desc, eq, inArray } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ingestOrder } from "../../db/repositories/order-ingest-repository";
import { requestReturn } from "../../db/repositories/return-request-repository";
import { refreshReturnRollups } from "../../db/repositories/return-rollup-repository";
import { inventoryMovements, locations, orderLines, orders, returns, variants } from "../../db/schema";
import { makeOrder } from "../helpers/ledger-fixtures";
import { startTestApp, type TestApp } from "../helpers/app-server";

/**
 * The admin as a person sees it: a real Chromium against the app served in demo mode on a
 * seeded database. Every assertion compares the page with what the database holds.
 */

const CHROMIUM_PATH = "/usr/bin/chromium";
const SCREENSHOT_DIR = path.resolve("test-results/screenshots");
const chromiumAvailable = fs.existsSync(CHROMIUM_PATH);
if (!chromiumAvailable) {
  console.warn(`[e2e] ${CHROMIUM_PATH} is missing: admin browser tests skipped (apt-get install -y chromium)`);
}

describe.skipIf(!chromiumAvailable)("admin in a browser (demo mode)", () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    app = await startTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(60_000);
    // A page that renders on the server but throws in the browser (a failed hydration, a
    // broken handler) must fail the test, not pass on its server HTML.
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 240_000);

  const pageErrors: string[] = [];
  afterEach(() => {
    const seen = pageErrors.splice(0);
    expect(seen, "uncaught errors in the browser").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Waits for the element, then reports it as shown. */
  async function shown(locator: ReturnType<Page["locator"]>): Promise<boolean> {
    await locator.first().waitFor({ state: "visible", timeout: 30_000 });
    return true;
  }

  /**
   * Server-rendered inputs exist before React hydrates them; typing then is lost. React marks
   * each hydrated element with a __reactProps$ key, so wait for that before interacting.
   */
  async function hydrated(locator: ReturnType<Page["locator"]>) {
    await locator.first().waitFor({ state: "visible" });
    await locator
      .first()
      .evaluate((element) =>
        new Promise<void>((resolve) => {
          const check = () =>
            Object.keys(element).some((key) => key.startsWith("__reactProps")) ? resolve() : setTimeout(check, 50);
          check();
        }),
      );
    return locator;
  }

  async function screenshot(name: string) {
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  }

  it("shows the dashboard with the demo banner, channel counts and the orders-per-day chart", async () => {
    await page.goto(`${app.url}/app`, { waitUntil: "networkidle" });
    await screenshot("dashboard-first-paint");
    expect(await shown(page.getByRole("heading", { name: "Dashboard", level: 1 }))).toBe(true);
    expect(await shown(page.getByText("Demo mode — sandbox channels, no Shopify account"))).toBe(true);
    expect(await shown(page.getByRole("heading", { name: "Orders by channel" }))).toBe(true);
    expect(await shown(page.getByRole("heading", { name: "Sync health" }))).toBe(true);
    expect(await shown(page.getByTestId("orders-per-day-chart"))).toBe(true);
    await screenshot("dashboard");
  }, 120_000);

  it("lists the newest order first on the orders index and finds an order by its number", async () => {
    const [newest] = await app.db
      .select({ number: orders.number })
      .from(orders)
      .where(eq(orders.shopId, app.shop.id))
      .orderBy(desc(orders.placedAt), desc(orders.id))
      .limit(1);
    expect(newest).toBeDefined();

    await page.goto(`${app.url}/app/orders`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Orders", level: 1 }))).toBe(true);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(25);
    expect(await rows.first().innerText()).toContain(newest!.number);
    await screenshot("orders-index");

    await page.goto(`${app.url}/app/orders?q=${encodeURIComponent(newest!.number)}`, { waitUntil: "networkidle" });
    expect(await page.locator("tbody tr").first().innerText()).toContain(newest!.number);
  }, 120_000);

  it("filters the orders list by search and puts a selected order on hold with a bulk action", async () => {
    // Fully reserved orders are routed (reserved -> allocated) by the worker; either can be held.
    const [reserved] = await app.db
      .select({ id: orders.id, number: orders.number })
      .from(orders)
      .where(and(eq(orders.shopId, app.shop.id), inArray(orders.status, ["reserved", "allocated"])))
      .orderBy(desc(orders.placedAt))
      .limit(1);
    expect(reserved).toBeDefined();

    await page.goto(`${app.url}/app/orders`, { waitUntil: "networkidle" });
    await (await hydrated(page.getByPlaceholder("Search order number, customer, email, phone, channel order id, SKU"))).fill(reserved!.number);
    await page.waitForURL((url) => url.searchParams.get("q") === reserved!.number);
    const rows = page.locator("tbody tr");
    // The URL moves with the navigation; React renders the filtered rows a moment later.
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
    expect(await rows.first().innerText()).toContain(reserved!.number);

    await rows.first().locator("td").first().click();
    await page.getByRole("button", { name: "Hold", exact: true }).click();
    expect(await shown(page.getByText("1 order put on hold"))).toBe(true);
    // The list revalidates after the action: the row now carries the new status.
    expect(await shown(rows.first().getByText("On hold"))).toBe(true);
    await screenshot("orders-bulk-hold");

    const [held] = await app.db.select({ status: orders.status }).from(orders).where(eq(orders.id, reserved!.id));
    expect(held!.status).toBe("on_hold");
  }, 120_000);

  it("shows an order's lines, reservations and timeline on the order page", async () => {
    const [order] = await app.db
      .select({ id: orders.id, number: orders.number })
      .from(orders)
      .where(eq(orders.shopId, app.shop.id))
      .orderBy(desc(orders.placedAt))
      .limit(1);
    await page.goto(`${app.url}/app/orders/${order!.id}`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: order!.number, level: 1 }))).toBe(true);
    for (const section of ["Lines", "Reservations by location", "Shipments", "Timeline"]) {
      expect(await shown(page.getByRole("heading", { name: section }))).toBe(true);
    }
    expect(await shown(page.getByText(/Received from/).first())).toBe(true);
    await screenshot("order-page");
  }, 120_000);

  it("marks a reserved order as fulfilled from its page, shipping it with the tracking entered", async () => {
    // Reserved orders are routed by the worker within a moment (reserved -> allocated); both
    // are fully reserved and offered the fulfilment form.
    const [order] = await app.db
      .select({ id: orders.id, number: orders.number })
      .from(orders)
      .where(and(eq(orders.shopId, app.shop.id), inArray(orders.status, ["reserved", "allocated"])))
      .orderBy(desc(orders.placedAt))
      .limit(1);
    await page.goto(`${app.url}/app/orders/${order!.id}`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Mark as fulfilled" }))).toBe(true);
    await (await hydrated(page.getByLabel("Tracking number"))).fill("1Z999AA10123456784");
    await page.getByRole("button", { name: "Mark as fulfilled" }).click();
    // No carrier chosen: the field says so and nothing ships.
    expect(await shown(page.locator(".Polaris-InlineError", { hasText: "Choose a carrier" }))).toBe(true);
    await page.getByLabel("Carrier").selectOption("UPS");
    await page.getByRole("button", { name: "Mark as fulfilled" }).click();
    expect(await shown(page.getByRole("cell", { name: "1Z999AA10123456784" }))).toBe(true);
    await screenshot("order-fulfilled");

    const [shipped] = await app.db.select({ status: orders.status }).from(orders).where(eq(orders.id, order!.id));
    expect(shipped!.status).toBe("shipped");
  }, 120_000);

  it("shows stock per location and available to sell on the inventory page", async () => {
    const [firstSku] = await app.db
      .select({ sku: variants.sku })
      .from(variants)
      .where(and(eq(variants.shopId, app.shop.id)))
      .orderBy(variants.sku)
      .limit(1);
    await page.goto(`${app.url}/app/inventory`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Inventory", level: 1 }))).toBe(true);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(25);
    expect(await rows.first().innerText()).toContain(firstSku!.sku);
    await screenshot("inventory");
  }, 120_000);

  it("records a stock adjustment from the SKU page and lists it in the stock ledger", async () => {
    const [variant] = await app.db
      .select({ id: variants.id, sku: variants.sku })
      .from(variants)
      .where(eq(variants.shopId, app.shop.id))
      .orderBy(variants.sku)
      .limit(1);
    await page.goto(`${app.url}/app/inventory/${variant!.id}`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: variant!.sku, level: 1 }))).toBe(true);
    await (await hydrated(page.getByLabel("Change", { exact: true }))).fill("7");
    await page.getByLabel("Reason").fill("Browser test receipt");
    await page.getByRole("button", { name: "Record adjustment" }).click();
    expect(await shown(page.getByText("Adjustment recorded"))).toBe(true);
    expect(await shown(page.getByRole("cell", { name: "user:demo: Browser test receipt" }))).toBe(true);

    const [movement] = await app.db
      .select()
      .from(inventoryMovements)
      .where(and(eq(inventoryMovements.variantId, variant!.id), eq(inventoryMovements.reason, "Browser test receipt")));
    expect(movement).toMatchObject({ kind: "adjust", onHandDelta: 7, actor: "user:demo" });
    await screenshot("inventory-sku");
  }, 120_000);

  it("renders the locations, location form, channels and exceptions pages from the seeded shop", async () => {
    const [firstLocation] = await app.db
      .select({ id: locations.id, name: locations.name })
      .from(locations)
      .where(eq(locations.shopId, app.shop.id))
      .orderBy(locations.priority, locations.name)
      .limit(1);
    await page.goto(`${app.url}/app/locations`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("link", { name: firstLocation!.name }))).toBe(true);
    await screenshot("locations");

    await page.goto(`${app.url}/app/locations/${firstLocation!.id}`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: firstLocation!.name, level: 1 }))).toBe(true);
    await (await hydrated(page.getByLabel("Latitude"))).fill("123");
    await page.getByRole("button", { name: "Save location" }).click();
    expect(await shown(page.getByText("Latitude must be between -90 and 90"))).toBe(true);
    await screenshot("location-form-errors");

    await page.goto(`${app.url}/app/channels`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Channels", level: 1 }))).toBe(true);
    await screenshot("channels");

    await page.goto(`${app.url}/app/exceptions`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Exceptions", level: 1 }))).toBe(true);
    await screenshot("exceptions");
  }, 120_000);

  it("maps an unmatched order line to a variant from the order page, which reserves it", async () => {
    const [variant] = await app.db
      .select({ id: variants.id, sku: variants.sku })
      .from(variants)
      .where(eq(variants.shopId, app.shop.id))
      .orderBy(variants.sku)
      .limit(1);
    const { orderId } = await ingestOrder(app.db, {
      shopId: app.shop.id,
      actor: "test",
      order: makeOrder({
        lines: [{ externalLineId: "gid://shopify/LineItem/77001", sku: "", channelVariantRef: "gid://shopify/ProductVariant/77001", title: "Mystery mug", quantity: 1, unitPriceMinor: 1200 }],
      }),
    });
    await page.goto(`${app.url}/app/orders/${orderId}`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Unmatched line" }))).toBe(true);
    await (await hydrated(page.getByLabel("Variant"))).fill(variant!.sku);
    await page.getByRole("option", { name: new RegExp(variant!.sku) }).first().click();
    await page.getByRole("button", { name: "Map and reserve" }).click();
    expect(await shown(page.getByText(`Mapped to ${variant!.sku}`))).toBe(true);
    await screenshot("order-line-mapped");

    const [mapped] = await app.db.select({ variantId: orderLines.variantId }).from(orderLines).where(eq(orderLines.orderId, orderId));
    expect(mapped!.variantId).toBe(variant!.id);
    // The card is gone once nothing is left to map.
    await expect.poll(() => page.getByRole("heading", { name: "Unmatched line" }).count(), { timeout: 30_000 }).toBe(0);
  }, 120_000);

  it("draws return rate and reasons per channel and product on the returns analytics page", async () => {
    // A shipped marketplace order comes back; the rollups are brought up to date as the job would.
    const [shipped] = await app.db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.shopId, app.shop.id), eq(orders.channel, "ebay"), eq(orders.status, "shipped")))
      .orderBy(desc(orders.placedAt))
      .limit(1);
    const [line] = await app.db.select({ id: orderLines.id }).from(orderLines).where(eq(orderLines.orderId, shipped!.id)).limit(1);
    const requested = await requestReturn(app.db, { shopId: app.shop.id, orderId: shipped!.id, resolution: "refund", source: "admin", actor: "e2e", lines: [{ orderLineId: line!.id, quantity: 1, reason: "defective" }] });
    if (!requested.ok) throw new Error(requested.detail);
    // The rollup counts what committed before the oldest transaction open at its start (a job of
    // the app's worker may be in one): refresh as the cron would until the return is in.
    const [created] = await app.db.select({ at: returns.createdAt }).from(returns).where(eq(returns.id, requested.value.returnId));
    for (let attempt = 0; attempt < 60; attempt++) {
      const refresh = await app.db.transaction((tx) => refreshReturnRollups(tx, app.shop.id));
      if (new Date(refresh.completeBefore) > created!.at) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    await page.goto(`${app.url}/app/returns/analytics`, { waitUntil: "networkidle" });
    expect(await shown(page.getByRole("heading", { name: "Returns analytics", level: 1 }))).toBe(true);
    // The tables carry the figures (their first column is a row header).
    expect(await shown(page.getByRole("rowheader", { name: "Damaged or defective" }))).toBe(true);
    expect(await shown(page.getByRole("rowheader", { name: "eBay" }))).toBe(true);
    // Polaris Viz draws its charts in the browser, after hydration: three charts of SVG bars.
    await page.locator("svg").nth(2).waitFor({ state: "attached", timeout: 30_000 });
    expect(await page.locator("svg rect, svg path").count()).toBeGreaterThan(3);
    await page.waitForTimeout(1_500);
    await screenshot("returns-analytics");
  }, 120_000);
});
