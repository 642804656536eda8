import { useState } from "react";
import { Form } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineGrid, Select, Text, TextField } from "@shopify/polaris";

export interface LocationFormValues {
  name: string;
  kind: string;
  address1: string;
  address2: string;
  city: string;
  region: string;
  postalCode: string;
  countryCode: string;
  latitude: string;
  longitude: string;
  canShip: boolean;
  canPickup: boolean;
  canCurbside: boolean;
  dailyCapacity: string;
  priority: string;
  active: boolean;
}

export type LocationFormErrors = Partial<Record<keyof LocationFormValues | "form", string>>;

export const EMPTY_LOCATION_FORM: LocationFormValues = {
  name: "",
  kind: "warehouse",
  address1: "",
  address2: "",
  city: "",
  region: "",
  postalCode: "",
  countryCode: "US",
  latitude: "",
  longitude: "",
  canShip: true,
  canPickup: false,
  canCurbside: false,
  dailyCapacity: "",
  priority: "100",
  active: true,
};

/**
 * Controlled Polaris fields posted as a plain form; checkboxes travel as hidden "true"/"false"
 * inputs because an unchecked checkbox would otherwise not be posted at all.
 */
export function LocationFormCard({
  initial,
  errors,
  submitting,
  submitLabel,
}: {
  initial: LocationFormValues;
  errors: LocationFormErrors;
  submitting: boolean;
  submitLabel: string;
}) {
  const [values, setValues] = useState(initial);
  const text = (field: keyof LocationFormValues) => ({
    name: field,
    value: String(values[field]),
    onChange: (value: string) => setValues((current) => ({ ...current, [field]: value })),
    error: errors[field],
    autoComplete: "off",
  });
  const flag = (field: "canShip" | "canPickup" | "canCurbside" | "active") => ({
    checked: values[field],
    onChange: (checked: boolean) => setValues((current) => ({ ...current, [field]: checked })),
    error: errors[field],
  });

  return (
    <Form method="post">
      <BlockStack gap="400">
        {errors.form ? (
          <Banner tone="critical" title="The location was not saved">
            <p>{errors.form}</p>
          </Banner>
        ) : null}
        <Card>
          <FormLayout>
            <Text as="h2" variant="headingMd">
              Location
            </Text>
            <TextField label="Name" {...text("name")} />
            <Select
              label="Kind"
              name="kind"
              options={[
                { label: "Warehouse", value: "warehouse" },
                { label: "Store", value: "store" },
                { label: "Third-party logistics (3PL)", value: "3pl" },
              ]}
              value={values.kind}
              onChange={(kind) => setValues((current) => ({ ...current, kind }))}
              error={errors.kind}
            />
          </FormLayout>
        </Card>
        <Card>
          <FormLayout>
            <Text as="h2" variant="headingMd">
              Address
            </Text>
            <TextField label="Street address" {...text("address1")} />
            <TextField label="Apartment, suite, unit" {...text("address2")} />
            <InlineGrid columns={2} gap="300">
              <TextField label="City" {...text("city")} />
              <TextField label="State / region" {...text("region")} />
              <TextField label="Postal code" {...text("postalCode")} />
              <TextField label="Country code" helpText="Two letters, e.g. US" {...text("countryCode")} />
              <TextField label="Latitude" type="number" helpText="Used by distance routing" {...text("latitude")} />
              <TextField label="Longitude" type="number" {...text("longitude")} />
            </InlineGrid>
          </FormLayout>
        </Card>
        <Card>
          <FormLayout>
            <Text as="h2" variant="headingMd">
              Fulfilment
            </Text>
            <Checkbox label="Ships orders" {...flag("canShip")} />
            <Checkbox label="Offers in-store pickup" {...flag("canPickup")} />
            <Checkbox label="Offers curbside pickup" {...flag("canCurbside")} />
            <InlineGrid columns={2} gap="300">
              <TextField
                label="Daily capacity (orders)"
                type="number"
                helpText="Leave empty for unlimited"
                {...text("dailyCapacity")}
              />
              <TextField label="Priority" type="number" helpText="Lower is preferred when routing" {...text("priority")} />
            </InlineGrid>
            <Checkbox label="Active (can receive stock and orders)" {...flag("active")} />
            <input type="hidden" name="canShip" value={String(values.canShip)} />
            <input type="hidden" name="canPickup" value={String(values.canPickup)} />
            <input type="hidden" name="canCurbside" value={String(values.canCurbside)} />
            <input type="hidden" name="active" value={String(values.active)} />
          </FormLayout>
        </Card>
        <BlockStack inlineAlign="end">
          <Button submit variant="primary" loading={submitting}>
            {submitLabel}
          </Button>
        </BlockStack>
      </BlockStack>
    </Form>
  );
}
