import { useState } from "react";
import { Banner, BlockStack, Button, Card, FormLayout, Select, Text, TextField } from "@shopify/polaris";
import { FULFILMENT_CARRIERS, type FulfilOrderFieldErrors } from "../params/fulfilment-params";

export interface FulfilOrderValues {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
}

/**
 * Manual fulfilment: the merchant shipped the order outside Switchyard's label flow and tells
 * it the carrier and tracking. One form for the whole order; every location it ships from gets
 * a shipment with this same carrier and tracking number, and each is confirmed to the channel.
 */
export function FulfilOrderForm({
  channelName,
  shipFromLocations,
  submitting,
  fieldErrors,
  formError,
  onSubmit,
}: {
  channelName: string;
  /** Names of the locations holding the order's reserved units: one shipment each. */
  shipFromLocations: readonly string[];
  submitting: boolean;
  fieldErrors: FulfilOrderFieldErrors;
  formError: string | null;
  onSubmit: (values: FulfilOrderValues) => void;
}) {
  const [carrier, setCarrier] = useState<string>("");
  const [trackingNumber, setTrackingNumber] = useState("");
  const [trackingUrl, setTrackingUrl] = useState("");
  const split = shipFromLocations.length > 1;

  return (
    <Card>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit({ carrier, trackingNumber, trackingUrl });
        }}
      >
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Mark as fulfilled
          </Text>
          {formError ? (
            <Banner tone="critical" title="The order was not fulfilled">
              <p>{formError}</p>
            </Banner>
          ) : null}
          <FormLayout>
            <Select
              label="Carrier"
              name="carrier"
              placeholder="Choose a carrier"
              options={FULFILMENT_CARRIERS.map((value) => ({ label: value, value }))}
              value={carrier}
              onChange={setCarrier}
              error={fieldErrors.carrier}
            />
            <TextField
              label="Tracking number"
              name="trackingNumber"
              autoComplete="off"
              value={trackingNumber}
              onChange={setTrackingNumber}
              error={fieldErrors.trackingNumber}
              helpText={
                split
                  ? `Ships from ${shipFromLocations.join(" and ")}: each location gets its own shipment with this same carrier and tracking number, exactly as entered (no suffix is added).`
                  : "Enter it exactly as the carrier printed it; spaces are removed."
              }
            />
            <TextField
              label="Tracking URL (optional)"
              name="trackingUrl"
              type="url"
              autoComplete="off"
              value={trackingUrl}
              onChange={setTrackingUrl}
              error={fieldErrors.trackingUrl}
            />
          </FormLayout>
          <Text as="p" tone="subdued">
            {`The shipment is recorded in Switchyard, the reserved units leave stock, and ${channelName} is told with the tracking so it can notify the customer.`}
          </Text>
          <Button submit variant="primary" loading={submitting}>
            Mark as fulfilled
          </Button>
        </BlockStack>
      </form>
    </Card>
  );
}
