import { startEasyPostSandbox } from "./easypost-sandbox.server.js";

/**
 * Runs the EasyPost sandbox on its own, for poking at it by hand:
 *
 *   EASYPOST_SANDBOX_PORT=4171 EASYPOST_API_KEY=... EASYPOST_WEBHOOK_SECRET=... \
 *   EASYPOST_WEBHOOK_URL=http://127.0.0.1:3000/webhooks/easypost EASYPOST_SANDBOX_TRACKER_STEP_MS=20000 \
 *   npx tsx connectors/easypost/sandbox/easypost-sandbox.cli.ts
 *
 * Secrets come from the environment and are never printed (rule 10).
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`[easypost-sandbox] ${name} is required`);
    process.exit(2);
  }
  return value;
}

const sandbox = await startEasyPostSandbox({
  port: Number(process.env.EASYPOST_SANDBOX_PORT ?? 3105),
  host: process.env.EASYPOST_SANDBOX_HOST ?? "127.0.0.1",
  apiKey: required("EASYPOST_API_KEY"),
  webhookSecret: required("EASYPOST_WEBHOOK_SECRET"),
  ...(process.env.EASYPOST_WEBHOOK_URL ? { webhookUrl: process.env.EASYPOST_WEBHOOK_URL } : {}),
  trackerStepMs: Number(process.env.EASYPOST_SANDBOX_TRACKER_STEP_MS ?? 0),
});
console.log(`[easypost-sandbox] listening on ${sandbox.apiBaseUrl}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void sandbox.stop().then(() => process.exit(0)));
}
