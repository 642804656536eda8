import { createDatabaseClient } from "../db/client";
import { openRuntimeDatabase } from "../db/runtime-database";
import { startWorker } from "../jobs/worker-runner";
import { channelConnectors } from "./channel-modules";

// `npm run worker`: a worker process on its own (scale out by running more of these).
const database = await openRuntimeDatabase();
const client = createDatabaseClient(database.url);
const worker = await startWorker({
  connectionString: database.url,
  db: client.db,
  connectors: channelConnectors(client.db),
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
});
console.log("[worker] running; Ctrl-C to stop");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await client.close();
    await database.stop();
    process.exit(0);
  });
}
