import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { listChannelConnections } from "../../db/queries/channel-queries";
import { connectionSyncStats, recentPushLatencies } from "../../db/queries/stock-sync-health-queries";
import { switchConnection } from "../../db/repositories/channel-connection-switch-repository";
import { PushLatencyChart } from "../components/push-latency-chart";
import { latestImportRunsByConnection } from "../../db/queries/import-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { EMPTY_STATE_IMAGE } from "../components/empty-state-image";
import { channelLabel, formatAge, formatDateTime } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { ShopifyImportCard } from "../components/shopify-import-card";
import { ConnectionStatusBadge } from "../components/status-badges";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const now = new Date();
  return json({
    connections: await listChannelConnections(getDatabase(), shop.id, now),
    imports: await latestImportRunsByConnection(getDatabase(), shop.id),
    sync: await connectionSyncStats(getDatabase(), shop.id),
    latencies: await recentPushLatencies(getDatabase(), shop.id),
    now: now.toISOString(),
  });
};

const switchSchema = z.object({ connectionId: z.guid(), intent: z.enum(["connect", "disconnect"]) });

/** Connect / disconnect a connection: a form post from the table. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const parsed = switchSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ message: "Choose a connection and connect or disconnect." }, { status: 400 });
  const result = await switchConnection(getDatabase(), { shopId: shop.id, connectionId: parsed.data.connectionId, to: parsed.data.intent });
  if (!result.ok) return json({ message: "This channel connection does not exist in this shop." }, { status: 404 });
  return json({ status: result.status });
};

export default function ChannelsPage() {
  const { connections, imports, sync, latencies, now } = useLoaderData<typeof loader>();
  const loading = useRouteLoading();
  return (
    <Page fullWidth title="Channels" subtitle="Where orders come from and where stock is pushed">
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "channel connection", plural: "channel connections" }}
              itemCount={connections.length}
              selectable={false}
              loading={loading}
              emptyState={
                <EmptyState heading="No channel connected" image={EMPTY_STATE_IMAGE}>
                  <p>Connect Shopify, Amazon, eBay or WooCommerce to receive their orders and push stock to them.</p>
                </EmptyState>
              }
              headings={[
                { title: "Channel" },
                { title: "Status" },
                { title: "Locations feeding stock" },
                { title: "Listings", alignment: "end" },
                { title: "Orders (7 days)", alignment: "end" },
                { title: "Last order received" },
                { title: "Last stock push" },
                { title: "Queue", alignment: "end" },
                { title: "Pending results", alignment: "end" },
                { title: "Drift (24 h)", alignment: "end" },
                { title: "Last error" },
                { title: "" },
              ]}
            >
              {connections.map((connection, index) => (
                <IndexTable.Row id={connection.id} key={connection.id} position={index}>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold">
                        {channelLabel(connection.channel)}
                      </Text>
                      <Text as="span" variant="bodySm" tone="subdued">
                        {connection.name}
                      </Text>
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <ConnectionStatusBadge status={connection.status} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>{connection.locationNames.join(", ") || "none"}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {connection.listings}
                      {connection.listingsWithPushError > 0 ? ` (${connection.listingsWithPushError} failing)` : ""}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {connection.ordersLast7Days}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {connection.lastOrderAt ? `${formatAge(connection.lastOrderAt, now)} ago` : "never"}
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {connection.lastPushAt ? `${formatAge(connection.lastPushAt, now)} ago` : "never"}
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {sync[connection.id]?.queueDepth ?? 0}
                      {sync[connection.id]?.oldestQueuedAt ? ` (oldest ${formatAge(sync[connection.id]!.oldestQueuedAt!, now)})` : ""}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {sync[connection.id]?.pendingResults ?? 0}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {sync[connection.id]?.driftFound24h ?? 0}
                      {sync[connection.id]?.failedRuns24h ? ` · ${sync[connection.id]!.failedRuns24h} failed runs` : ""}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {connection.lastError ? (
                      <BlockStack gap="050">
                        <Text as="span" tone="critical" breakWord>
                          {connection.lastError}
                        </Text>
                        <Text as="span" variant="bodySm" tone="subdued">
                          {formatDateTime(connection.lastErrorAt)}
                        </Text>
                      </BlockStack>
                    ) : (
                      "none"
                    )}
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Form method="post">
                      <input type="hidden" name="connectionId" value={connection.id} />
                      <input type="hidden" name="intent" value={connection.status === "connected" ? "disconnect" : "connect"} />
                      <Button submit size="slim" tone={connection.status === "connected" ? "critical" : undefined}>
                        {connection.status === "connected" ? "Disconnect" : "Connect"}
                      </Button>
                    </Form>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Stock push latency
              </Text>
              <Text as="p" variant="bodySm" tone="subdued">
                From a stock change to the channel confirming the new figure, per sync run (line: median; dots: slowest item).
              </Text>
              <PushLatencyChart
                series={connections.map((connection) => ({
                  connectionId: connection.id,
                  channel: connection.channel,
                  name: connection.name,
                  points: latencies.filter((point) => point.connectionId === connection.id),
                })).filter((s) => s.points.length > 0)}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        {connections
          .filter((connection) => connection.channel === "shopify")
          .map((connection) => (
            <Layout.Section key={`import-${connection.id}`}>
              <ShopifyImportCard connectionId={connection.id} connectionName={connection.name} run={imports[connection.id] ?? null} />
            </Layout.Section>
          ))}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Channels" />;
}
