import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { GRADE_LABELS, RETURN_GRADES, type ReturnGrade } from "../../core/returns/disposition-policy";
import { RETURN_REASON_LABELS, type ReturnReason } from "../../core/returns/return-rules";
import { availableRmaEvents, isRmaStatus } from "../../core/returns/rma-state-machine";
import { getReturnDetail } from "../../db/queries/return-queries";
import { requestReturnLabelPurchase } from "../../db/repositories/return-label-repository";
import { applyReturnStep, inspectReturn, recordReturnLabel } from "../../db/repositories/return-lifecycle-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { channelLabel, formatDateTime, formatMoney, humanize } from "../components/format";
import { ReturnStatusBadge } from "../components/return-status-badge";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { returnActionSchema, returnIdParamSchema } from "../params/return-params";
import { parseOrThrow } from "../params/search-params";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const { id } = parseOrThrow(returnIdParamSchema, params, "return id");
  const detail = await getReturnDetail(getDatabase(), shop.id, id);
  if (!detail) throw json({ message: "This return does not exist in this shop." }, { status: 404 });
  const events = isRmaStatus(detail.status) ? availableRmaEvents(detail.status, { keepItem: detail.keepItem }) : [];
  return json({ detail, events });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { shop, actor } = await requireAdminContext(request);
  const { id } = parseOrThrow(returnIdParamSchema, params, "return id");
  const parsed = returnActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json({ ok: false as const, message: `${issue?.path.join(".") || "form"}: ${issue?.message ?? "invalid"}` }, { status: 400 });
  }
  const db = getDatabase();
  const input = parsed.data;
  const base = { shopId: shop.id, returnId: id, actor };
  if (input.intent === "buy_label") {
    const queued = await requestReturnLabelPurchase(db, base);
    return queued.ok
      ? json({ ok: true as const, message: "Buying the return label: it appears here and in the customer's portal in a moment." })
      : json({ ok: false as const, message: humanize(queued.reason) }, { status: 409 });
  }
  const result =
    input.intent === "inspect"
      ? await inspectReturn(db, { ...base, lines: input.grades })
      : input.intent === "issue_label"
        ? await recordReturnLabel(db, { ...base, carrier: input.carrier, trackingNumber: input.trackingNumber, labelUrl: input.labelUrl ?? null })
        : await applyReturnStep(db, { ...base, event: input.intent, note: input.note, ...("reference" in input ? { reference: input.reference } : {}) });
  return result.ok
    ? json({ ok: true as const, message: `${humanize(input.intent)}: now ${humanize(result.value.to).toLowerCase()}.` })
    : json({ ok: false as const, message: `${humanize(result.reason)}${result.detail ? ` (${result.detail})` : ""}` }, { status: 409 });
};

/** What the return's mirror on its channel is doing, in the merchant's words. */
const CHANNEL_SYNC_WORDS: Record<string, string> = {
  pending: "Sending the latest step…",
  placing: "Placing the return…",
  synced: "In step: the channel shows the same return",
  failed: "Not in step: see the error (Retry from Exceptions)",
  unmirrorable: "The channel holds nothing returnable for these items: money goes back as a plain refund",
  order_missing: "The channel does not have this order: nothing is mirrored there",
};

const PRIMARY_STEPS = ["approve", "mark_in_transit", "receive", "refund", "credit", "exchange", "close"] as const;

