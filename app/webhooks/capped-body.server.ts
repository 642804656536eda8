/** Bodies above this many bytes are refused with 413 (SWITCHYARD_WEBHOOK_MAX_BYTES; default 5 MiB). */
export function webhookMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.SWITCHYARD_WEBHOOK_MAX_BYTES);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : 5 * 1024 * 1024;
}

/**
 * Reads a webhook body into memory, but never more than `maxBytes`: a declared Content-Length
 * above the cap is refused before a byte is read, and a body streamed without one (or lying about
 * it) is cut off as soon as it passes the cap, so three unsigned 300 MB POSTs cost nothing. The
 * signature is checked afterwards on the bytes returned, exactly as they arrived.
 */
export async function readCappedBody(request: Request, maxBytes = webhookMaxBytes()): Promise<{ ok: true; body: Buffer } | { ok: false; response: Response }> {
  const tooLarge = () => ({
    ok: false as const,
    response: new Response(`Body larger than ${maxBytes} bytes`, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close" } }),
  });
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return tooLarge();
  }
  if (!request.body) return { ok: true, body: Buffer.alloc(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return tooLarge();
    }
    chunks.push(value);
  }
  return { ok: true, body: Buffer.concat(chunks, size) };
}
