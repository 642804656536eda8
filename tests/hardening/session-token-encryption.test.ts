import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Session } from "@shopify/shopify-api";
import { DrizzleSessionStoragePostgres } from "@shopify/shopify-app-session-storage-drizzle";
import { describe, expect, it } from "vitest";
import { EncryptedSessionStorage } from "../../app/auth/encrypted-session-storage.server";
import { CredentialCipher } from "../../db/crypto/credential-cipher";
import { shopifySessions } from "../../db/schema";
import { createTestDatabase } from "../helpers/test-database";

/** Issue 7: "Shopify's own access tokens are stored in plain text in the session table." */
describe("Shopify sessions at rest", () => {
  it("stores access and refresh tokens encrypted and hands them back in plain text", async () => {
    const database = await createTestDatabase();
    const storage = new EncryptedSessionStorage(new DrizzleSessionStoragePostgres(database.db, shopifySessions), new CredentialCipher(randomBytes(32)));
    const session = new Session({ id: "offline_enc.myshopify.com", shop: "enc.myshopify.com", state: "s", isOnline: false, accessToken: "shpat_secret_token_123", refreshToken: "shprt_refresh_456" });
    expect(await storage.storeSession(session)).toBe(true);

    const [row] = await database.db.select().from(shopifySessions).where(eq(shopifySessions.id, session.id));
    expect(JSON.stringify(row)).not.toContain("shpat_secret_token_123");
    expect(JSON.stringify(row)).not.toContain("shprt_refresh_456");
    expect(row!.accessToken).toMatch(/^enc:v1:/);

    expect((await storage.loadSession(session.id))?.accessToken).toBe("shpat_secret_token_123");
    expect((await storage.findSessionsByShop("enc.myshopify.com")).map((s) => s.refreshToken)).toEqual(["shprt_refresh_456"]);

    // A row written before encryption still loads.
    await database.db.insert(shopifySessions).values({ id: "offline_old.myshopify.com", shop: "old.myshopify.com", state: "", accessToken: "shpat_legacy" });
    expect((await storage.loadSession("offline_old.myshopify.com"))?.accessToken).toBe("shpat_legacy");
  });
});
