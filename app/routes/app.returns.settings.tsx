import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { incomingReturnsPercent } from "../../core/inventory/incoming-returns";
import { returnRulesSchema, type ReturnRules } from "../../core/returns/return-rules";
import { channelLabel } from "../components/format";
import { loadReturnRules, saveReturnRules } from "../../db/repositories/return-request-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  return json({ rules: await loadReturnRules(getDatabase(), shop.id), currency: shop.currency });
};

const INCOMING_CHANNELS = ["shopify", "amazon", "ebay", "woocommerce"] as const;
type IncomingChannel = (typeof INCOMING_CHANNELS)[number];

const sharePercent = z.union([z.literal("").transform(() => 0), z.coerce.number({ error: "Enter a number" }).int("Whole numbers only").min(0, "Cannot be negative").max(100, "At most 100")]).default(0);

const tagList = z
  .string()
  .max(5_000)
  .transform((raw) => raw.split(",").map((t) => t.trim()).filter(Boolean));
const wholeNumber = (max: number) => z.coerce.number({ error: "Enter a number" }).int("Whole numbers only").min(0, "Cannot be negative").max(max);
const money = z
  .string()
  .trim()
  .regex(/^\d{1,9}(\.\d{1,2})?$/, "Enter an amount like 5 or 4.95")
  .transform((value) => Math.round(Number(value) * 100));

/** The settings form, in the units a person types (days, percent, money); stored as the core's rules. */
const rulesFormSchema = z.object({
  windowDays: wholeNumber(3650),
  windowStartsAt: z.enum(["delivery", "fulfillment"]),
  finalSaleTags: tagList,
  nonReturnableProductTags: tagList,
  restockingFeePercent: z.coerce.number().min(0).max(100),
  returnShippingFee: money,
  keepItemBelow: money,
  storeCreditBonusPercent: z.coerce.number().min(0).max(100),
  allowExchanges: z.enum(["on", "off"]).default("off"),
  allowStoreCredit: z.enum(["on", "off"]).default("off"),
  /** Share (%) of returns on their way back each channel may sell; blank or 0 keeps it off. */
  incomingReturns_shopify: sharePercent,
  incomingReturns_amazon: sharePercent,
  incomingReturns_ebay: sharePercent,
  incomingReturns_woocommerce: sharePercent,
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const form = rulesFormSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) {
    return json({ ok: false as const, errors: Object.fromEntries(form.error.issues.map((i) => [String(i.path[0]), i.message])) }, { status: 400 });
  }
  const current = await loadReturnRules(getDatabase(), shop.id);
  const f = form.data;
  const rules: ReturnRules = returnRulesSchema.parse({
    ...current,
    windowDays: f.windowDays,
    windowStartsAt: f.windowStartsAt,
    finalSaleTags: f.finalSaleTags,
    nonReturnableProductTags: f.nonReturnableProductTags,
    restockingFeeBps: Math.round(f.restockingFeePercent * 100),
    returnShippingFeeMinor: f.returnShippingFee,
    keepItemBelowMinor: f.keepItemBelow,
    storeCreditBonusBps: Math.round(f.storeCreditBonusPercent * 100),
    allowExchanges: f.allowExchanges === "on",
    allowStoreCredit: f.allowStoreCredit === "on",
    // Off (absent) unless a share is set: 0 is stored as "off", not as a share of nothing.
    incomingReturnsToSell: Object.fromEntries(INCOMING_CHANNELS.map((channel) => [channel, f[`incomingReturns_${channel}`]]).filter(([, percent]) => Number(percent) > 0)),
  });
  await saveReturnRules(getDatabase(), shop.id, rules);
  return json({ ok: true as const, errors: {} as Record<string, string> });
};

const asMoney = (minor: number) => (minor / 100).toFixed(2);

