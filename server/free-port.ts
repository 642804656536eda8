import net from "node:net";

/**
 * A TCP port on 127.0.0.1 that nothing listens on at the moment of asking (the OS picks it), for
 * the servers benches and tests start beside each other, and for "a database that is away".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("the OS gave no port"))));
    });
  });
}
