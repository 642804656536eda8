import { Badge, BlockStack, Button, Card, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { formatDateTime, formatMoney, humanize } from "./format";

/**
 * Where routing sent the order and why: the current decision's summary, each chosen location
 * with its reason, every location passed over with its one reason, what could not be routed,
 * and the earlier decisions. The buttons send the order back to routing (a location rejected
 * it or cannot ship) and move pickup orders along.
 */
export interface RoutingCardDecision {
  id: string;
  trigger: string;
  status: string;
  method: string;
  search: string;
  current: boolean;
  summary: string;
  estimatedCostMinor: number;
  currency: string;
  deliveryDays: number | null;
  explanation: {
    destination: string;
    chosen: readonly { locationId: string; name: string; why: string }[];
    passedOver: readonly { locationId: string; name: string; code: string; reason: string }[];
  };
  uncovered: readonly { lineId: string; missing: number; reason: string }[];
  moves: readonly { quantity: number; fromLocationId: string | null; toLocationId: string | null }[];
  createdAt: string;
}

export function OrderRoutingCard({
  decisions,
  orderStatus,
  busy,
  onReroute,
  onReject,
  onPickupStep,
}: {
  decisions: readonly RoutingCardDecision[];
  orderStatus: string;
  busy: boolean;
  onReroute: () => void;
  onReject: (locationId: string, reason: string) => void;
  onPickupStep: (step: "ready_for_pickup" | "pick_up") => void;
}) {
  const current = decisions.find((d) => d.current);
  const earlier = decisions.filter((d) => !d.current);
  const [rejecting, setRejecting] = useState(current?.explanation.chosen[0]?.locationId ?? "");
  const [reason, setReason] = useState("");
  const canSendBack = ["allocated", "ready_for_pickup", "reserved"].includes(orderStatus) && current !== undefined;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Routing
          </Text>
          {current ? (
            <InlineStack gap="100">
              <Badge tone={current.status === "routed" ? "success" : "critical"}>{humanize(current.status)}</Badge>
              <Badge>{humanize(current.method)}</Badge>
              <Badge>{`${humanize(current.search)} search`}</Badge>
            </InlineStack>
          ) : null}
        </InlineStack>
        {!current ? (
          <Text as="p" tone="subdued">
            {["reserved"].includes(orderStatus) ? "Waiting for routing." : "Not routed: routing runs once every line is reserved and no hold is open."}
          </Text>
        ) : (
          <BlockStack gap="200">
            <Text as="p" fontWeight="semibold">
              {current.summary}
            </Text>
            <Text as="p" tone="subdued">
              {`Decided ${formatDateTime(current.createdAt)} (${humanize(current.trigger)}); distances from ${current.explanation.destination}.`}
              {current.method === "ship" && current.status !== "unroutable"
                ? ` Estimated ${formatMoney(current.estimatedCostMinor, current.currency)} in labels, ${current.deliveryDays ?? "?"} days.`
                : ""}
            </Text>
            {current.explanation.chosen.length > 0 ? (
              <List type="bullet">
                {current.explanation.chosen.map((c) => (
                  <List.Item key={c.locationId}>
                    <Text as="span" fontWeight="semibold">
                      {c.name}
                    </Text>
                    {`: ${c.why}`}
                  </List.Item>
                ))}
              </List>
            ) : null}
            {current.uncovered.length > 0 ? (
              <List type="bullet">
                {current.uncovered.map((u) => (
                  <List.Item key={u.lineId}>{`${u.missing} unit${u.missing === 1 ? "" : "s"} not routed: ${u.reason}`}</List.Item>
                ))}
              </List>
            ) : null}
            {current.moves.length > 0 ? (
              <Text as="p" tone="subdued">
                {(() => {
                  const moved = current.moves.filter((m) => m.toLocationId).reduce((s, m) => s + m.quantity, 0);
                  return `Reservation moved: ${moved} unit${moved === 1 ? "" : "s"} re-reserved at the chosen location${current.explanation.chosen.length === 1 ? "" : "s"}.`;
                })()}
              </Text>
            ) : null}
            {current.explanation.passedOver.length > 0 ? (
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  Passed over
                </Text>
                <List type="bullet">
                  {current.explanation.passedOver.map((p) => (
                    <List.Item key={p.locationId}>{`${p.name} ${p.reason}`}</List.Item>
                  ))}
                </List>
              </BlockStack>
            ) : null}
          </BlockStack>
        )}
        {canSendBack ? (
          <BlockStack gap="200">
            <InlineStack gap="200" blockAlign="end" wrap>
              <Select
                label="Location that rejects the order or cannot ship"
                options={[{ label: "Choose a location", value: "" }, ...(current?.explanation.chosen ?? []).map((c) => ({ label: c.name, value: c.locationId }))]}
                value={rejecting}
                onChange={setRejecting}
              />
              <TextField label="Why" value={reason} onChange={setReason} autoComplete="off" placeholder="damaged stock, store closed…" />
              <Button disabled={!rejecting || busy} loading={busy} onClick={() => onReject(rejecting, reason || "rejected by the location")}>
                Send back to routing
              </Button>
              <Button disabled={busy} onClick={onReroute}>
                Route again
              </Button>
            </InlineStack>
            {current && current.method !== "ship" && orderStatus === "allocated" ? (
              <InlineStack>
                <Button variant="primary" loading={busy} onClick={() => onPickupStep("ready_for_pickup")}>
                  Ready for pickup
                </Button>
              </InlineStack>
            ) : null}
            {orderStatus === "ready_for_pickup" ? (
              <InlineStack>
                <Button variant="primary" loading={busy} onClick={() => onPickupStep("pick_up")}>
                  Picked up by the customer
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        ) : null}
        {earlier.length > 0 ? (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              Earlier decisions
            </Text>
            <List type="bullet">
              {earlier.map((d) => (
                <List.Item key={d.id}>{`${formatDateTime(d.createdAt)} (${humanize(d.trigger)}): ${d.summary}`}</List.Item>
              ))}
            </List>
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
