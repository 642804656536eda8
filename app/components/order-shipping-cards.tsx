import { Badge, BlockStack, Button, Card, Text } from "@shopify/polaris";

/** Buy labels for the reserved units not on a shipment yet: one shipment per location. */
export function BuyLabelsCard({ locations, busy, onBuy }: { locations: string[]; busy: boolean; onBuy: () => void }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Shipping labels
        </Text>
        <Text as="p" tone="subdued">
          {`One shipment per location (${locations.join(", ")}), each with its own label: the cheapest service that keeps the order's delivery promise, after the address is verified.`}
        </Text>
        <Button variant="primary" onClick={onBuy} loading={busy}>
          {locations.length > 1 ? `Buy ${locations.length} labels` : "Buy label"}
        </Button>
      </BlockStack>
    </Card>
  );
}

const TRACKING_TONES: Record<string, "success" | "info" | "attention" | "critical" | undefined> = {
  pre_transit: undefined,
  in_transit: "info",
  out_for_delivery: "attention",
  delivered: "success",
  return_to_sender: "critical",
  failure: "critical",
};

export function TrackingBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return <Badge tone={TRACKING_TONES[status]}>{status.replace(/_/g, " ")}</Badge>;
}