export default function ReturnPage() {
  const { detail, events } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const busy = fetcher.state !== "idle";
  const [declineNote, setDeclineNote] = useState("");
  const [carrier, setCarrier] = useState("USPS");
  const [tracking, setTracking] = useState("");
  const [grades, setGrades] = useState<Record<string, ReturnGrade>>(() => Object.fromEntries(detail.lines.map((l) => [l.id, (l.grade as ReturnGrade) ?? "A"])));
  const step = (intent: string, extra: Record<string, string> = {}) => fetcher.submit({ intent, ...extra }, { method: "post" });
  const can = (event: string) => (events as string[]).includes(event);

  return (
    <Page
      backAction={{ content: "Returns", url: "/app/returns" }}
      title={`Return ${detail.rmaNumber}`}
      titleMetadata={<ReturnStatusBadge status={detail.status} />}
      subtitle={`${humanize(detail.resolution)} · from ${humanize(detail.source).toLowerCase()} · requested ${formatDateTime(detail.requestedAt)}`}
    >
      <Layout>
        {fetcher.data ? (
          <Layout.Section>
            <Banner tone={fetcher.data.ok ? "success" : "critical"} title={fetcher.data.message} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Items
                </Text>
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text", "text"]}
                  headings={["Item", "Reason", "Qty", "Exchange for", "Grade", "Disposition"]}
                  rows={detail.lines.map((line) => [
                    `${line.title} (${line.sku})`,
                    `${RETURN_REASON_LABELS[line.reason as ReturnReason] ?? line.reason}${line.customerNote ? ` — “${line.customerNote}”` : ""}`,
                    line.quantity,
                    line.exchangeSku ?? "—",
                    can("inspect") ? (
                      <Select
                        key={line.id}
                        label="Grade"
                        labelHidden
                        options={RETURN_GRADES.map((g) => ({ label: GRADE_LABELS[g], value: g }))}
                        value={grades[line.id] ?? "A"}
                        onChange={(value) => setGrades((g) => ({ ...g, [line.id]: value as ReturnGrade }))}
                      />
                    ) : (
                      (line.grade ?? "—")
                    ),
                    line.disposition ? humanize(line.disposition) : "—",
                  ])}
                />
                {can("inspect") ? (
                  <InlineStack>
                    <Button variant="primary" loading={busy} onClick={() => step("inspect", { grades: JSON.stringify(detail.lines.map((l) => ({ returnLineId: l.id, grade: grades[l.id] ?? "A" }))) })}>
                      Save inspection
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Next step
                </Text>
                <InlineStack gap="200" wrap>
                  {PRIMARY_STEPS.filter(can).map((event) => (
                    <Button key={event} loading={busy} onClick={() => step(event)}>
                      {humanize(event)}
                    </Button>
                  ))}
                  {can("cancel") ? (
                    <Button tone="critical" loading={busy} onClick={() => step("cancel")}>
                      Cancel return
                    </Button>
                  ) : null}
                  {events.length === 0 ? <Text as="p">This return is finished.</Text> : null}
                </InlineStack>
                {can("decline") ? (
                  <InlineStack gap="200" blockAlign="end">
                    <TextField label="Reason for declining" value={declineNote} onChange={setDeclineNote} autoComplete="off" />
                    <Button tone="critical" disabled={!declineNote.trim()} loading={busy} onClick={() => step("decline", { note: declineNote })}>
                      Decline
                    </Button>
                  </InlineStack>
                ) : null}
                {can("issue_label") ? (
                  <InlineStack gap="200" blockAlign="center">
                    <Button variant="primary" loading={busy} onClick={() => step("buy_label")}>
                      Buy return label
                    </Button>
                    {detail.labelError ? <Text as="span" tone="critical">{detail.labelError}</Text> : <Text as="span" tone="subdued">or record one you made yourself:</Text>}
                  </InlineStack>
                ) : null}
                {can("issue_label") ? (
                  <InlineStack gap="200" blockAlign="end">
                    <TextField label="Carrier" value={carrier} onChange={setCarrier} autoComplete="off" />
                    <TextField label="Return tracking number" value={tracking} onChange={setTracking} autoComplete="off" />
                    <Button disabled={!tracking.trim()} loading={busy} onClick={() => step("issue_label", { carrier, trackingNumber: tracking })}>
                      Record return label
                    </Button>
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Timeline
                </Text>
                {detail.events.map((event) => (
                  <Text key={event.id} as="p">
                    <Text as="span" tone="subdued">{`${formatDateTime(event.createdAt)} · ${event.actor} · `}</Text>
                    {event.message}
                  </Text>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="150">
                <Text as="h2" variant="headingMd">
                  Order
                </Text>
                <Link to={`/app/orders/${detail.orderId}`}>{detail.orderNumber}</Link>
                <Text as="p">{channelLabel(detail.channel)}</Text>
                <Text as="p">{detail.customerName ?? detail.customerEmail ?? "—"}</Text>
                <Text as="p">{`Back to: ${detail.destination ?? "no location"}`}</Text>
                {detail.exchangeOrderId ? <Link to={`/app/orders/${detail.exchangeOrderId}`}>Exchange order</Link> : null}
                {detail.trackingNumber ? <Text as="p">{`Return label: ${detail.carrier ?? ""} ${detail.trackingNumber}`}</Text> : null}
                {detail.trackingStatus ? <Text as="p" tone="subdued">{`Carrier says: ${humanize(detail.trackingStatus).toLowerCase()}`}</Text> : null}
                {detail.trackingUrl ? (
                  <a href={detail.trackingUrl} target="_blank" rel="noreferrer">
                    Track the parcel
                  </a>
                ) : null}
                {detail.labelUrl ? (
                  <a href={detail.labelUrl} target="_blank" rel="noreferrer">
                    Open label
                  </a>
                ) : null}
              </BlockStack>
            </Card>
            {detail.channelSyncState ? (
              <Card>
                <BlockStack gap="150">
                  <Text as="h2" variant="headingMd">
                    {channelLabel(detail.channel)}
                  </Text>
                  <Text as="p" tone={detail.channelSyncState === "failed" ? "critical" : undefined}>{CHANNEL_SYNC_WORDS[detail.channelSyncState] ?? humanize(detail.channelSyncState)}</Text>
                  {detail.channelReturnId ? <Text as="p" tone="subdued">{`Return ${detail.channelReturnId.split("/").pop()}`}</Text> : null}
                  {detail.channelRefundId ? <Text as="p" tone="subdued">{`Refund ${detail.channelRefundId.split("/").pop()}`}</Text> : null}
                  {detail.channelSyncError ? <Text as="p" tone="critical">{detail.channelSyncError}</Text> : null}
                  {detail.channelSyncedAt ? <Text as="p" tone="subdued">{`In step since ${formatDateTime(detail.channelSyncedAt)}`}</Text> : null}
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="150">
                <Text as="h2" variant="headingMd">
                  Money
                </Text>
                <Text as="p">{`Items: ${formatMoney(detail.itemsValueMinor, detail.currency)}`}</Text>
                {detail.restockingFeeMinor > 0 ? <Text as="p">{`Restocking fee: −${formatMoney(detail.restockingFeeMinor, detail.currency)}`}</Text> : null}
                {detail.returnShippingFeeMinor > 0 ? <Text as="p">{`Return label: −${formatMoney(detail.returnShippingFeeMinor, detail.currency)}`}</Text> : null}
                {detail.storeCreditBonusMinor > 0 ? <Text as="p">{`Credit bonus: +${formatMoney(detail.storeCreditBonusMinor, detail.currency)}`}</Text> : null}
                <Text as="p" fontWeight="bold">{`${detail.resolution === "store_credit" ? "Store credit" : detail.resolution === "exchange" ? "Exchange" : "Refund"}: ${formatMoney(detail.payoutMinor, detail.currency)}`}</Text>
                {detail.keepItem ? <Text as="p">The customer keeps the item.</Text> : null}
                {detail.declineReason ? <Text as="p" tone="critical">{`Declined: ${detail.declineReason}`}</Text> : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Why
                </Text>
                {detail.explanation.map((line, i) => (
                  <Text key={i} as="p">
                    {line}
                  </Text>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Return" />;
}
