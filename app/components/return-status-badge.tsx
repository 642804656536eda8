import { Badge } from "@shopify/polaris";
import type { ComponentProps } from "react";
import { humanize } from "./format";

type Tone = ComponentProps<typeof Badge>["tone"];

const RETURN_STATUS_TONES: Record<string, Tone> = {
  requested: "attention",
  approved: "info",
  label_issued: "info",
  in_transit: "info",
  received: "attention",
  inspected: "attention",
  refunded: "success",
  exchanged: "success",
  credited: "success",
  declined: "critical",
  closed: undefined,
  cancelled: undefined,
};

export function ReturnStatusBadge({ status }: { status: string }) {
  return <Badge tone={RETURN_STATUS_TONES[status]}>{humanize(status)}</Badge>;
}
