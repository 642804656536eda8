import { useEffect, useState } from "react";
import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Box, Card, Layout, Page, TextField } from "@shopify/polaris";
import { z } from "zod";
import { listInventory } from "../../db/queries/inventory-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { InventoryIndexTable } from "../components/inventory-table";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

const inventoryListParamsSchema = z.object({
  q: z.string().max(200).optional(),
  cursor: z.string().max(255).optional(),
  direction: z.enum(["after", "before"]).default("after"),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const params = parseOrThrow(inventoryListParamsSchema, searchParamsToObject(new URL(request.url).searchParams), "inventory search");
  const page = await listInventory(getDatabase(), shop.id, { search: params.q, cursor: params.cursor, direction: params.direction });
  return json({ page });
};

export default function InventoryPage() {
  const { page } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const loading = useRouteLoading();
  const currentQuery = searchParams.get("q") ?? "";
  const [query, setQuery] = useState(currentQuery);

  useEffect(() => setQuery(currentQuery), [currentQuery]);
  useEffect(() => {
    if (query === currentQuery) return;
    // Wait for a pause in typing; a new search starts from the first SKU.
    const timer = setTimeout(() => setSearchParams(query.trim() ? { q: query.trim() } : {}), 350);
    return () => clearTimeout(timer);
  }, [query, currentQuery, setSearchParams]);

  const goToPage = (direction: "after" | "before", cursor: string | null) => {
    if (!cursor) return;
    const params = new URLSearchParams(searchParams);
    params.set("cursor", cursor);
    params.set("direction", direction);
    setSearchParams(params);
  };

  return (
    <Page fullWidth title="Inventory" subtitle="On hand, reserved, safety stock and available per location; available to sell per channel">
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <Box padding="300">
              <TextField
                label="Search SKUs"
                labelHidden
                placeholder="Search by SKU, product, variant or barcode"
                autoComplete="off"
                value={query}
                onChange={setQuery}
                clearButton
                onClearButtonClick={() => setQuery("")}
              />
            </Box>
            <InventoryIndexTable
              rows={page.rows}
              loading={loading}
              searched={Boolean(currentQuery)}
              pagination={{
                hasNext: page.hasNextPage,
                hasPrevious: page.hasPreviousPage,
                onNext: () => goToPage("after", page.endCursor),
                onPrevious: () => goToPage("before", page.startCursor),
              }}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Inventory" />;
}
