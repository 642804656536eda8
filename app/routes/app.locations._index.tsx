import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, EmptyState, IndexTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { listLocations } from "../../db/queries/location-queries";
import { requireAdminContext } from "../auth/admin-context.server";
import { EMPTY_STATE_IMAGE } from "../components/empty-state-image";
import { humanize } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  return json({ locations: await listLocations(getDatabase(), shop.id) });
};

const KIND_LABELS: Record<string, string> = { warehouse: "Warehouse", store: "Store", "3pl": "3PL" };

export default function LocationsPage() {
  const { locations } = useLoaderData<typeof loader>();
  const loading = useRouteLoading();
  return (
    <Page title="Locations" primaryAction={{ content: "Add location", url: "/app/locations/new" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "location", plural: "locations" }}
              itemCount={locations.length}
              selectable={false}
              loading={loading}
              emptyState={
                <EmptyState
                  heading="Add your first location"
                  action={{ content: "Add location", url: "/app/locations/new" }}
                  image={EMPTY_STATE_IMAGE}
                >
                  <p>Warehouses, stores and 3PLs hold stock and fulfil orders.</p>
                </EmptyState>
              }
              headings={[
                { title: "Name" },
                { title: "Kind" },
                { title: "Place" },
                { title: "Capabilities" },
                { title: "Daily capacity", alignment: "end" },
                { title: "Priority", alignment: "end" },
                { title: "SKUs in stock", alignment: "end" },
                { title: "On hand / reserved", alignment: "end" },
                { title: "Status" },
              ]}
            >
              {locations.map((location, index) => (
                <IndexTable.Row id={location.id} key={location.id} position={index}>
                  <IndexTable.Cell>
                    <Link to={`/app/locations/${location.id}`} data-primary-link>
                      <Text as="span" fontWeight="semibold">
                        {location.name}
                      </Text>
                    </Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{KIND_LABELS[location.kind] ?? humanize(location.kind)}</IndexTable.Cell>
                  <IndexTable.Cell>
                    {[location.city, location.region, location.countryCode].filter(Boolean).join(", ")}
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <InlineStack gap="100">
                      {location.canShip ? <Badge>Ship</Badge> : null}
                      {location.canPickup ? <Badge>Pickup</Badge> : null}
                      {location.canCurbside ? <Badge>Curbside</Badge> : null}
                    </InlineStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.dailyCapacity ?? "unlimited"}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.priority}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.skusStocked}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.unitsOnHand} / {location.unitsReserved}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {location.active ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Locations" />;
}
