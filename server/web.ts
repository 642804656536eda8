import { listenHost, startupConfigProblems } from "../app/config/demo-mode.server";
import { warmDatabase } from "../app/db.server";
import { setCrossProcessInboxSignal } from "../db/queue/inbox-signal";
import { createInboxNotifier } from "../db/queue/inbox-wake-channel";
import { openRuntimeDatabase } from "../db/runtime-database";
import { ensureProductionBuild, startAppServer } from "./app-server";

/**
 * `npm run web`: the HTTP side on its own — admin, webhook ingress, integration API — with no
 * worker, no sandbox channels and no seeding. Run as many as you like behind a load balancer
 * (PORT each), next to `npm run worker` processes, all against one DATABASE_URL: the ingress only
 * stores deliveries, and the workers claim them from the inbox (docs/adr/0015).
 */
process.env.NODE_ENV ??= "production";
const problems = startupConfigProblems();
if (problems.length > 0) {
  for (const problem of problems) console.error(`[web] cannot start: ${problem}`);
  process.exit(1);
}
const database = await openRuntimeDatabase();
// The Remix app reads DATABASE_URL when it first touches the database.
process.env.DATABASE_URL = database.url;
ensureProductionBuild();
const port = Number(process.env.PORT ?? 3000);
const host = listenHost();
// Workers run in other processes: tell them (a throttled NOTIFY) when deliveries are stored.
const inboxNotifier = createInboxNotifier(database.url);
setCrossProcessInboxSignal(inboxNotifier.notify);
// The app's kept connections open before the first request (app/db.server.ts).
await warmDatabase();
const server = await startAppServer({ port, host, mode: "production" });
console.log(`[web] listening on ${host}:${port} (HTTP only; run \`npm run worker\` for the work); Ctrl-C to stop`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    await inboxNotifier.close();
    await database.stop();
    process.exit(0);
  });
}
