import { beforeAll, describe, expect, it } from "vitest";
import { orderExportBatches } from "../../db/queries/order-export-queries";
import { orders } from "../../db/schema";
import { loader as exportLoader } from "../routes/app.orders.export";
import { callLoader, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();

beforeAll(async () => {
  const channels = ["shopify", "amazon"] as const;
  await context.database.db.insert(orders).values(
    Array.from({ length: 7 }, (_, index) => ({
      shopId: context.demoShop.id,
      channel: channels[index % 2]!,
      externalId: `export-${index}`,
      number: `#E${index}`,
      status: index === 3 ? "on_hold" : "reserved",
      financialStatus: "paid",
      customerName: index === 5 ? 'Quote "Q" Person, Jr.' : `Customer ${index}`,
      currency: "USD",
      subtotalMinor: 1000 + index,
      totalMinor: 1000 + index,
      placedAt: new Date(Date.UTC(2026, 10, 1 + index, 12)),
      sourceUpdatedAt: new Date(Date.UTC(2026, 10, 1 + index, 12)),
    })),
  );
});

describe("orders CSV export", () => {
  it("streams every matching order newest first with a header and the announced total", async () => {
    const response = await callLoader(exportLoader, "/app/orders/export");
    expect(response.headers.get("content-type")).toContain("text/csv");
    expect(response.headers.get("X-Export-Total")).toBe("7");
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Order,Channel,Status,Payment,Placed at (UTC),Customer,Email,Units,Currency,Total,Open exceptions,Switchyard id");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(["#E6", "#E5", "#E4", "#E3", "#E2", "#E1", "#E0"]);
    // Quotes and commas in a field are escaped, money is a decimal in the order's currency.
    expect(lines[2]).toContain('"Quote ""Q"" Person, Jr."');
    expect(lines[2]).toContain(",USD,10.05,");
  });

  it("applies the Orders page's filters", async () => {
    const response = await callLoader(exportLoader, "/app/orders/export?channel=amazon&status=on_hold");
    expect(response.headers.get("X-Export-Total")).toBe("1");
    const lines = (await response.text()).trim().split("\n");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(["#E3"]);
  });

  it("reads the history in keyset batches without repeating or skipping an order", async () => {
    const numbers: string[] = [];
    let batches = 0;
    for await (const batch of orderExportBatches(context.database.db, context.demoShop.id, {}, 2)) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(2);
      numbers.push(...batch.map((row) => row.number));
    }
    expect(batches).toBe(4);
    expect(numbers).toEqual(["#E6", "#E5", "#E4", "#E3", "#E2", "#E1", "#E0"]);
  });

  it("answers 400 for filters it cannot read", async () => {
    const response = await thrownResponse(callLoader(exportLoader, "/app/orders/export?status=lost"));
    expect(response.status).toBe(400);
  });
});
