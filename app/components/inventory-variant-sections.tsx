import { useEffect, useState } from "react";
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, ChoiceList, DataTable, FormLayout, Select, Text, TextField } from "@shopify/polaris";
import type { ChannelAvailability, InventoryMovementRow, LocationStock } from "../../db/queries/inventory-queries";
import { channelLabel, formatDateTime, humanize } from "./format";

export function LocationStockCard({ locations }: { locations: LocationStock[] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Stock by location
        </Text>
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
          headings={["Location", "On hand", "Reserved", "Safety stock", "Available", "Incoming from returns"]}
          rows={locations.map((location) => [
            location.locationName,
            location.onHand,
            location.reserved,
            location.safetyStock,
            location.available,
            location.incomingReturns,
          ])}
          totals={[
            "",
            locations.reduce((sum, location) => sum + location.onHand, 0),
            locations.reduce((sum, location) => sum + location.reserved, 0),
            locations.reduce((sum, location) => sum + location.safetyStock, 0),
            locations.reduce((sum, location) => sum + location.available, 0),
            locations.reduce((sum, location) => sum + location.incomingReturns, 0),
          ]}
          showTotalsInFooter
        />
      </BlockStack>
    </Card>
  );
}

export function ChannelAvailabilityCard({ channels }: { channels: ChannelAvailability[] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Available to sell by channel
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          floor(available in the channel's locations × allocation %) − buffer, never below 0.
        </Text>
        {channels.length === 0 ? (
          <Text as="p" tone="subdued">
            No channel connected.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "text"]}
            headings={["Channel", "Allocation", "Buffer", "Available to sell", "Last pushed", "Pushed at"]}
            rows={channels.map((channel) => [
              `${channelLabel(channel.channel)} · ${channel.connectionName}`,
              channel.allocationPercent === null ? "—" : `${channel.allocationPercent}%`,
              channel.buffer ?? "—",
              channel.availableToSell ?? "not listed",
              channel.lastPushedAvailable ?? "—",
              formatDateTime(channel.lastPushedAt),
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

export interface AdjustmentFormErrors {
  mode?: string;
  quantity?: string;
  locationId?: string;
  reason?: string;
  form?: string;
}

export function AdjustmentFormCard({
  locations,
  errors,
  submitting,
  succeeded,
}: {
  locations: { locationId: string; locationName: string; onHand: number; reserved: number }[];
  errors: AdjustmentFormErrors;
  submitting: boolean;
  /** Changes after each successful adjustment so the form clears. */
  succeeded: number;
}) {
  const [mode, setMode] = useState<"delta" | "set">("delta");
  const [locationId, setLocationId] = useState(locations[0]?.locationId ?? "");
  const [quantity, setQuantity] = useState("");
  const [reason, setReason] = useState("");
  useEffect(() => {
    setQuantity("");
    setReason("");
  }, [succeeded]);
  const selected = locations.find((location) => location.locationId === locationId);

  return (
    <Card>
      <Form method="post">
        <FormLayout>
          <Text as="h2" variant="headingMd">
            Adjust stock
          </Text>
          {errors.form ? (
            <Banner tone="critical" title="Stock was not changed">
              <p>{errors.form}</p>
            </Banner>
          ) : null}
          <input type="hidden" name="mode" value={mode} />
          <ChoiceList
            title="Adjustment"
            choices={[
              { label: "Change by (+/−)", value: "delta" },
              { label: "Set on hand to a counted figure", value: "set" },
            ]}
            selected={[mode]}
            onChange={([next]) => setMode(next === "set" ? "set" : "delta")}
            error={errors.mode}
          />
          <Select
            label="Location"
            name="locationId"
            options={locations.map((location) => ({ label: location.locationName, value: location.locationId }))}
            value={locationId}
            onChange={setLocationId}
            error={errors.locationId}
            helpText={selected ? `${selected.onHand} on hand, ${selected.reserved} reserved for orders` : undefined}
          />
          <TextField
            label={mode === "delta" ? "Change" : "New on hand"}
            name="quantity"
            type="number"
            autoComplete="off"
            value={quantity}
            onChange={setQuantity}
            error={errors.quantity}
            helpText={mode === "delta" ? "Negative to remove units (damage, loss), positive to add." : "The figure you counted on the shelf."}
          />
          <TextField
            label="Reason"
            name="reason"
            autoComplete="off"
            value={reason}
            onChange={setReason}
            error={errors.reason}
            helpText="Kept with the movement in the stock ledger."
          />
          <Button submit variant="primary" loading={submitting}>
            Record adjustment
          </Button>
        </FormLayout>
      </Form>
    </Card>
  );
}

export function MovementHistoryCard({
  movements,
  olderUrl,
  newestUrl,
}: {
  movements: InventoryMovementRow[];
  olderUrl: string | null;
  newestUrl: string | null;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Stock ledger
        </Text>
        {movements.length === 0 ? (
          <Text as="p" tone="subdued">
            No stock movement recorded for this SKU.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric", "text", "text"]}
            headings={["When", "Location", "Movement", "On hand Δ", "Reserved Δ", "Cause", "By / reason"]}
            rows={movements.map((movement) => [
              formatDateTime(movement.createdAt),
              movement.locationName,
              humanize(movement.kind),
              signed(movement.onHandDelta),
              signed(movement.reservedDelta),
              `${humanize(movement.causeType)} ${shortCauseId(movement.causeId)}`,
              movement.reason ? `${movement.actor}: ${movement.reason}` : movement.actor,
            ])}
          />
        )}
        <BlockStack gap="100" inlineAlign="start">
          {olderUrl ? <Button url={olderUrl}>Older movements</Button> : null}
          {newestUrl ? <Button url={newestUrl} variant="plain">Back to newest</Button> : null}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

/** Order-line and receipt ids are UUIDs; the first block is enough to tell rows apart. */
function shortCauseId(causeId: string): string {
  return /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(causeId) ? causeId.slice(0, 8) : causeId;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}
