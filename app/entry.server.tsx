import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { describeError } from "../db/safe-error-text";
import { noteRequestError } from "./errors/database-outage.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

/**
 * Remix logs loader and action errors through this. A Drizzle error's message holds the whole
 * statement and its parameters (customer payloads): only the path and a safe description go out.
 */
export function handleError(error: unknown, { request, context }: { request: Request; context: unknown }): void {
  // Before anything else: the HTTP adapter turns this request's 500 into a 503 if the database was away.
  noteRequestError(context, error);
  if (request.signal.aborted) return;
  console.error(`[app] ${request.method} ${new URL(request.url).pathname}: ${describeError(error)}`);
  if (error instanceof Error && error.stack && !/Failed query/.test(error.message)) console.error(error.stack.split("\n").slice(1, 6).join("\n"));
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  // Crawlers get the whole document at once; people get the shell as soon as it is ready.
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        console.error(`[app] render failed: ${describeError(error)}`);
      },
    });
    // Abort the render a little after Remix's stream timeout so rejected deferreds still flush.
    setTimeout(abort, streamTimeout + 1000);
  });
}
