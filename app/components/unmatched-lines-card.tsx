import { Autocomplete, Banner, BlockStack, Button, Card, Checkbox, InlineStack, Text } from "@shopify/polaris";
import { useFetcher } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";

export interface UnmatchedLineItem {
  lineId: string;
  title: string;
  sku: string | null;
  channelVariantRef: string | null;
  units: number;
  identity: { channel: string; matchKey: string } | null;
  otherOrders: readonly { orderId: string; number: string }[];
}

interface VariantPick {
  id: string;
  sku: string;
  title: string;
  available: number;
}

/**
 * Lines of the order that matched no variant, each with a variant picker: searching asks
 * /app/variants/search, and "Map and reserve" posts the choice to the order page's action,
 * which remembers it for later orders and reserves the line. Other open orders waiting on the
 * same identity are named, and matched too while the box stays ticked.
 */
export function UnmatchedLinesCard({
  lines,
  busy,
  onMap,
}: {
  lines: readonly UnmatchedLineItem[];
  busy: boolean;
  onMap: (values: { lineId: string; variantId: string; alsoOtherOrders: boolean }) => void;
}) {
  if (lines.length === 0) return null;
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {`Unmatched line${lines.length === 1 ? "" : "s"}`}
          </Text>
          <Text as="p" tone="subdued">
            These lines matched no variant by the channel&apos;s id or SKU, so no stock is held for them. Map each to a variant: the
            choice is remembered, and the line is reserved at once.
          </Text>
        </BlockStack>
        {lines.map((line) => (
          <UnmatchedLineRow key={line.lineId} line={line} busy={busy} onMap={onMap} />
        ))}
      </BlockStack>
    </Card>
  );
}

function UnmatchedLineRow({
  line,
  busy,
  onMap,
}: {
  line: UnmatchedLineItem;
  busy: boolean;
  onMap: (values: { lineId: string; variantId: string; alsoOtherOrders: boolean }) => void;
}) {
  const search = useFetcher<{ variants: VariantPick[] }>();
  const [query, setQuery] = useState(line.sku ?? "");
  const [chosen, setChosen] = useState<VariantPick | null>(null);
  const [alsoOthers, setAlsoOthers] = useState(true);

  useEffect(() => {
    const timer = setTimeout(() => search.load(`/app/variants/search?q=${encodeURIComponent(query.trim())}`), 200);
    return () => clearTimeout(timer);
    // Only a new query searches again: depending on the fetcher itself would search in a loop.
  }, [query]);

  const options = useMemo(
    () =>
      (search.data?.variants ?? []).map((variant) => ({
        value: variant.id,
        label: `${variant.sku} · ${variant.title} · ${variant.available} available`,
      })),
    [search.data],
  );
  const others = line.otherOrders.length;
  const identity = [line.sku ? `SKU ${line.sku}` : "no SKU", ...(line.channelVariantRef ? [line.channelVariantRef] : [])].join(" · ");

  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" fontWeight="semibold">
          {line.title}
        </Text>
        <Text as="span" tone="subdued">{`${line.units} unit${line.units === 1 ? "" : "s"} · ${identity}`}</Text>
      </InlineStack>
      <Autocomplete
        options={options}
        selected={chosen ? [chosen.id] : []}
        loading={search.state === "loading"}
        onSelect={(selected) => setChosen(search.data?.variants.find((variant) => variant.id === selected[0]) ?? null)}
        textField={
          <Autocomplete.TextField
            label="Variant"
            value={chosen ? `${chosen.sku} · ${chosen.title}` : query}
            onChange={(value) => {
              setChosen(null);
              setQuery(value);
            }}
            placeholder="Search by SKU, title or barcode"
            autoComplete="off"
          />
        }
      />
      {others > 0 ? (
        <Checkbox
          label={`Also map ${others} other open order${others === 1 ? "" : "s"} waiting on this line (${line.otherOrders
            .slice(0, 5)
            .map((o) => o.number)
            .join(", ")}${others > 5 ? ", …" : ""})`}
          checked={alsoOthers}
          onChange={setAlsoOthers}
        />
      ) : null}
      {!line.identity ? (
        <Banner tone="info">
          <p>This line carries neither a SKU nor a channel id: it can be mapped here, but later orders cannot be matched by it.</p>
        </Banner>
      ) : null}
      <InlineStack>
        <Button
          variant="primary"
          disabled={!chosen}
          loading={busy}
          onClick={() => chosen && onMap({ lineId: line.lineId, variantId: chosen.id, alsoOtherOrders: alsoOthers && others > 0 })}
        >
          Map and reserve
        </Button>
      </InlineStack>
    </BlockStack>
  );
}
