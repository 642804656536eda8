import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { ROUTING_RULE_INFO, ROUTING_RULES, routingSettingsSchema, type RoutingSettings } from "../../core/routing/routing-settings";
import { dryRunRouting, type DryRunResult } from "../../db/repositories/routing-dry-run-repository";
import { loadRoutingSettings, saveRoutingSettings } from "../../db/repositories/routing-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { formatMoney } from "../components/format";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";

/**
 * The merchant's routing rules: their order (which breaks ties) and weights (how much each
 * matters, in cost-equivalent cents), whether one location always wins when it can serve the
 * whole order, and a dry run over the last N routed orders before saving.
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  return json({ settings: await loadRoutingSettings(getDatabase(), shop.id) });
};

const formSchema = z.object({
  intent: z.enum(["save", "dry_run"]),
  rules: z.string().max(5000),
  preferSingleLocation: z.enum(["true", "false"]),
  lastN: z.coerce.number().int().min(1).max(500).default(50),
});

type ActionData =
  | { ok: true; intent: "save" }
  | { ok: true; intent: "dry_run"; result: DryRunResult }
  | { ok: false; message: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const form = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return json<ActionData>({ ok: false, message: "The routing form was incomplete." }, { status: 400 });
  const db = getDatabase();
  const current = await loadRoutingSettings(db, shop.id);
  let rules: unknown;
  try {
    rules = JSON.parse(form.data.rules);
  } catch {
    return json<ActionData>({ ok: false, message: "The rules could not be read." }, { status: 400 });
  }
  const proposed = routingSettingsSchema.safeParse({ ...current, rules, preferSingleLocation: form.data.preferSingleLocation === "true" });
  if (!proposed.success) {
    return json<ActionData>({ ok: false, message: proposed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  }
  if (form.data.intent === "save") {
    await saveRoutingSettings(db, shop.id, proposed.data, actor);
    return json<ActionData>({ ok: true, intent: "save" });
  }
  return json<ActionData>({ ok: true, intent: "dry_run", result: await dryRunRouting(db, shop.id, proposed.data, form.data.lastN) });
};

export default function RoutingPage() {
  const { settings } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const [rules, setRules] = useState<RoutingSettings["rules"]>(settings.rules);
  const [preferSingle, setPreferSingle] = useState(settings.preferSingleLocation);
  const [lastN, setLastN] = useState("50");
  const busy = fetcher.state !== "idle";

  const move = (index: number, by: -1 | 1) => {
    const next = [...rules];
    const [rule] = next.splice(index, 1);
    next.splice(index + by, 0, rule!);
    setRules(next);
  };
  const setWeight = (index: number, value: string) => setRules(rules.map((r, i) => (i === index ? { ...r, weight: Number(value) } : r)));
  const submit = (intent: "save" | "dry_run") =>
    fetcher.submit({ intent, rules: JSON.stringify(rules), preferSingleLocation: String(preferSingle), lastN }, { method: "post" });
  const data = fetcher.data;
  const result = data && data.ok && data.intent === "dry_run" ? data.result : null;

  return (
    <Page title="Routing" subtitle="Which location ships an order: rules in order of importance, each with a weight">
      <Layout>
        {data && !data.ok ? (
          <Layout.Section>
            <Banner tone="critical" title="Not saved">
              <p>{data.message}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data && data.ok && data.intent === "save" ? (
          <Layout.Section>
            <Banner tone="success" title="Routing rules saved; new orders are routed with them." />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                A plan's score is the sum of weight × measure over the rules, in cents; the lowest score wins and the rule order breaks ties.
                Weight 0 switches a rule off. Locations that are inactive, cannot ship (or offer pickup), are full for the day or rejected the order are never used.
              </Text>
              {rules.map((rule, index) => (
                <InlineStack key={rule.rule} gap="300" blockAlign="end" wrap={false}>
                  <Text as="span" variant="bodyMd" fontWeight="semibold">
                    {`${index + 1}. ${ROUTING_RULE_INFO[rule.rule].label}`}
                  </Text>
                  <TextField
                    label={`Weight (${ROUTING_RULE_INFO[rule.rule].unit})`}
                    type="number"
                    min={0}
                    value={String(rule.weight)}
                    onChange={(value) => setWeight(index, value)}
                    autoComplete="off"
                  />
                  <Button disabled={index === 0} onClick={() => move(index, -1)} accessibilityLabel={`Move ${rule.rule} up`}>
                    Up
                  </Button>
                  <Button disabled={index === ROUTING_RULES.length - 1} onClick={() => move(index, 1)} accessibilityLabel={`Move ${rule.rule} down`}>
                    Down
                  </Button>
                </InlineStack>
              ))}
              <Checkbox
                label="Ship from one location whenever one can serve the whole order"
                checked={preferSingle}
                onChange={setPreferSingle}
              />
              <InlineStack gap="300" blockAlign="end">
                <TextField label="Dry run over the last N routed orders" type="number" min={1} max={500} value={lastN} onChange={setLastN} autoComplete="off" />
                <Button loading={busy} onClick={() => submit("dry_run")}>
                  Dry run
                </Button>
                <Button variant="primary" loading={busy} onClick={() => submit("save")}>
                  Save rules
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        {result ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {`Dry run: ${result.changed} of ${result.rows.length} orders would go elsewhere`}
                </Text>
                <Text as="p">
                  {`Estimated labels: ${formatMoney(result.currentCostMinor, result.currency)} as routed, ${formatMoney(result.proposedCostMinor, result.currency)} with these rules (${
                    result.proposedCostMinor - result.currentCostMinor >= 0 ? "+" : ""
                  }${formatMoney(result.proposedCostMinor - result.currentCostMinor, result.currency)}), against today's stock.`}
                </Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
                  headings={["Order", "Routed to", "Would route to", "Cost now", "Cost then", ""]}
                  rows={result.rows.map((row) => [
                    row.number,
                    row.currentLocations.join(", "),
                    row.proposedLocations.join(", ") || "—",
                    formatMoney(row.currentCostMinor, row.currency),
                    formatMoney(row.proposedCostMinor, row.currency),
                    row.changed ? <Badge key={row.orderId} tone="attention">Changes</Badge> : <Badge key={row.orderId}>Same</Badge>,
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Routing" />;
}
