import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { apiTokens } from "../schema";

/** Integration API tokens are shown once and stored only as a SHA-256 digest. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function generateApiToken(): string {
  return `sy_${randomBytes(24).toString("base64url")}`;
}

export async function createApiToken(db: DbOrTx, shopId: string, name: string, token = generateApiToken()): Promise<string> {
  await db
    .insert(apiTokens)
    .values({ shopId, name, tokenHash: hashApiToken(token) })
    .onConflictDoNothing({ target: apiTokens.tokenHash });
  return token;
}

/**
 * The shop a bearer token belongs to, or undefined for an unknown or revoked token.
 * last_used_at is refreshed at most once a minute so reads don't each become a write.
 */
export async function shopIdForApiToken(db: DbOrTx, token: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: apiTokens.id, shopId: apiTokens.shopId, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashApiToken(token)), isNull(apiTokens.revokedAt)));
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
  }
  return row.shopId;
}
