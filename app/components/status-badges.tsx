import { Badge } from "@shopify/polaris";
import type { ComponentProps } from "react";
import { ORDER_STATUS_INFO, orderStatusSchema } from "../../core/orders/order-status";
import { channelLabel, humanize } from "./format";

type Tone = ComponentProps<typeof Badge>["tone"];

const ORDER_STATUS_TONES: Record<string, Tone> = {
  received: "info",
  on_hold: "warning",
  backordered: "critical",
  reserved: "attention",
  allocated: "attention",
  partially_shipped: "info",
  shipped: "success",
  delivered: "success",
  cancelled: undefined,
};

export function OrderStatusBadge({ status }: { status: string }) {
  const parsed = orderStatusSchema.safeParse(status);
  const label = parsed.success ? ORDER_STATUS_INFO[parsed.data].label : humanize(status);
  return <Badge tone={ORDER_STATUS_TONES[status]}>{label}</Badge>;
}

const FINANCIAL_TONES: Record<string, Tone> = {
  paid: "success",
  authorized: "attention",
  pending: "attention",
  partially_paid: "warning",
  partially_refunded: "info",
  refunded: undefined,
  voided: "critical",
  declined: "critical",
};

export function FinancialStatusBadge({ status }: { status: string }) {
  return <Badge tone={FINANCIAL_TONES[status]}>{humanize(status)}</Badge>;
}

const CONNECTION_TONES: Record<string, Tone> = {
  connected: "success",
  paused: "warning",
  error: "critical",
  disconnected: undefined,
};

export function ConnectionStatusBadge({ status }: { status: string }) {
  return <Badge tone={CONNECTION_TONES[status]}>{humanize(status)}</Badge>;
}

export function ChannelBadge({ channel }: { channel: string }) {
  return <Badge>{channelLabel(channel)}</Badge>;
}
