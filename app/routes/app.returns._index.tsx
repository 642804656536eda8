import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Button, ButtonGroup, Card, EmptyState, IndexTable, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { dispositionTotals, listReturns } from "../../db/queries/return-queries";
import { listChannelReturnProblems } from "../../db/repositories/channel-return-repository";
import { requireAdminContext } from "../auth/admin-context.server";
import { EMPTY_STATE_IMAGE } from "../components/empty-state-image";
import { channelLabel, formatAge, formatMoney, humanize } from "../components/format";
import { ReturnStatusBadge } from "../components/return-status-badge";
import { RouteErrorBanner } from "../components/route-error-banner";
import { getDatabase } from "../db.server";
import { useRouteLoading } from "../hooks/use-route-loading";
import { returnListParamsSchema } from "../params/return-params";
import { parseOrThrow, searchParamsToObject } from "../params/search-params";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminContext(request);
  const params = parseOrThrow(returnListParamsSchema, searchParamsToObject(new URL(request.url).searchParams), "return filters");
  const db = getDatabase();
  const [page, dispositions, channelProblems] = await Promise.all([
    listReturns(db, shop.id, { status: params.status, open: params.view !== "finished", after: params.after, channel: params.channel }),
    dispositionTotals(db, shop.id),
    listChannelReturnProblems(db, shop.id),
  ]);
  return json({ page, dispositions, channelProblems, now: new Date().toISOString() });
};

export default function ReturnsPage() {
  const { page, dispositions, channelProblems, now } = useLoaderData<typeof loader>();
  const [searchParams, setSearchParams] = useSearchParams();
  const loading = useRouteLoading();
  const status = searchParams.get("status");
  const view = searchParams.get("view") ?? "open";
  const channel = searchParams.get("channel") ?? "";
  const withParams = (change: Record<string, string | undefined>) => {
    const next = new URLSearchParams(searchParams);
    next.delete("after");
    for (const [key, value] of Object.entries(change)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next);
  };

  return (
    <Page fullWidth title="Returns" subtitle="Every return from the store, the customer's account and the marketplaces, oldest first" secondaryActions={[
        { content: "Analytics", url: "/app/returns/analytics" },
        { content: "Return rules", url: "/app/returns/settings" },
      ]}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" wrap>
                <ButtonGroup>
                  <Button pressed={view === "open" && !status} onClick={() => withParams({ view: undefined, status: undefined })}>
                    Open
                  </Button>
                  <Button pressed={view === "finished"} onClick={() => withParams({ view: "finished", status: undefined })}>
                    Finished
                  </Button>
                </ButtonGroup>
                <Select
                  label="Channel"
                  labelInline
                  options={[{ label: "All channels", value: "" }, ...["shopify", "amazon", "ebay", "woocommerce"].map((c) => ({ label: channelLabel(c), value: c }))]}
                  value={channel}
                  onChange={(value) => withParams({ channel: value || undefined })}
                />
                <ButtonGroup>
                  {page.countsByStatus.map((row) => (
                    <Button key={row.status} pressed={status === row.status} onClick={() => withParams({ status: row.status, view: undefined })}>
                      {`${humanize(row.status)} (${row.count})`}
                    </Button>
                  ))}
                </ButtonGroup>
              </InlineStack>
              <InlineStack gap="300">
                {dispositions.length === 0 ? (
                  <Text as="p" tone="subdued">
                    No returns inspected yet.
                  </Text>
                ) : (
                  dispositions.map((d) => (
                    <Text key={d.disposition} as="p">
                      {`${humanize(d.disposition)}: ${d.units} unit${d.units === 1 ? "" : "s"}`}
                    </Text>
                  ))
                )}
              </InlineStack>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: "return", plural: "returns" }}
              itemCount={page.rows.length}
              selectable={false}
              loading={loading}
              emptyState={
                <EmptyState heading="No returns here" image={EMPTY_STATE_IMAGE}>
                  <p>Returns customers ask for in their account or the store's returns page appear here.</p>
                </EmptyState>
              }
              headings={[{ title: "Return" }, { title: "Order" }, { title: "Customer" }, { title: "Status" }, { title: "Resolution" }, { title: "Units" }, { title: "Payout" }, { title: "Waiting" }]}
            >
              {page.rows.map((row, index) => {
                const ageHours = (Date.parse(now) - Date.parse(row.updatedAt)) / 3_600_000;
                const late = row.slaHours !== null && ageHours > row.slaHours;
                return (
                  <IndexTable.Row id={row.id} key={row.id} position={index}>
                    <IndexTable.Cell>
                      <Link to={`/app/returns/${row.id}`}>{row.rmaNumber}</Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Link to={`/app/orders/${row.orderId}`}>{row.orderNumber}</Link> <Text as="span" tone="subdued">{channelLabel(row.channel)}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{row.customerName ?? "—"}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <ReturnStatusBadge status={row.status} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {humanize(row.resolution)}
                      {row.externalId ? (
                        <Text as="span" tone="subdued">{` · ${channelLabel(row.source)} ${row.externalId}`}</Text>
                      ) : null}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{row.units}</IndexTable.Cell>
                    <IndexTable.Cell>{formatMoney(row.payoutMinor, row.currency)}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="100">
                        <Text as="span">{formatAge(row.updatedAt, now)}</Text>
                        {late ? <Badge tone="critical">{`Over ${row.slaHours} h SLA`}</Badge> : null}
                      </InlineStack>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                );
              })}
            </IndexTable>
          </Card>
        </Layout.Section>
        {channelProblems.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingSm">
                  Marketplace returns not in the queue yet
                </Text>
                <Text as="p" tone="subdued">
                  Read from the channel and kept as they came; each is tried again the next time the channel is read.
                </Text>
                {channelProblems.map((problem) => (
                  <InlineStack key={problem.id} gap="200" wrap={false}>
                    <Badge tone="warning">{channelLabel(problem.channel)}</Badge>
                    <Text as="span">{`${problem.externalReturnId.startsWith("unreadable:") ? "Unreadable input" : `Return ${problem.externalReturnId}`}${problem.externalOrderId ? ` (order ${problem.externalOrderId})` : ""}: ${problem.problem}`}</Text>
                  </InlineStack>
                ))}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {page.nextCursor ? (
          <Layout.Section>
            <Button onClick={() => setSearchParams({ ...Object.fromEntries(searchParams), after: page.nextCursor! })}>Next page</Button>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <RouteErrorBanner context="Returns" />;
}
