import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { loadDashboard } from "../../db/queries/dashboard-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { DemoTrafficCard } from "../components/demo-traffic-card";
import { AttentionCard, OrdersByChannelCard, SyncHealthCard } from "../components/dashboard-cards";
import { OrdersPerDayChart } from "../components/orders-per-day-chart";
import { PageSkeleton } from "../components/page-loading";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, demo } = await requireAdminContext(request);
  return json({ ...(await loadDashboard(getDatabase(), shop.id)), demo });
};

export default function DashboardPage() {
  const dashboard = useLoaderData<typeof loader>();
  const loading = useRouteLoading();
  if (loading) return <PageSkeleton title="Dashboard" />;

  const totalInChart = dashboard.dailyOrders.series.reduce(
    (sum, line) => sum + line.counts.reduce((lineSum, value) => lineSum + value, 0),
    0,
  );
  return (
    <Page title="Dashboard">
      <Layout>
        <Layout.Section variant="oneHalf">
          <OrdersByChannelCard rows={dashboard.ordersByChannel} />
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <AttentionCard {...dashboard.attention} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Orders per day, last {dashboard.dailyOrders.days.length} days
              </Text>
              {totalInChart === 0 ? (
                <Text as="p" tone="subdued">
                  No orders in the last {dashboard.dailyOrders.days.length} days.
                </Text>
              ) : (
                <OrdersPerDayChart days={dashboard.dailyOrders.days} series={dashboard.dailyOrders.series} />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {dashboard.demo ? (
          <Layout.Section>
            <DemoTrafficCard />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <SyncHealthCard connections={dashboard.syncHealth} now={dashboard.generatedAt} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Dashboard" />;
}
