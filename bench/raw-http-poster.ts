import net from "node:net";

/**
 * One keep-alive HTTP/1.1 connection that sends requests rendered beforehand, one at a time, and
 * reads back each answer's status. bench:intake's senders stand in for Shopify, whose CPU is not
 * on the app's machine; here they share the two cores the figures are about, so what they spend
 * per request is taken from the app. undici's pool validated and assembled every request's
 * headers and built a response object and body stream per answer, 0.09 ms of CPU per delivery;
 * this writes the request's bytes in one call and reads the status line and framing only.
 *
 * Answers are read by their framing (Content-Length, chunked, or none for a status that has no
 * body). A connection that closes, or stays silent for `timeoutMs` while a request waits, fails
 * that request with status 0, as a refused connection does, and the next request opens a new one.
 */
export interface RawHttpPoster {
  /** Sends `head` (request line and headers, ending in a blank line) and `body`; the answer's status, 0 when none came. */
  post(head: string, body: Buffer): Promise<number>;
  close(): void;
}

export function createRawHttpPoster(host: string, port: number, timeoutMs = 10_000): RawHttpPoster {
  let socket: net.Socket | undefined;
  let received: Buffer = Buffer.alloc(0);
  let waiting: ((status: number) => void) | undefined;

  const answer = (status: number) => {
    const resolve = waiting;
    waiting = undefined;
    socket?.setTimeout(0);
    resolve?.(status);
  };

  const open = (): net.Socket => {
    const opened = net.connect({ host, port, noDelay: true });
    // Armed while a request waits only: an idle kept connection (the bench's pauses between
    // streams) stays open, as a sender's pool keeps it.
    opened.on("timeout", () => opened.destroy());
    opened.on("data", (chunk: Buffer) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const end = endOfResponse(received);
      if (end === -1) return;
      const status = Number(received.toString("latin1", 9, 12));
      received = received.subarray(end);
      answer(status);
    });
    opened.on("error", () => {});
    opened.on("close", () => {
      if (socket === opened) socket = undefined;
      received = Buffer.alloc(0);
      answer(0);
    });
    return opened;
  };

  return {
    post(head, body) {
      if (waiting) return Promise.reject(new Error("one request at a time on a raw HTTP connection"));
      return new Promise((resolve) => {
        waiting = resolve;
        socket ??= open();
        socket.setTimeout(timeoutMs);
        socket.cork();
        socket.write(head, "latin1");
        socket.write(body);
        socket.uncork();
      });
    },
    close() {
      socket?.destroy();
      socket = undefined;
    },
  };
}

/** The offset just past the first complete response in `data`, or -1 while it is incomplete. */
export function endOfResponse(data: Buffer): number {
  const headEnd = data.indexOf("\r\n\r\n");
  if (headEnd === -1) return -1;
  const bodyStart = headEnd + 4;
  const head = data.toString("latin1", 0, headEnd).toLowerCase();
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return data.length >= end ? end : -1;
  }
  if (!/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) return bodyStart;
  let at = bodyStart;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return -1;
    const size = Number.parseInt(data.toString("latin1", at, lineEnd), 16);
    if (size === 0) {
      // The last chunk, then (no trailers are sent to us) the blank line that ends the message.
      const trailerEnd = data.indexOf("\r\n\r\n", lineEnd);
      return trailerEnd === -1 ? -1 : trailerEnd + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > data.length) return -1;
  }
}
