import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToString } from "react-dom/server";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import type { ImportRunView } from "../../db/queries/import-queries";
import { ShopifyImportCard } from "../components/shopify-import-card";

async function render(run: ImportRunView | null): Promise<string> {
  const routes = [
    { path: "/", element: <AppProvider i18n={en}><ShopifyImportCard connectionId="c1" connectionName="Demo Shopify" run={run} /></AppProvider> },
  ];
  const handler = createStaticHandler(routes);
  const context = await handler.query(new Request("http://localhost/"));
  if (context instanceof Response) throw new Error("unexpected redirect");
  return renderToString(<StaticRouterProvider router={createStaticRouter(handler.dataRoutes, context)} context={context} />);
}

const baseRun: ImportRunView = {
  id: "r1",
  connectionId: "c1",
  status: "running",
  progress: { locations: { done: 1, total: 1 }, products: { done: 2, total: null } },
  counts: { products: { created: 4, updated: 0, unchanged: 0, skipped: 2, skipReasons: { duplicate_sku: 1, no_sku: 1 }, skippedExamples: [] } },
  error: null,
  startedAt: "2026-11-27T13:00:00.000Z",
  finishedAt: null,
  createdAt: "2026-11-27T12:59:00.000Z",
};

describe("Shopify import card", () => {
  it("offers the import when nothing was imported yet", async () => {
    const html = await render(null);
    expect(html).toContain("Import from Shopify");
    expect(html).toContain("Nothing imported yet.");
  });

  it("shows a running import's progress per resource and skip reasons in the merchant's words, with the button disabled", async () => {
    const html = await render(baseRun);
    expect(html).toContain("Import running");
    expect(html).toContain("1 of 1 pages");
    expect(html).toContain("2 pages so far");
    expect(html).toContain("SKU already used by another variant");
    expect(html).toContain("no SKU in Shopify");
  });

  it("shows why a failed import stopped and that what it imported is kept", async () => {
    const html = await render({ ...baseRun, status: "failed", error: "products: network_error — fetch failed", finishedAt: "2026-11-27T13:01:00.000Z" });
    expect(html).toContain("products: network_error");
    expect(html).toContain("What was imported before the error is kept");
  });
});
