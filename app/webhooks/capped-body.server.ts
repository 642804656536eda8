/** Bodies above this many bytes are refused with 413 (SWITCHYARD_WEBHOOK_MAX_BYTES; default 5 MiB). */
export function webhookMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.SWITCHYARD_WEBHOOK_MAX_BYTES);
  return Number.isSafeInteger(configured) && configured > 0 ? configured : 5 * 1024 * 1024;
}

/** A refused body carries `abandon`, which ends the iteration (for a web stream: cancels it). */
export type CappedBody = { ok: true; body: Buffer } | { ok: false; tooLarge: true; abandon: () => Promise<void> };

/**
 * Reads a body into memory, but never more than `maxBytes`: a declared Content-Length above the
 * cap is refused before a byte is read, and a body streamed without one (or lying about it) is
 * cut off as soon as it passes the cap, so three unsigned 300 MB POSTs cost nothing. The
 * signature is checked afterwards on the bytes returned, exactly as they arrived. The source is
 * read through its iterator and left unfinished when refused: the caller decides how to drop it
 * (a web stream is cancelled; a Node request answers first, then closes its connection).
 */
export async function readCappedChunks(source: AsyncIterable<Uint8Array> | null, declaredLength: string | null | undefined, maxBytes = webhookMaxBytes()): Promise<CappedBody> {
  const declared = Number(declaredLength ?? Number.NaN);
  if (!source) return { ok: true, body: Buffer.alloc(0) };
  const iterator = source[Symbol.asyncIterator]();
  const refused = { ok: false as const, tooLarge: true as const, abandon: async () => {
    await iterator.return?.();
  } };
  if (declaredLength && Number.isFinite(declared) && declared > maxBytes) return refused;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await iterator.next();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) return refused;
    chunks.push(value);
  }
  return { ok: true, body: chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks, size) };
}

export function tooLargeMessage(maxBytes = webhookMaxBytes()): string {
  return `Body larger than ${maxBytes} bytes`;
}

/** The web-standard adapter (Remix routes): the same cap, a refused stream cancelled, 413 as a Response. */
export async function readCappedBody(request: Request, maxBytes = webhookMaxBytes()): Promise<{ ok: true; body: Buffer } | { ok: false; response: Response }> {
  const read = await readCappedChunks(request.body as AsyncIterable<Uint8Array> | null, request.headers.get("content-length"), maxBytes);
  if (read.ok) return read;
  await read.abandon().catch(() => {});
  return {
    ok: false,
    response: new Response(tooLargeMessage(maxBytes), { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close" } }),
  };
}
