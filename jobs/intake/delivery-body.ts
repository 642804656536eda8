import type { DeliveryBody } from "../../db/repositories/webhook-inbox-repository";

/** A stored body as text: claimed as text when it is valid UTF-8, else decoded from its bytes; undefined when only a parsed payload was stored. */
export function bodyTextOf(body: Pick<DeliveryBody, "bodyText" | "rawBody">): string | undefined {
  return body.bodyText ?? body.rawBody?.toString("utf8");
}

/** Rows stored before raw bodies (or by producers that parse) hold the parsed payload. */
export function legacyPayload(payload: unknown): unknown {
  if (typeof payload === "object" && payload !== null && "unparseable" in payload && Object.keys(payload).length === 1) {
    throw new Error("payload was not valid JSON when received");
  }
  return payload;
}
