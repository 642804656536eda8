import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import type { LinksFunction } from "@remix-run/node";
import { BlockStack, Box, Button, ButtonGroup, Card, DataTable, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, useState, type ReactNode } from "react";
import { z } from "zod";
import { RETURN_REASON_LABELS, type ReturnReason } from "../../core/returns/return-rules";
import { loadReturnAnalytics, type RateRow } from "../../db/queries/return-analytics-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { channelLabel, formatDateTime } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

/**
 * Return rate and reasons per channel and per product, drawn with Polaris Viz from the per-day
 * rollups (reports:returns-rollup): the view reads a few hundred rows whatever the history.
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

const analyticsParamsSchema = z.object({ days: z.enum(["7", "30", "90"]).default("30") });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { days } = parseOrThrow(analyticsParamsSchema, searchParamsToObject(new URL(request.url).searchParams), "analytics window");
  return json(await loadReturnAnalytics(getDatabase(), shop.id, { days: Number(days) }));
};

const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);
const reasonLabel = (reason: string) => RETURN_REASON_LABELS[reason as ReturnReason] ?? reason;

/**
 * Polaris Viz measures the page (window, touch support) while rendering, so its charts are drawn
 * once the page is hydrated; the server renders the same figures as tables, readable without them.
 */
function ClientChart({ height, children }: { height: string; children: () => ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <Box minHeight={height}>{mounted ? <PolarisVizProvider>{children()}</PolarisVizProvider> : null}</Box>;
}

function rateTable(rows: RateRow[], label: (row: RateRow) => string) {
  return (
    <DataTable
      columnContentTypes={["text", "numeric", "numeric", "numeric"]}
      headings={["", "Sold", "Returned", "Return rate"]}
      rows={rows.map((row) => [label(row), row.soldUnits, row.returnedUnits, percent(row.rate)])}
    />
  );
}

export default function ReturnAnalyticsPage() {
  const analytics = useLoaderData<typeof loader>();
  const [, setSearchParams] = useSearchParams();
  const empty = analytics.byChannel.length === 0;
  const rateSeries = (rows: RateRow[], label: (row: RateRow) => string) => [
    { name: "Return rate (%)", data: rows.map((row) => ({ key: label(row), value: row.rate === null ? null : Math.round(row.rate * 1000) / 10 })) },
  ];
  const reasons = [...new Set(analytics.reasonByChannel.map((row) => row.reason))];
  const channels = [...new Set(analytics.reasonByChannel.map((row) => row.channel))];
  const reasonSeries = channels.map((channel) => ({
    name: channelLabel(channel),
    data: reasons.map((reason) => ({ key: reasonLabel(reason), value: analytics.reasonByChannel.find((row) => row.channel === channel && row.reason === reason)?.units ?? 0 })),
  }));

  return (
    <Page
      fullWidth
      backAction={{ content: "Returns", url: "/app/returns" }}
      title="Returns analytics"
      subtitle={`Return rate and reasons, ${analytics.fromDay} to ${analytics.toDay} (UTC days)${analytics.completeBefore ? ` · counted up to ${formatDateTime(analytics.completeBefore)}` : ""}`}
      secondaryActions={[{ content: "Return queue", url: "/app/returns" }]}
    >
      <Layout>
          <Layout.Section>
            <ButtonGroup variant="segmented">
              {(["7", "30", "90"] as const).map((days) => (
                <Button key={days} pressed={String(analytics.days) === days} onClick={() => setSearchParams({ days })}>
                  {`${days} days`}
                </Button>
              ))}
            </ButtonGroup>
          </Layout.Section>
          {empty ? (
            <Layout.Section>
              <Card>
                <Text as="p" tone="subdued">
                  {analytics.completeBefore
                    ? "No sales or returns in this window."
                    : "The figures are being counted for the first time; they appear within a minute (the reports job runs every minute)."}
                </Text>
              </Card>
            </Layout.Section>
          ) : (
            <>
              <Layout.Section>
                <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                  <Card>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        Return rate by channel
                      </Text>
                      <ClientChart height="260px">{() => <BarChart theme="Light" data={rateSeries(analytics.byChannel, (row) => channelLabel(row.key))} showLegend={false} />}</ClientChart>
                      {rateTable(analytics.byChannel, (row) => channelLabel(row.key))}
                    </BlockStack>
                  </Card>
                  <Card>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        Reasons by channel (units)
                      </Text>
                      <ClientChart height="260px">{() => <BarChart theme="Light" type="stacked" direction="horizontal" data={reasonSeries} />}</ClientChart>
                      <DataTable
                        columnContentTypes={["text", "numeric"]}
                        headings={["Reason", "Units returned"]}
                        rows={analytics.byReason.map((row) => [reasonLabel(row.reason), row.units])}
                      />
                    </BlockStack>
                  </Card>
                </InlineGrid>
              </Layout.Section>
              <Layout.Section>
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      Most returned products
                    </Text>
                    {analytics.byProduct.length === 0 ? (
                      <Text as="p" tone="subdued">
                        Nothing was returned in this window.
                      </Text>
                    ) : (
                      <>
                        <ClientChart height="300px">{() => <BarChart theme="Light" direction="horizontal" data={rateSeries(analytics.byProduct, (row) => row.label)} showLegend={false} />}</ClientChart>
                        {rateTable(analytics.byProduct, (row) => row.label)}
                      </>
                    )}
                  </BlockStack>
                </Card>
              </Layout.Section>
            </>
          )}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Returns analytics" />;
}
