import { Link } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, EmptyState, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import type { AttentionOrder, ChannelOrderCounts, ChannelSyncHealth } from "../../db/queries/dashboard-queries";
import { EMPTY_STATE_IMAGE } from "./empty-state-image";
import { channelLabel, formatAge, formatDateTime, formatNumber } from "./format";
import { ConnectionStatusBadge, OrderStatusBadge } from "./status-badges";

type Serialized<T> = { [K in keyof T]: T[K] };

export function OrdersByChannelCard({ rows }: { rows: Serialized<ChannelOrderCounts>[] }) {
  const today = rows.reduce((sum, row) => sum + row.today, 0);
  const week = rows.reduce((sum, row) => sum + row.thisWeek, 0);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Orders by channel
        </Text>
        <InlineGrid columns={2} gap="300">
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              Today (UTC)
            </Text>
            <Text as="p" variant="heading2xl" data-testid="orders-today-total">
              {formatNumber(today)}
            </Text>
          </BlockStack>
          <BlockStack gap="100">
            <Text as="p" tone="subdued">
              This week (since Monday, UTC)
            </Text>
            <Text as="p" variant="heading2xl" data-testid="orders-week-total">
              {formatNumber(week)}
            </Text>
          </BlockStack>
        </InlineGrid>
        {rows.length === 0 ? (
          <Text as="p" tone="subdued">
            No orders this week yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "numeric", "numeric"]}
            headings={["Channel", "Today", "This week"]}
            rows={rows.map((row) => [channelLabel(row.channel), formatNumber(row.today), formatNumber(row.thisWeek)])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

export function AttentionCard({
  onHold,
  backordered,
  openExceptions,
  orders,
}: {
  onHold: number;
  backordered: number;
  openExceptions: number;
  orders: AttentionOrder[];
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Needs attention
        </Text>
        <InlineGrid columns={3} gap="300">
          <Metric label="On hold" value={onHold} to="/app/orders?status=on_hold" />
          <Metric label="Backordered" value={backordered} to="/app/orders?status=backordered" />
          <Metric label="Open exceptions" value={openExceptions} to="/app/exceptions" />
        </InlineGrid>
        {orders.length === 0 ? (
          <Text as="p" tone="subdued">
            No order is on hold or backordered.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric"]}
            headings={["Order", "Channel", "Status", "Open exceptions"]}
            rows={orders.map((order) => [
              <Link key={order.id} to={`/app/orders/${order.id}`}>
                {order.number}
              </Link>,
              channelLabel(order.channel),
              <OrderStatusBadge key={`${order.id}-status`} status={order.status} />,
              order.openExceptions,
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

function Metric({ label, value, to }: { label: string; value: number; to: string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      <Link to={to}>
        <Text as="span" variant="headingXl" tone={value > 0 ? "critical" : undefined}>
          {formatNumber(value)}
        </Text>
      </Link>
    </BlockStack>
  );
}

export function SyncHealthCard({ connections, now }: { connections: ChannelSyncHealth[]; now: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Sync health
          </Text>
          <Link to="/app/channels">All channels</Link>
        </InlineStack>
        {connections.length === 0 ? (
          <EmptyState heading="No channels connected" image={EMPTY_STATE_IMAGE}>
            <p>Connect Shopify, Amazon, eBay or WooCommerce to start receiving orders.</p>
          </EmptyState>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={["Channel", "Status", "Last order received", "Last stock push", "Last error"]}
            rows={connections.map((connection) => [
              `${channelLabel(connection.channel)} · ${connection.name}`,
              <ConnectionStatusBadge key={connection.id} status={connection.status} />,
              connection.lastOrderAt ? `${formatAge(connection.lastOrderAt, now)} ago` : "never",
              connection.lastPushAt ? `${formatAge(connection.lastPushAt, now)} ago` : "never",
              connection.lastError ? (
                <BlockStack key={`${connection.id}-error`} gap="050">
                  <Badge tone="critical">{formatDateTime(connection.lastErrorAt)}</Badge>
                  <Text as="span" variant="bodySm" breakWord>
                    {connection.lastError}
                  </Text>
                </BlockStack>
              ) : (
                "none"
              ),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}
