import { useEffect, useRef, useState } from "react";
import { useFetcher, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Select, Text } from "@shopify/polaris";

type SimulateResult = { ok: true; requested: number; sent: number } | { ok: false; error: string };

/** Demo only: ask the Shopify sandbox for orders, delivered as signed webhooks. */
export function DemoTrafficCard() {
  const fetcher = useFetcher<SimulateResult>();
  const revalidator = useRevalidator();
  const [count, setCount] = useState("5");
  const [channel, setChannel] = useState("shopify");
  const busy = fetcher.state !== "idle";
  const result = fetcher.data;

  // Webhooks are processed by the worker a moment later: refresh the figures once, after it has.
  const refreshedFor = useRef<SimulateResult | undefined>(undefined);
  useEffect(() => {
    if (fetcher.state !== "idle" || !result?.ok || refreshedFor.current === result) return;
    refreshedFor.current = result;
    setTimeout(() => revalidator.revalidate(), 2500);
  }, [fetcher.state, result, revalidator]);

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Simulate orders
        </Text>
        <Text as="p" tone="subdued">
          A channel sandbox places orders from the demo catalogue: Shopify and WooCommerce send them here as signed
          webhooks, eBay's are picked up by the next order poll (every minute). They are verified, stored once, reserved
          and shown like any real order, and every other channel's stock follows.
        </Text>
        <fetcher.Form method="post" action="/app/demo/simulate-orders">
          <InlineStack gap="300" blockAlign="end">
            <Select
              label="Channel"
              name="channel"
              options={[
                { label: "Shopify", value: "shopify" },
                { label: "WooCommerce", value: "woocommerce" },
                { label: "eBay", value: "ebay" },
              ]}
              value={channel}
              onChange={setChannel}
            />
            <Select
              label="Orders"
              name="count"
              options={["1", "5", "20", "50"].map((value) => ({ label: value, value }))}
              value={count}
              onChange={setCount}
            />
            <Button submit variant="primary" loading={busy}>
              Send orders
            </Button>
          </InlineStack>
        </fetcher.Form>
        {result && !busy ? (
          result.ok ? (
            <Banner tone="success">
              {result.sent} of {result.requested} orders placed; they appear as the worker processes them.
            </Banner>
          ) : (
            <Banner tone="critical">{result.error}</Banner>
          )
        ) : null}
      </BlockStack>
    </Card>
  );
}
