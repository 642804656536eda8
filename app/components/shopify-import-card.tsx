import { useFetcher, useRevalidator } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { ComponentProps } from "react";
import { useEffect } from "react";
import type { ImportRunView } from "../../db/queries/import-queries";
import { formatDateTime, formatNumber, humanize } from "./format";

/** How often the page reloads its data while an import is queued or running. */
export const IMPORT_REVALIDATE_INTERVAL_MS = 2_000;

const RESOURCES = [
  { key: "locations", label: "Locations" },
  { key: "products", label: "Products and variants" },
  { key: "inventory_levels", label: "Inventory levels" },
  { key: "orders", label: "Orders (last 30 days)" },
] as const;

const STATUS_TONES: Record<ImportRunView["status"], ComponentProps<typeof Badge>["tone"]> = {
  queued: "info",
  running: "attention",
  succeeded: "success",
  failed: "critical",
};

/** Skip reasons in the merchant's words; unknown ones are humanized. */
const SKIP_REASON_LABELS: Record<string, string> = {
  duplicate_sku: "SKU already used by another variant",
  no_sku: "no SKU in Shopify",
  invalid_price: "unreadable price",
  variant_not_imported: "variant not imported",
  location_not_imported: "location not imported",
  location_name_taken: "location name already used",
  switchyard_is_stock_master: "Switchyard is the stock master",
  negative_on_hand: "negative on hand in Shopify",
  already_fulfilled: "already fulfilled in Shopify",
  line_without_sku: "an order line has no SKU",
};

export function isImportActive(run: Pick<ImportRunView, "status"> | null | undefined): boolean {
  return run?.status === "queued" || run?.status === "running";
}

/**
 * The Shopify connection's import: a button to start one and the latest run's progress and
 * counts. While a run is active the page revalidates on an interval, so the bars move as the
 * worker records pages.
 */
export function ShopifyImportCard({ connectionId, connectionName, run }: { connectionId: string; connectionName: string; run: ImportRunView | null }) {
  const fetcher = useFetcher<{ importRunId?: string; message?: string }>();
  const revalidator = useRevalidator();
  const submitting = fetcher.state !== "idle";
  const active = isImportActive(run);

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, IMPORT_REVALIDATE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Import from Shopify
            </Text>
            <Text as="p" tone="subdued">
              {connectionName}: locations, products, opening stock and the last 30 days of orders. Running it again adds only
              what is missing; stock already in Switchyard is never overwritten.
            </Text>
          </BlockStack>
          <fetcher.Form method="post" action={`/app/channels/${connectionId}/import`}>
            <Button submit variant="primary" loading={submitting} disabled={active}>
              {active ? "Import running" : "Import from Shopify"}
            </Button>
          </fetcher.Form>
        </InlineStack>

        {fetcher.data?.message ? <Banner tone="critical">{fetcher.data.message}</Banner> : null}

        {run ? (
          <BlockStack gap="300">
            <InlineStack gap="200" blockAlign="center">
              <Badge tone={STATUS_TONES[run.status]}>{humanize(run.status)}</Badge>
              <Text as="span" variant="bodySm" tone="subdued">
                {run.finishedAt ? `Finished ${formatDateTime(run.finishedAt)}` : run.startedAt ? `Started ${formatDateTime(run.startedAt)}` : `Requested ${formatDateTime(run.createdAt)}`}
              </Text>
            </InlineStack>
            {run.error ? (
              <Banner tone="critical" title="The import stopped">
                <p>{run.error}</p>
                <p>What was imported before the error is kept; importing again continues from there.</p>
              </Banner>
            ) : null}
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              {RESOURCES.map(({ key, label }) => (
                <ResourceProgress key={key} label={label} progress={run.progress[key]} counts={run.counts[key]} runActive={active} />
              ))}
            </InlineGrid>
          </BlockStack>
        ) : (
          <Text as="p" tone="subdued">
            Nothing imported yet.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

function ResourceProgress({
  label,
  progress,
  counts,
  runActive,
}: {
  label: string;
  progress: ImportRunView["progress"][keyof ImportRunView["progress"]];
  counts: ImportRunView["counts"][keyof ImportRunView["counts"]];
  runActive: boolean;
}) {
  // total null: Shopify could not count the pages yet, so the bar shows motion rather than a guess.
  const percent = !progress
    ? 0
    : progress.total === null
      ? progress.done > 0
        ? 50
        : 0
      : progress.total === 0
        ? 100
        : Math.min(100, Math.round((progress.done / progress.total) * 100));
  const pages = !progress ? "waiting" : progress.total === null ? `${progress.done} pages so far` : `${progress.done} of ${progress.total} pages`;
  const id = `import-progress-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <Box>
      <BlockStack gap="150">
        <InlineStack align="space-between">
          <Text as="span" fontWeight="semibold" id={id}>
            {label}
          </Text>
          <Text as="span" variant="bodySm" tone="subdued">
            {pages}
          </Text>
        </InlineStack>
        <ProgressBar progress={percent} size="small" tone={percent === 100 ? "success" : "primary"} animated={runActive} ariaLabelledBy={id} />
        {counts ? (
          <BlockStack gap="050">
            <Text as="span" variant="bodySm">
              {formatNumber(counts.created)} created · {formatNumber(counts.updated)} updated · {formatNumber(counts.unchanged)} unchanged ·{" "}
              {formatNumber(counts.skipped)} skipped
            </Text>
            {Object.entries(counts.skipReasons).map(([reason, count]) => (
              <Text as="span" variant="bodySm" tone="caution" key={reason}>
                {formatNumber(count)} skipped: {SKIP_REASON_LABELS[reason] ?? humanize(reason)}
              </Text>
            ))}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Box>
  );
}
