import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInboxNotifier, listenForInboxWakes } from "../../db/queue/inbox-wake-channel";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/**
 * The cross-process wake (db/queue/inbox-wake-channel.ts): a web process's stores reach a worker
 * in another process as a NOTIFY, throttled so a burst of deliveries sends a handful, not one each.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const until = async (condition: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("waking workers in other processes", () => {
  it("wakes a listening worker, with a few notifications for a burst of two hundred stores", async () => {
    let wakes = 0;
    const listener = listenForInboxWakes(database.url, () => wakes++);
    const notifier = createInboxNotifier(database.url, 50);
    try {
      // The listener's LISTEN is in place once a first notification arrives.
      await until(() => {
        notifier.notify();
        return wakes > 0;
      });
      wakes = 0;
      const started = Date.now();
      for (let i = 0; i < 200; i++) notifier.notify();
      await until(() => wakes > 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // One at once or after the throttle, none per store.
      expect(wakes).toBeGreaterThanOrEqual(1);
      expect(wakes).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 50) + 1);
    } finally {
      await notifier.close();
      await listener.stop();
    }
  });
});
