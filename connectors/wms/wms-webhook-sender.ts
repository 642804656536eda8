import { signWmsBody, WMS_SIGNATURE_HEADER } from "./wms-webhook-signature.js";

export type WmsSendResult = { delivered: true; status: number } | { delivered: false; status: number | null; error: string };

/**
 * POSTs one signed message. Any 2xx is an acknowledgement; anything else (or no answer within
 * the timeout) is a failure the caller retries. The body is serialised once and that exact
 * string is both signed and sent.
 */
export async function sendWmsMessage(input: {
  url: string;
  secret: string;
  deliveryId: string;
  event: string;
  message: unknown;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): Promise<WmsSendResult> {
  const body = JSON.stringify(input.message);
  try {
    const response = await (input.fetch ?? fetch)(input.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Switchyard-WMS-Handoff/1",
        [WMS_SIGNATURE_HEADER]: signWmsBody(body, input.secret),
        "X-Switchyard-Delivery": input.deliveryId,
        "X-Switchyard-Event": input.event,
      },
      body,
      signal: AbortSignal.timeout(input.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { delivered: true, status: response.status } : { delivered: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    return { delivered: false, status: null, error: error instanceof Error ? error.message : String(error) };
  }
}