export default function ReturnRulesPage() {
  const { rules } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  const errors: Record<string, string> = result?.errors ?? {};
  const [values, setValues] = useState({
    windowDays: String(rules.windowDays),
    windowStartsAt: rules.windowStartsAt,
    finalSaleTags: rules.finalSaleTags.join(", "),
    nonReturnableProductTags: rules.nonReturnableProductTags.join(", "),
    restockingFeePercent: String(rules.restockingFeeBps / 100),
    returnShippingFee: asMoney(rules.returnShippingFeeMinor),
    keepItemBelow: asMoney(rules.keepItemBelowMinor),
    storeCreditBonusPercent: String(rules.storeCreditBonusBps / 100),
    allowExchanges: rules.allowExchanges,
    allowStoreCredit: rules.allowStoreCredit,
  });
  const [incoming, setIncoming] = useState<Record<IncomingChannel, string>>(
    Object.fromEntries(INCOMING_CHANNELS.map((channel) => [channel, String(incomingReturnsPercent(rules.incomingReturnsToSell, channel))])) as Record<IncomingChannel, string>,
  );
  const set = (key: keyof typeof values) => (value: string | boolean) => setValues((v) => ({ ...v, [key]: value }));

  return (
    <Page backAction={{ content: "Returns", url: "/app/returns" }} title="Return rules" subtitle="What customers may return, and what it costs them">
      <Layout>
        {result?.ok ? (
          <Layout.Section>
            <Banner tone="success" title="Return rules saved." />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Form method="post">
            <Card>
              <BlockStack gap="400">
                <FormLayout>
                  <FormLayout.Group>
                    <TextField label="Return window (days)" name="windowDays" type="number" value={values.windowDays} onChange={set("windowDays")} error={errors.windowDays} autoComplete="off" />
                    <Select
                      label="Window starts at"
                      name="windowStartsAt"
                      options={[
                        { label: "Delivery", value: "delivery" },
                        { label: "Fulfillment", value: "fulfillment" },
                      ]}
                      value={values.windowStartsAt}
                      onChange={set("windowStartsAt")}
                    />
                  </FormLayout.Group>
                  <TextField label="Final-sale tags (order or product)" name="finalSaleTags" value={values.finalSaleTags} onChange={set("finalSaleTags")} error={errors.finalSaleTags} autoComplete="off" helpText="Comma-separated" />
                  <TextField label="Non-returnable product tags" name="nonReturnableProductTags" value={values.nonReturnableProductTags} onChange={set("nonReturnableProductTags")} error={errors.nonReturnableProductTags} autoComplete="off" />
                  <FormLayout.Group>
                    <TextField label="Restocking fee on refunds (%)" name="restockingFeePercent" type="number" value={values.restockingFeePercent} onChange={set("restockingFeePercent")} error={errors.restockingFeePercent} autoComplete="off" />
                    <TextField label="Return label fee on refunds" name="returnShippingFee" value={values.returnShippingFee} onChange={set("returnShippingFee")} error={errors.returnShippingFee} autoComplete="off" />
                  </FormLayout.Group>
                  <FormLayout.Group>
                    <TextField label="Keep the item when worth less than" name="keepItemBelow" value={values.keepItemBelow} onChange={set("keepItemBelow")} error={errors.keepItemBelow} autoComplete="off" helpText="0 turns it off" />
                    <TextField label="Store credit bonus (%)" name="storeCreditBonusPercent" type="number" value={values.storeCreditBonusPercent} onChange={set("storeCreditBonusPercent")} error={errors.storeCreditBonusPercent} autoComplete="off" />
                  </FormLayout.Group>
                  <Checkbox label="Offer exchanges (only when the new item is in stock)" checked={values.allowExchanges} onChange={set("allowExchanges")} />
                  <input type="hidden" name="allowExchanges" value={values.allowExchanges ? "on" : "off"} />
                  <Checkbox label="Offer store credit" checked={values.allowStoreCredit} onChange={set("allowStoreCredit")} />
                  <input type="hidden" name="allowStoreCredit" value={values.allowStoreCredit ? "on" : "off"} />
                </FormLayout>
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    Returns on their way back as stock
                  </Text>
                  <Text as="p" tone="subdued">
                    Units of approved returns with a label issued or in transit count as incoming at the return's location (shown on the inventory pages). A channel may also sell
                    a share of them before they arrive; 0 keeps it off. The stock sync adds the share per location, rounded down.
                  </Text>
                  <FormLayout>
                    <FormLayout.Group condensed>
                      {INCOMING_CHANNELS.map((channel) => (
                        <TextField
                          key={channel}
                          label={`${channelLabel(channel)} (%)`}
                          name={`incomingReturns_${channel}`}
                          type="number"
                          min={0}
                          max={100}
                          value={incoming[channel]}
                          onChange={(value) => setIncoming((current) => ({ ...current, [channel]: value }))}
                          error={errors[`incomingReturns_${channel}`]}
                          autoComplete="off"
                        />
                      ))}
                    </FormLayout.Group>
                  </FormLayout>
                </BlockStack>
                <Button submit variant="primary" loading={saving}>
                  Save
                </Button>
              </BlockStack>
            </Card>
          </Form>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Return rules" />;
}
