import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { channelConnections, exceptions, orders } from "../../db/schema";
import { loader as appLayoutLoader } from "../routes/app";
import { loader as dashboardLoader } from "../routes/app._index";
import { callLoader, readJson, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();

async function insertOrder(channel: string, status: string, placedAt: Date, number: string) {
  const [row] = await context.database.db
    .insert(orders)
    .values({
      shopId: context.demoShop.id,
      channel,
      externalId: `${channel}-${number}`,
      number,
      status,
      financialStatus: "paid",
      currency: "USD",
      subtotalMinor: 1000,
      totalMinor: 1000,
      placedAt,
      sourceUpdatedAt: placedAt,
    })
    .returning();
  return row!;
}

describe("dashboard loader", () => {
  it("counts today's and this week's orders per channel from the orders table", async () => {
    const now = new Date();
    const startOfToday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    // Clamped to today so the test holds just after midnight UTC too.
    const earlierToday = (ms: number) => new Date(Math.max(startOfToday.getTime(), now.getTime() - ms));
    await insertOrder("shopify", "reserved", earlierToday(60_000), "#D1");
    await insertOrder("shopify", "reserved", earlierToday(120_000), "#D2");
    await insertOrder("amazon", "shipped", earlierToday(180_000), "A-D3");
    // 40 days ago: outside the week and outside the 30-day chart.
    await insertOrder("ebay", "shipped", new Date(startOfToday.getTime() - 40 * 86_400_000), "E-OLD");

    const dashboard = await readJson(await callLoader(dashboardLoader, "/app"));

    const shopify = dashboard.ordersByChannel.find((row: { channel: string }) => row.channel === "shopify");
    const amazon = dashboard.ordersByChannel.find((row: { channel: string }) => row.channel === "amazon");
    expect(shopify).toMatchObject({ today: 2, thisWeek: 2 });
    expect(amazon).toMatchObject({ today: 1, thisWeek: 1 });
    expect(dashboard.ordersByChannel.some((row: { channel: string }) => row.channel === "ebay")).toBe(false);
  });

  it("draws 30 days of orders per channel with zero-filled days and nothing older", async () => {
    const dashboard = await readJson(await callLoader(dashboardLoader, "/app"));
    expect(dashboard.dailyOrders.days).toHaveLength(30);
    expect(dashboard.dailyOrders.days.at(-1)).toBe(new Date().toISOString().slice(0, 10));
    const shopify = dashboard.dailyOrders.series.find((line: { channel: string }) => line.channel === "shopify");
    expect(shopify.counts.at(-1)).toBeGreaterThanOrEqual(2);
    expect(shopify.counts.reduce((sum: number, count: number) => sum + count, 0)).toBe(2);
    expect(dashboard.dailyOrders.series.some((line: { channel: string }) => line.channel === "ebay")).toBe(false);
  });

  it("lists on-hold and backordered orders and counts open exceptions as needing attention", async () => {
    const held = await insertOrder("woocommerce", "on_hold", new Date(Date.now() - 3_600_000), "#W-HOLD");
    await insertOrder("amazon", "backordered", new Date(Date.now() - 7_200_000), "A-BACK");
    await context.database.db.insert(exceptions).values([
      { shopId: context.demoShop.id, orderId: held.id, kind: "high_risk", message: "High risk order" },
      { shopId: context.demoShop.id, kind: "sync_failed", message: "Push failed", status: "resolved" },
    ]);

    const dashboard = await readJson(await callLoader(dashboardLoader, "/app"));

    expect(dashboard.attention).toMatchObject({ onHold: 1, backordered: 1, openExceptions: 1 });
    const heldRow = dashboard.attention.orders.find((order: { number: string }) => order.number === "#W-HOLD");
    expect(heldRow).toMatchObject({ status: "on_hold", openExceptions: 1 });
  });

  it("reports each channel connection's last order received, last push and last error", async () => {
    // "Last order received" is the newest eBay order row, derived rather than stored.
    const [newestEbayOrder] = await context.database.db
      .select({ createdAt: orders.createdAt })
      .from(orders)
      .where(eq(orders.channel, "ebay"))
      .orderBy(desc(orders.createdAt))
      .limit(1);
    const lastOrderAt = newestEbayOrder!.createdAt;
    await context.database.db.insert(channelConnections).values({
      shopId: context.demoShop.id,
      channel: "ebay",
      name: "eBay US",
      status: "error",
      lastErrorAt: new Date("2026-11-21T08:00:00Z"),
      lastError: "401 from eBay: token expired",
    });

    const dashboard = await readJson(await callLoader(dashboardLoader, "/app"));

    expect(dashboard.syncHealth).toEqual([
      expect.objectContaining({
        channel: "ebay",
        name: "eBay US",
        status: "error",
        lastOrderAt: lastOrderAt.toISOString(),
        lastPushAt: null,
        lastError: "401 from eBay: token expired",
      }),
    ]);
  });
});

describe("app layout loader in demo mode", () => {
  it("serves the demo shop without Shopify credentials", async () => {
    const layout = await readJson(await callLoader(appLayoutLoader, "/app"));
    expect(layout).toEqual({ apiKey: "", demo: true, shopName: "Switchyard Demo" });
  });
});
