import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { listChannelConnections } from "../../db/queries/channel-queries";
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
    now: now.toISOString(),
  });
};

export default function ChannelsPage() {
  const { connections, imports, now } = useLoaderData<typeof loader>();
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
                { title: "Last error" },
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
                </IndexTable.Row>
              ))}
            </IndexTable>
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
