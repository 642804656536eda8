import { Link } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { OrderDetail } from "../../db/queries/order-queries";
import { formatDateTime, formatMoney, humanize } from "./format";
import { TrackingBadge } from "./order-shipping-cards";

export function OrderLinesCard({ lines, currency }: { lines: OrderDetail["lines"]; currency: string }) {
  const short = lines.reduce((sum, line) => sum + line.short, 0);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Lines
          </Text>
          {short > 0 ? <Badge tone="critical">{`${short} unit${short === 1 ? "" : "s"} short`}</Badge> : null}
        </InlineStack>
        <DataTable
          columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
          headings={["SKU", "Item", "Ordered", "Reserved", "Shipped", "Short", "Unit price"]}
          rows={lines.map((line) => [
            line.variantId ? (
              <Link key={line.id} to={`/app/inventory/${line.variantId}`}>
                {line.variantSku ?? line.sku ?? "(no SKU)"}
              </Link>
            ) : !line.carriesStock ? (
              <InlineStack key={line.id} gap="100">
                <Text as="span">{line.sku ?? "—"}</Text>
                <Badge>No stock held</Badge>
              </InlineStack>
            ) : (
              <InlineStack key={line.id} gap="100">
                <Text as="span">{line.sku ?? "(no SKU)"}</Text>
                <Badge tone="critical">Unmatched</Badge>
              </InlineStack>
            ),
            line.title,
            line.quantity,
            line.reserved,
            line.shipped,
            line.short > 0 ? (
              <Text key={`${line.id}-short`} as="span" tone="critical" fontWeight="semibold">
                {line.short}
              </Text>
            ) : (
              0
            ),
            formatMoney(line.unitPriceMinor, currency),
          ])}
        />
      </BlockStack>
    </Card>
  );
}

