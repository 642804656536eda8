import { Link } from "@remix-run/react";
import { Badge, BlockStack, EmptyState, IndexTable, InlineStack, Text } from "@shopify/polaris";
import type { InventoryRow } from "../../db/queries/inventory-queries";
import { EMPTY_STATE_IMAGE } from "./empty-state-image";
import { channelLabel } from "./format";

export function InventoryIndexTable({
  rows,
  loading,
  searched,
  pagination,
}: {
  rows: InventoryRow[];
  loading: boolean;
  searched: boolean;
  pagination: { hasNext: boolean; hasPrevious: boolean; onNext: () => void; onPrevious: () => void };
}) {
  return (
    <IndexTable
      resourceName={{ singular: "SKU", plural: "SKUs" }}
      itemCount={rows.length}
      selectable={false}
      loading={loading}
      pagination={pagination}
      emptyState={
        <EmptyState heading={searched ? "No SKU matches this search" : "No products yet"} image={EMPTY_STATE_IMAGE}>
          <p>{searched ? "Search by SKU, product or variant title, or barcode." : "Products appear here once the catalogue is synced."}</p>
        </EmptyState>
      }
      headings={[
        { title: "SKU" },
        { title: "Product" },
        { title: "On hand", alignment: "end" },
        { title: "Reserved", alignment: "end" },
        { title: "Safety", alignment: "end" },
        { title: "Available", alignment: "end" },
        { title: "By location (on hand / reserved / safety / available)" },
        { title: "Available to sell by channel" },
      ]}
    >
      {rows.map((row, index) => (
        <IndexTable.Row id={row.variantId} key={row.variantId} position={index}>
          <IndexTable.Cell>
            <Link to={`/app/inventory/${row.variantId}`} data-primary-link>
              <Text as="span" fontWeight="semibold">
                {row.sku}
              </Text>
            </Link>
            {row.isKit ? (
              <>
                {" "}
                <Badge>Kit</Badge>
              </>
            ) : null}
          </IndexTable.Cell>
          <IndexTable.Cell>
            <BlockStack gap="050">
              <Text as="span">{row.productTitle}</Text>
              <Text as="span" variant="bodySm" tone="subdued">
                {row.variantTitle}
              </Text>
            </BlockStack>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {row.totals.onHand}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {row.totals.reserved}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {row.totals.safetyStock}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric fontWeight="semibold" tone={row.totals.available === 0 ? "critical" : undefined}>
              {row.totals.available}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <BlockStack gap="050">
              {row.locations
                .filter((location) => location.onHand > 0 || location.reserved > 0)
                .map((location) => (
                  <Text key={location.locationId} as="span" variant="bodySm">
                    {location.locationName}: {location.onHand} / {location.reserved} / {location.safetyStock} /{" "}
                    <Text as="span" variant="bodySm" fontWeight="semibold">
                      {location.available}
                    </Text>
                  </Text>
                ))}
              {row.locations.every((location) => location.onHand === 0 && location.reserved === 0) ? (
                <Text as="span" variant="bodySm" tone="subdued">
                  Not stocked anywhere
                </Text>
              ) : null}
            </BlockStack>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <InlineStack gap="100">
              {row.channels.map((channel) =>
                channel.availableToSell === null ? null : (
                  <Badge key={channel.connectionId} tone={channel.availableToSell === 0 ? "critical" : "info"}>
                    {`${channelLabel(channel.channel)} ${channel.availableToSell}`}
                  </Badge>
                ),
              )}
              {row.channels.every((channel) => channel.availableToSell === null) ? (
                <Text as="span" variant="bodySm" tone="subdued">
                  Not listed
                </Text>
              ) : null}
            </InlineStack>
          </IndexTable.Cell>
        </IndexTable.Row>
      ))}
    </IndexTable>
  );
}
