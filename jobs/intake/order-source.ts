import type { StoredOrderSource } from "../../db/repositories/order-source-repository";
import { deliveryRoute } from "../webhook-handlers/delivery-routes";
import { bodyTextOf, legacyPayload } from "./delivery-body";

/**
 * An order's channel payload, wherever it is kept (docs/adr/0022): a delivery's body is parsed
 * as its route parses it when it is processed (Shopify keeps 64-bit ids exact). Undefined when
 * there is none, or when what is kept can no longer be read (the order was made from it, so
 * this only happens to a body redacted or damaged since): a reader then decides without it.
 */
export function orderSourcePayload(source: StoredOrderSource): unknown {
  if (source.kind === "none") return undefined;
  if (source.kind === "order") return source.payload;
  const text = bodyTextOf(source.body);
  try {
    if (text === undefined) return legacyPayload(source.body.payload);
    return (deliveryRoute(source.body.channel, source.body.topic)?.parse ?? JSON.parse)(text);
  } catch {
    return undefined;
  }
}
