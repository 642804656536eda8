import { Link } from "@remix-run/react";
import { Badge, EmptyState, IndexTable, Text, useIndexResourceState } from "@shopify/polaris";
import type { OrderListRow } from "../../db/queries/order-queries";
import { EMPTY_STATE_IMAGE } from "./empty-state-image";
import { channelLabel, formatDateTime, formatMoney } from "./format";
import { FinancialStatusBadge, OrderStatusBadge } from "./status-badges";

export type OrderBulkIntent = "hold" | "release_hold" | "cancel";

export function OrdersIndexTable({
  rows,
  loading,
  filtered,
  pagination,
  onBulkAction,
}: {
  rows: OrderListRow[];
  loading: boolean;
  /** Whether filters or a search are applied: decides which empty state to show. */
  filtered: boolean;
  pagination: { hasNext: boolean; hasPrevious: boolean; onNext: () => void; onPrevious: () => void };
  onBulkAction: (intent: OrderBulkIntent, orderIds: string[]) => void;
}) {
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(
    rows as unknown as { [key: string]: unknown }[],
  );
  const act = (intent: OrderBulkIntent) => () => {
    onBulkAction(intent, selectedResources);
    clearSelection();
  };

  return (
    <IndexTable
      resourceName={{ singular: "order", plural: "orders" }}
      itemCount={rows.length}
      selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
      onSelectionChange={handleSelectionChange}
      loading={loading}
      promotedBulkActions={[
        { content: "Hold", onAction: act("hold") },
        { content: "Release hold", onAction: act("release_hold") },
      ]}
      bulkActions={[{ items: [{ content: "Cancel orders", destructive: true, onAction: act("cancel") }] }]}
      emptyState={
        <EmptyState
          heading={filtered ? "No orders match these filters" : "No orders yet"}
          image={EMPTY_STATE_IMAGE}
        >
          <p>
            {filtered
              ? "Try another search, or clear the filters."
              : "Orders from Shopify, Amazon, eBay and WooCommerce appear here as soon as they arrive."}
          </p>
        </EmptyState>
      }
      headings={[
        { title: "Order" },
        { title: "Placed" },
        { title: "Channel" },
        { title: "Customer" },
        { title: "Status" },
        { title: "Payment" },
        { title: "Units", alignment: "end" },
        { title: "Total", alignment: "end" },
      ]}
      pagination={pagination}
    >
      {rows.map((order, index) => (
        <IndexTable.Row id={order.id} key={order.id} position={index} selected={selectedResources.includes(order.id)}>
          <IndexTable.Cell>
            <Link to={`/app/orders/${order.id}`} onClick={(event) => event.stopPropagation()} data-primary-link>
              <Text as="span" variant="bodyMd" fontWeight="semibold">
                {order.number}
              </Text>
            </Link>{" "}
            {order.openExceptions > 0 ? <Badge tone="critical">{`${order.openExceptions} open`}</Badge> : null}
          </IndexTable.Cell>
          <IndexTable.Cell>{formatDateTime(order.placedAt)}</IndexTable.Cell>
          <IndexTable.Cell>{channelLabel(order.channel)}</IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span">{order.customerName ?? order.customerEmail ?? "—"}</Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <OrderStatusBadge status={order.status} />
          </IndexTable.Cell>
          <IndexTable.Cell>
            <FinancialStatusBadge status={order.financialStatus} />
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {order.units}
            </Text>
          </IndexTable.Cell>
          <IndexTable.Cell>
            <Text as="span" alignment="end" numeric>
              {formatMoney(order.totalMinor, order.currency)}
            </Text>
          </IndexTable.Cell>
        </IndexTable.Row>
      ))}
    </IndexTable>
  );
}
