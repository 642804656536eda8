import { startEasyPostSandbox, type EasyPostSandbox } from "../connectors/easypost/sandbox/easypost-sandbox.server";
import type { Database } from "../db/client";
import { credentialCipher } from "../db/crypto/encryption-key";
import { upsertCarrierAccount } from "../db/repositories/carrier-account-repository";
import { assignDemoBins } from "./demo-bins";

/** The demo's sandbox EasyPost key and webhook secret: they open nothing but the local sandbox. */
export const DEMO_EASYPOST_API_KEY = "EZTK_switchyard_demo_sandbox";
export const DEMO_EASYPOST_WEBHOOK_SECRET = "switchyard-demo-easypost-secret";

export interface DemoCarrier {
  sandbox: EasyPostSandbox;
  /** Connects the demo shop's EasyPost account to the sandbox and points the sandbox's webhooks at the app. */
  connectShop(shopId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The demo's label provider: an EasyPost sandbox (EASYPOST_SANDBOX_PORT, default 3105) whose
 * trackers move on their own every SWITCHYARD_DEMO_TRACKER_STEP_MS (default 45 s; 0 stops them),
 * so a bought label is seen going in transit (the parcel ships in the ledger) and delivered.
 */
export async function startDemoCarrier(options: { db: Database; appUrl: string; port?: number }): Promise<DemoCarrier> {
  const sandbox = await startEasyPostSandbox({
    port: options.port ?? Number(process.env.EASYPOST_SANDBOX_PORT ?? 3105),
    apiKey: DEMO_EASYPOST_API_KEY,
    webhookSecret: DEMO_EASYPOST_WEBHOOK_SECRET,
    trackerStepMs: Number(process.env.SWITCHYARD_DEMO_TRACKER_STEP_MS ?? 45_000),
    log: process.env.SWITCHYARD_SANDBOX_LOG ? undefined : () => {},
  });
  return {
    sandbox,
    async connectShop(shopId) {
      const accountId = await upsertCarrierAccount(options.db, credentialCipher(), {
        shopId,
        provider: "easypost",
        name: "EasyPost (sandbox)",
        apiKey: DEMO_EASYPOST_API_KEY,
        webhookSecret: DEMO_EASYPOST_WEBHOOK_SECRET,
        settings: { baseUrl: sandbox.apiBaseUrl, sandbox: true },
      });
      sandbox.setWebhookUrl(`${options.appUrl}/webhooks/easypost/${accountId}`);
      await assignDemoBins(options.db, shopId);
    },
    stop: () => sandbox.stop(),
  };
}
