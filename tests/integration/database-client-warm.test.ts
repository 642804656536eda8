import { describe, expect, it } from "vitest";
import { createDatabaseClient } from "../../db/client";
import { createTestDatabase } from "../helpers/test-database";

/** A client asked to keep connections open opens them before the first query needs one, and keeps them. */
describe("createDatabaseClient keepOpen", () => {
  it("opens the kept connections on warm and leaves them idle in the pool", async () => {
    const database = await createTestDatabase();
    const client = createDatabaseClient(database.url, { max: 8, keepOpen: 3 });
    try {
      expect(client.pool.totalCount).toBe(0);
      await client.warm();
      expect({ total: client.pool.totalCount, idle: client.pool.idleCount }).toEqual({ total: 3, idle: 3 });
      // pg-pool closes idle connections only above `min`: these three are never timed out.
      expect(client.pool.options.min).toBe(3);
    } finally {
      await client.close();
    }
  });

  it("opens nothing ahead when asked to keep nothing", async () => {
    const database = await createTestDatabase();
    const client = createDatabaseClient(database.url);
    try {
      await client.warm();
      expect(client.pool.totalCount).toBe(0);
    } finally {
      await client.close();
    }
  });
});
