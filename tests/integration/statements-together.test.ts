import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient, type DatabaseClient } from "../../db/client";
import { statementsTogether } from "../../db/statements-together";
import { createTestDatabase } from "../helpers/test-database";

/**
 * Statements of one transaction issued together travel pipelined on the connection
 * (db/client.ts); statementsTogether waits for all of them before the transaction may end.
 */
let client: DatabaseClient;
beforeAll(async () => {
  client = createDatabaseClient((await createTestDatabase()).url, { max: 2 });
  await client.db.execute(sql`CREATE TABLE together_probe (n int PRIMARY KEY)`);
});
afterAll(() => client.close());

const probeRows = async () => (await client.db.execute<{ n: number }>(sql`SELECT n FROM together_probe ORDER BY n`)).rows.map((row) => row.n);

describe("statements issued together in one transaction", () => {
  it("commits them all, in the order they were issued", async () => {
    await client.db.transaction(async (tx) => {
      await statementsTogether([
        tx.execute(sql`INSERT INTO together_probe VALUES (1)`),
        tx.execute(sql`UPDATE together_probe SET n = 2 WHERE n = 1`),
        tx.execute(sql`INSERT INTO together_probe SELECT n + 1 FROM together_probe`),
      ]);
    });
    expect(await probeRows()).toEqual([2, 3]);
    await client.db.execute(sql`DELETE FROM together_probe`);
  });

  it("leaves nothing behind when one fails, not even a statement another sent after waiting for its first result", async () => {
    const failing = client.db.transaction(async (tx) => {
      await statementsTogether([
        tx.execute(sql`INSERT INTO together_probe VALUES (10)`),
        (async () => {
          await tx.execute(sql`SELECT pg_sleep(0.05)`);
          await tx.execute(sql`INSERT INTO together_probe VALUES (11)`);
        })(),
        // Fails before any result is back: with Promise.all the rollback would be sent at once,
        // and the insert of 11 after it, outside the transaction.
        Promise.reject(new Error("the batch could not be written")),
      ]);
    });
    await expect(failing).rejects.toThrow("the batch could not be written");
    // Both connections, whichever served the transaction, see nothing of it.
    await Promise.all([probeRows(), probeRows()]);
    expect(await probeRows()).toEqual([]);
  });

  it("fails with the database's error when a statement in the middle fails, and the others are rolled back", async () => {
    const failing = client.db.transaction(async (tx) => {
      await statementsTogether([
        tx.execute(sql`INSERT INTO together_probe VALUES (20)`),
        tx.execute(sql`INSERT INTO together_probe VALUES (20)`),
        tx.execute(sql`INSERT INTO together_probe VALUES (21)`),
      ]);
    });
    await expect(failing).rejects.toMatchObject({ cause: expect.objectContaining({ code: "23505" }) });
    expect(await probeRows()).toEqual([]);
  });
});
