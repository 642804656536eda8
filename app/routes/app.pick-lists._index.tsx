import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { pickLocations } from "../../db/repositories/pick-wave-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  return json({ locations: await pickLocations(getDatabase(), shop.id) });
};

/** Every location with the shipments waiting to be picked there. */
export default function PickListsPage() {
  const { locations } = useLoaderData<typeof loader>();
  return (
    <Page title="Pick lists" subtitle="Shipments with labels, batched in waves per location">
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "location", plural: "locations" }}
              itemCount={locations.length}
              selectable={false}
              headings={[{ title: "Location" }, { title: "Ready to pick", alignment: "end" }, { title: "Waves", alignment: "end" }]}
            >
              {locations.map((location, index) => (
                <IndexTable.Row id={location.id} key={location.id} position={index}>
                  <IndexTable.Cell>
                    <Link to={`/app/pick-lists/${location.id}`} data-primary-link>
                      <Text as="span" fontWeight="semibold">
                        {location.name}
                      </Text>
                    </Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.ready > 0 ? <Badge tone="attention">{String(location.ready)}</Badge> : "0"}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {location.waves}
                    </Text>
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
  return <RouteErrorBanner context="Pick lists" />;
}
