import http from "node:http";
import { setDatabaseForTests } from "../app/db.server";
import { createDatabaseClient } from "../db/client";
import { setCrossProcessInboxSignal } from "../db/queue/inbox-signal";
import { createInboxNotifier } from "../db/queue/inbox-wake-channel";
import { serveShopifyWebhook, shopifyTopicOfPath } from "../server/webhook-node-route";

/**
 * The benches' web process (bench:chaos, bench:intake): the app's own Shopify webhook route
 * (server/webhook-node-route.ts: bound the body, verify, store, 503 while the database is away),
 * the one app-server.ts mounts in front of Remix, behind a bare HTTP server on loopback, so a
 * bench can run it as a process of its own without building the admin. POST /webhooks/<topic>.
 */
const port = Number(process.env.BENCH_WEB_PORT ?? process.env.CHAOS_WEB_PORT);
const client = createDatabaseClient(process.env.DATABASE_URL!, { max: Number(process.env.BENCH_WEB_POOL ?? 16), keepOpen: 4 });
setDatabaseForTests(client.db);
// As `npm run web` does: workers in other processes are woken by a throttled NOTIFY.
const inboxNotifier = createInboxNotifier(process.env.DATABASE_URL!);
setCrossProcessInboxSignal(inboxNotifier.notify);

const server = http.createServer((req, res) => {
  const topic = req.method === "POST" ? shopifyTopicOfPath(req.url ?? "") : undefined;
  if (!topic) {
    req.resume();
    res.writeHead(404).end();
    return;
  }
  void serveShopifyWebhook(req, res, topic);
});
server.keepAliveTimeout = 30_000;
// As the app's web process does (app/db.server.ts): its kept connections open before it listens.
await client.warm();
server.listen(port, "127.0.0.1", () => console.log(`[bench-web] listening on 127.0.0.1:${port}`));
// Exit cleanly when the bench stops this process, so `--cpu-prof` and the pool's goodbyes happen.
process.on("SIGTERM", () => {
  server.close();
  void Promise.all([client.close(), inboxNotifier.close()]).finally(() => process.exit(0));
});