export function OrderAllocationsCard({ allocations }: { allocations: OrderDetail["allocations"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Reservations by location
        </Text>
        {allocations.length === 0 ? (
          <Text as="p" tone="subdued">
            Nothing is reserved for this order.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text", "text"]}
            headings={["Location", "SKU", "Units", "State", "Since"]}
            rows={allocations.map((allocation) => [
              allocation.locationName,
              allocation.sku,
              allocation.quantity,
              <Badge key={allocation.id} tone={allocation.status === "reserved" ? "attention" : allocation.status === "shipped" ? "success" : undefined}>
                {humanize(allocation.status)}
              </Badge>,
              formatDateTime(allocation.createdAt),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

export function OrderShipmentsCard({
  shipments,
  channelName,
  onAction,
  busy = false,
}: {
  shipments: OrderDetail["shipments"];
  channelName: string;
  /** Shipment buttons (mark shipped, void label, buy again); read-only without it. */
  onAction?: (intent: string, shipmentId: string) => void;
  busy?: boolean;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Shipments
        </Text>
        {shipments.length === 0 ? (
          <Text as="p" tone="subdued">
            No shipment yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text", "text"]}
            headings={["From", "Status", "Carrier", "Tracking", "Label", "Shipped"]}
            rows={shipments.map((shipment) => [
              shipment.locationName,
              <BlockStack key={`${shipment.id}-status`} gap="100" inlineAlign="start">
                <Text as="span">{humanize(shipment.status)}</Text>
                <TrackingBadge status={shipment.trackingStatus} />
                {shipment.status === "shipped" || shipment.status === "delivered" ? <ChannelConfirmation shipment={shipment} channelName={channelName} /> : null}
                {shipment.labelError ? (
                  <Text as="span" tone="critical" variant="bodySm">
                    {shipment.labelError}
                  </Text>
                ) : null}
              </BlockStack>,
              <BlockStack key={`${shipment.id}-carrier`} gap="050">
                <Text as="span">{[shipment.carrier, shipment.service].filter(Boolean).join(" · ") || "—"}</Text>
                {shipment.rateMinor !== null && shipment.currency ? (
                  <Text as="span" variant="bodySm" tone="subdued">
                    {formatMoney(shipment.rateMinor, shipment.currency)}
                  </Text>
                ) : null}
                {shipment.rateExplanation ? (
                  <Text as="span" variant="bodySm" tone="subdued">
                    {shipment.rateExplanation}
                  </Text>
                ) : null}
              </BlockStack>,
              shipment.trackingUrl && shipment.trackingNumber ? (
                <a key={shipment.id} href={shipment.trackingUrl} target="_blank" rel="noreferrer">
                  {shipment.trackingNumber}
                </a>
              ) : (
                (shipment.trackingNumber ?? "—")
              ),
              <BlockStack key={`${shipment.id}-label`} gap="100" inlineAlign="start">
                {shipment.labelUrl ? (
                  <a href={shipment.labelUrl} target="_blank" rel="noreferrer">
                    Open label
                  </a>
                ) : (
                  <Text as="span" tone="subdued">
                    —
                  </Text>
                )}
                {onAction ? <ShipmentButtons shipment={shipment} busy={busy} onAction={onAction} /> : null}
              </BlockStack>,
              formatDateTime(shipment.shippedAt),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

function ShipmentButtons({ shipment, busy, onAction }: { shipment: OrderDetail["shipments"][number]; busy: boolean; onAction: (intent: string, shipmentId: string) => void }) {
  if (shipment.status === "label_purchased") {
    return (
      <InlineStack gap="100">
        <Button size="slim" onClick={() => onAction("mark_shipped", shipment.id)} loading={busy}>
          Mark shipped
        </Button>
        <Button size="slim" tone="critical" variant="plain" onClick={() => onAction("void_label", shipment.id)} disabled={busy}>
          Void label
        </Button>
      </InlineStack>
    );
  }
  if (shipment.status === "pending" && shipment.labelError) {
    return (
      <Button size="slim" onClick={() => onAction("retry_label", shipment.id)} loading={busy}>
        Buy label again
      </Button>
    );
  }
  return null;
}

/** Whether the source channel has heard about the parcel; why not is on the order's exception. */
function ChannelConfirmation({ shipment, channelName }: { shipment: OrderDetail["shipments"][number]; channelName: string }) {
  if (shipment.channelConfirmedAt) return <Badge tone="success">{`Sent to ${channelName}`}</Badge>;
  if (shipment.channelError) return <Badge tone="critical">{`${channelName} refused`}</Badge>;
  return <Badge>{`Not sent to ${channelName}`}</Badge>;
}

export function OrderTimelineCard({ events }: { events: OrderDetail["events"] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Timeline
        </Text>
        {events.length === 0 ? (
          <Text as="p" tone="subdued">
            No events recorded.
          </Text>
        ) : (
          <BlockStack gap="300" as="ol">
            {events.map((event) => (
              <BlockStack key={event.id} gap="050" as="li">
                <Text as="p" fontWeight="semibold">
                  {event.message}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {formatDateTime(event.createdAt)} · {event.actor} · {humanize(event.kind)}
                </Text>
              </BlockStack>
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

export function OrderSummaryCard({ order }: { order: OrderDetail["order"] }) {
  const address = order.shippingAddress;
  const money = (minor: number) => formatMoney(minor, order.currency);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Customer
        </Text>
        <Text as="p">{order.customerName ?? "—"}</Text>
        <Text as="p" tone="subdued">
          {order.customerEmail ?? "no email"}
        </Text>
        {address ? (
          <BlockStack gap="050">
            <Text as="p">{address.line1}</Text>
            {address.line2 ? <Text as="p">{address.line2}</Text> : null}
            <Text as="p">{[address.postalCode, address.city, address.region, address.countryCode].filter(Boolean).join(" ")}</Text>
          </BlockStack>
        ) : (
          <Badge tone="warning">No shipping address</Badge>
        )}
        <Text as="h2" variant="headingMd">
          Totals
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric"]}
          headings={["", ""]}
          rows={[
            ["Subtotal", money(order.subtotalMinor)],
            ["Shipping", money(order.shippingMinor)],
            ["Tax", money(order.taxMinor)],
            ["Discounts", money(-order.discountMinor)],
            ["Total", money(order.totalMinor)],
          ]}
        />
        {order.riskLevel ? (
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Risk
            </Text>
            <Badge tone={order.riskLevel === "high" ? "critical" : order.riskLevel === "medium" ? "warning" : "success"}>
              {humanize(order.riskLevel)}
            </Badge>
            {order.riskReasons.map((reason) => (
              <Text key={reason} as="p" variant="bodySm">
                {reason}
              </Text>
            ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function OrderExceptionsBanner({ exceptions }: { exceptions: OrderDetail["exceptions"] }) {
  const open = exceptions.filter((exception) => exception.status === "open");
  if (open.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd" tone="critical">
          Open exceptions
        </Text>
        {open.map((exception) => (
          <Text key={exception.id} as="p">
            <Badge tone="critical">{humanize(exception.kind)}</Badge> {exception.message}
          </Text>
        ))}
        <Link to="/app/exceptions">Go to the exceptions queue</Link>
      </BlockStack>
    </Card>
  );
}
