import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";
import { CHANNELS } from "../../core/orders/unified-order";
import { channelLabel, formatDateTime } from "./format";

export interface VariantIdentity {
  id: string;
  channel: string;
  matchKey: string;
  createdBy: string;
  createdAt: string;
}

type IdentityActionData = { ok: true; message: string } | { ok: false; message: string };

/**
 * The channel ids and SKU aliases order lines are matched to this variant by, besides its own
 * SKU and the channels' listings. Adding one matches every open order already waiting on it.
 */
export function VariantIdentitiesCard({ identities }: { identities: readonly VariantIdentity[] }) {
  const fetcher = useFetcher<IdentityActionData>();
  const [channel, setChannel] = useState<string>("shopify");
  const [kind, setKind] = useState<"ref" | "sku">("sku");
  const [value, setValue] = useState("");
  useEffect(() => {
    if (fetcher.data?.ok) setValue("");
  }, [fetcher.data]);
  const busy = fetcher.state !== "idle";

  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Order line identities
        </Text>
        <Text as="p" tone="subdued">
          Order lines carrying one of these are matched to this variant. Adding one also maps the open orders already waiting on it.
        </Text>
        {fetcher.data ? (
          <Banner tone={fetcher.data.ok ? "success" : "critical"}>
            <p>{fetcher.data.message}</p>
          </Banner>
        ) : null}
        {identities.length > 0 ? (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={["Channel", "Kind", "Value", "Added", ""]}
            rows={identities.map((identity) => [
              channelLabel(identity.channel),
              identity.matchKey.startsWith("ref:") ? "Channel id" : "SKU alias",
              identity.matchKey.slice(4),
              `${formatDateTime(identity.createdAt)} · ${identity.createdBy}`,
              <Button
                key={identity.id}
                variant="plain"
                tone="critical"
                disabled={busy}
                onClick={() => fetcher.submit({ intent: "remove_identity", mappingId: identity.id }, { method: "post" })}
              >
                Remove
              </Button>,
            ])}
          />
        ) : null}
        <InlineStack gap="200" blockAlign="end" wrap>
          <Select
            label="Channel"
            options={CHANNELS.map((c) => ({ label: channelLabel(c), value: c }))}
            value={channel}
            onChange={setChannel}
          />
          <Select
            label="Kind"
            options={[
              { label: "SKU alias", value: "sku" },
              { label: "Channel id (variant GID, ASIN, item id…)", value: "ref" },
            ]}
            value={kind}
            onChange={(next) => setKind(next === "ref" ? "ref" : "sku")}
          />
          <TextField label="Value" value={value} onChange={setValue} autoComplete="off" />
          <Button
            loading={busy}
            disabled={value.trim() === ""}
            onClick={() => fetcher.submit({ intent: "add_identity", channel, kind, value }, { method: "post" })}
          >
            Add identity
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
