import { useEffect, useState } from "react";
import { BlockStack, ChoiceList, Filters, TextField } from "@shopify/polaris";
import { channelLabel, humanize } from "./format";

export interface OrderFilterValues {
  channels: string[];
  statuses: string[];
  locationId: string | undefined;
  from: string | undefined;
  to: string | undefined;
  query: string;
}

export interface OrderFilterOptions {
  channels: readonly string[];
  statuses: readonly { value: string; label: string }[];
  locations: readonly { id: string; name: string }[];
}

/**
 * Filters for the orders list. Values live in the URL (so a filtered list can be shared and
 * survives reloads); this component only reports changes. The search box waits for a pause
 * in typing before reporting.
 */
export function OrderFilters({
  values,
  options,
  onChange,
}: {
  values: OrderFilterValues;
  options: OrderFilterOptions;
  onChange: (next: OrderFilterValues) => void;
}) {
  const [query, setQuery] = useState(values.query);
  useEffect(() => setQuery(values.query), [values.query]);
  useEffect(() => {
    if (query === values.query) return;
    const timer = setTimeout(() => onChange({ ...values, query }), 350);
    return () => clearTimeout(timer);
  }, [query, values, onChange]);

  const locationName = options.locations.find((location) => location.id === values.locationId)?.name;
  const appliedFilters = [
    ...(values.channels.length
      ? [{ key: "channel", label: `Channel: ${values.channels.map(channelLabel).join(", ")}`, onRemove: () => onChange({ ...values, channels: [] }) }]
      : []),
    ...(values.statuses.length
      ? [{ key: "status", label: `Status: ${values.statuses.map(humanize).join(", ")}`, onRemove: () => onChange({ ...values, statuses: [] }) }]
      : []),
    ...(values.locationId
      ? [{ key: "location", label: `Location: ${locationName ?? "unknown"}`, onRemove: () => onChange({ ...values, locationId: undefined }) }]
      : []),
    ...(values.from || values.to
      ? [
          {
            key: "placed",
            label: `Placed: ${values.from ?? "…"} – ${values.to ?? "…"}`,
            onRemove: () => onChange({ ...values, from: undefined, to: undefined }),
          },
        ]
      : []),
  ];

  return (
    <Filters
      queryValue={query}
      queryPlaceholder="Search order number, customer, email, phone, channel order id, SKU"
      onQueryChange={setQuery}
      onQueryClear={() => {
        setQuery("");
        onChange({ ...values, query: "" });
      }}
      onClearAll={() => {
        setQuery("");
        onChange({ channels: [], statuses: [], locationId: undefined, from: undefined, to: undefined, query: "" });
      }}
      appliedFilters={appliedFilters}
      filters={[
        {
          key: "channel",
          label: "Channel",
          shortcut: true,
          filter: (
            <ChoiceList
              title="Channel"
              titleHidden
              allowMultiple
              choices={options.channels.map((channel) => ({ value: channel, label: channelLabel(channel) }))}
              selected={values.channels}
              onChange={(channels) => onChange({ ...values, channels })}
            />
          ),
        },
        {
          key: "status",
          label: "Status",
          shortcut: true,
          filter: (
            <ChoiceList
              title="Status"
              titleHidden
              allowMultiple
              choices={options.statuses.map((status) => ({ value: status.value, label: status.label }))}
              selected={values.statuses}
              onChange={(statuses) => onChange({ ...values, statuses })}
            />
          ),
        },
        {
          key: "location",
          label: "Location",
          shortcut: true,
          filter: (
            <ChoiceList
              title="Location"
              titleHidden
              choices={options.locations.map((location) => ({ value: location.id, label: location.name }))}
              selected={values.locationId ? [values.locationId] : []}
              onChange={([locationId]) => onChange({ ...values, locationId })}
            />
          ),
        },
        {
          key: "placed",
          label: "Placed date",
          filter: (
            <BlockStack gap="200">
              <TextField
                label="From"
                type="date"
                autoComplete="off"
                value={values.from ?? ""}
                onChange={(from) => onChange({ ...values, from: from || undefined })}
              />
              <TextField
                label="To"
                type="date"
                autoComplete="off"
                value={values.to ?? ""}
                onChange={(to) => onChange({ ...values, to: to || undefined })}
              />
            </BlockStack>
          ),
        },
      ]}
    />
  );
}
