import { z } from "zod";
import { fulfilmentChoiceOf, type FulfilmentChoice, type ShippingLineLike } from "../../core/routing/fulfilment-method";
import type { FulfilmentResolver } from "../../db/repositories/routing-repository";
import { orderSourcePayload } from "../intake/order-source";

/**
 * Pickup and curbside are named in the order's shipping lines, which the unified order does not
 * keep as columns; the channel payload kept on the order has them. Shopify sends `shipping_lines`
 * with a `delivery_category` in webhooks and `shippingLines.nodes` in GraphQL; Woo sends
 * `shipping_lines` with `method_title`. Anything unreadable means an ordinary shipped order.
 */
const restLines = z.object({
  shipping_lines: z
    .array(
      z.object({
        title: z.string().nullish(),
        method_title: z.string().nullish(),
        code: z.string().nullish(),
        method_id: z.string().nullish(),
        delivery_category: z.string().nullish(),
      }),
    )
    .max(50),
});
const graphqlLines = z.object({
  shippingLines: z.object({ nodes: z.array(z.object({ title: z.string().nullish(), code: z.string().nullish() })).max(50) }),
});

export function fulfilmentFromChannelPayload(
  order: { channel: string; sourcePayload: unknown },
  locations: readonly { id: string; name: string }[],
): FulfilmentChoice {
  const lines: ShippingLineLike[] = [];
  const rest = restLines.safeParse(order.sourcePayload);
  if (rest.success) {
    for (const l of rest.data.shipping_lines) {
      lines.push({ title: l.title ?? l.method_title ?? "", code: l.code ?? l.method_id ?? null, deliveryCategory: l.delivery_category ?? null });
    }
  } else {
    const graphql = graphqlLines.safeParse(order.sourcePayload);
    if (graphql.success) for (const l of graphql.data.shippingLines.nodes) lines.push({ title: l.title ?? "", code: l.code ?? null });
  }
  return fulfilmentChoiceOf(lines, locations);
}

/** The routing job's resolver: the order's payload read from wherever it is kept (docs/adr/0022). */
export const fulfilmentFromOrderSource: FulfilmentResolver = (order, locations) =>
  fulfilmentFromChannelPayload({ channel: order.channel, sourcePayload: orderSourcePayload(order.source) }, locations);
