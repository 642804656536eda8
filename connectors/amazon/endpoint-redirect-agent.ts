import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";

/**
 * The official client (`amazon-sp-api`) builds every URL as `https://sellingpartnerapi-<region>.
 * amazon.com` and `https://api.amazon.com/auth/o2/token`, with port 443 fixed in its Request
 * class; it has no base-URL option. Its one transport hook is `https_proxy_agent`, the agent
 * handed to `https.request`. This agent opens every connection to the configured base URL
 * instead (plain TCP for http://, TLS for https://), so the same client, paths, headers and
 * token handling reach the sandbox or any other endpoint without patching the library. The
 * request's path and headers are left exactly as the client wrote them.
 */
export class EndpointRedirectAgent extends https.Agent {
  private readonly target: URL;

  constructor(baseUrl: string) {
    super({ keepAlive: true });
    this.target = new URL(baseUrl);
  }

  // Node's Agent uses a socket returned synchronously and ignores the callback then.
  override createConnection(): Duplex {
    const secure = this.target.protocol === "https:";
    const port = Number(this.target.port || (secure ? 443 : 80));
    const host = this.target.hostname;
    return secure ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
  }
}
