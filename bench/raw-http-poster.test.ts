import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRawHttpPoster, endOfResponse } from "./raw-http-poster";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const head = (port: number, body: Buffer, extra = "") =>
  `POST /webhooks/orders/create HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${extra}\r\n`;

describe("endOfResponse", () => {
  it("waits for a Content-Length body to be complete", () => {
    const whole = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    expect(endOfResponse(whole.subarray(0, whole.length - 1))).toBe(-1);
    expect(endOfResponse(Buffer.concat([whole, Buffer.from("HTTP/1.1")]))).toBe(whole.length);
  });

  it("reads chunked bodies to their last chunk, split anywhere", () => {
    const whole = Buffer.from("HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbad \r\n9\r\nsignature\r\n0\r\n\r\n");
    for (let cut = 0; cut < whole.length; cut++) expect(endOfResponse(whole.subarray(0, cut))).toBe(-1);
    expect(endOfResponse(whole)).toBe(whole.length);
  });

  it("takes a response without a body framing as ending with its headers", () => {
    const head = Buffer.from("HTTP/1.1 204 No Content\r\nX: y\r\n\r\n");
    expect(endOfResponse(Buffer.concat([head, Buffer.from("HTTP/1.1 200")]))).toBe(head.length);
  });
});

describe("createRawHttpPoster", () => {
  it("posts the request as written and answers each status in turn on one connection", async () => {
    const seen: { topic: string | undefined; body: string; socket: unknown }[] = [];
    const port = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        seen.push({ topic: req.headers["x-shopify-topic"] as string | undefined, body, socket: req.socket });
        // Chunked (no length) and sized answers alike.
        if (body === "second") res.writeHead(409).end("already");
        else res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
      });
    });
    const poster = createRawHttpPoster("127.0.0.1", port);
    const first = Buffer.from("first");
    const second = Buffer.from("second");
    expect(await poster.post(head(port, first, "x-shopify-topic: orders/create\r\n"), first)).toBe(200);
    expect(await poster.post(head(port, second), second)).toBe(409);
    poster.close();
    expect(seen.map(({ topic, body }) => ({ topic, body }))).toEqual([
      { topic: "orders/create", body: "first" },
      { topic: undefined, body: "second" },
    ]);
    expect(seen[0]!.socket).toBe(seen[1]!.socket);
  });

  it("answers 0 when the connection closes before an answer, and reconnects for the next request", async () => {
    let calls = 0;
    const port = await serve((req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else req.on("data", () => {}).on("end", () => res.writeHead(200).end("ok"));
    });
    const poster = createRawHttpPoster("127.0.0.1", port);
    const body = Buffer.from("{}");
    expect(await poster.post(head(port, body), body)).toBe(0);
    expect(await poster.post(head(port, body), body)).toBe(200);
    poster.close();
  });

  it("answers 0 when a request waits longer than the timeout, yet keeps an idle connection past it", async () => {
    const sockets = new Set<unknown>();
    const port = await serve((req, res) => {
      sockets.add(req.socket);
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        if (body !== "hang") res.writeHead(200).end("ok");
      });
    });
    const poster = createRawHttpPoster("127.0.0.1", port, 100);
    const ok = Buffer.from("ok");
    expect(await poster.post(head(port, ok), ok)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await poster.post(head(port, ok), ok)).toBe(200);
    expect(sockets.size).toBe(1);
    const hang = Buffer.from("hang");
    expect(await poster.post(head(port, hang), hang)).toBe(0);
    poster.close();
  });

  it("answers 0 when nothing listens", async () => {
    const port = await serve(() => {});
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const poster = createRawHttpPoster("127.0.0.1", port);
    const body = Buffer.from("{}");
    expect(await poster.post(head(port, body), body)).toBe(0);
    poster.close();
  });
});
