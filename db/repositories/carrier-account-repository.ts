import { and, eq } from "drizzle-orm";
import type { CredentialCipher } from "../crypto/credential-cipher";
import type { DbOrTx } from "../client";
import { carrierAccounts } from "../schema";

/** A shop's label-provider account with its credentials decrypted, for the connector only. */
export interface CarrierAccount {
  id: string;
  shopId: string;
  provider: string;
  credentials: { apiKey: string; webhookSecret: string };
  settings: Record<string, unknown>;
}

type Row = typeof carrierAccounts.$inferSelect;

function decrypt(row: Row, cipher: CredentialCipher): CarrierAccount | null {
  try {
    const credentials = cipher.decryptJson<{ apiKey?: unknown; webhookSecret?: unknown }>(row.credentialsEncrypted);
    if (typeof credentials.apiKey !== "string" || typeof credentials.webhookSecret !== "string") return null;
    return { id: row.id, shopId: row.shopId, provider: row.provider, credentials: { apiKey: credentials.apiKey, webhookSecret: credentials.webhookSecret }, settings: row.settings };
  } catch {
    // Another key, or tampered: the account is unusable until it is connected again.
    return null;
  }
}

export async function findCarrierAccount(db: DbOrTx, cipher: CredentialCipher, shopId: string, provider = "easypost"): Promise<CarrierAccount | null> {
  const [row] = await db
    .select()
    .from(carrierAccounts)
    .where(and(eq(carrierAccounts.shopId, shopId), eq(carrierAccounts.provider, provider), eq(carrierAccounts.status, "connected")));
  return row ? decrypt(row, cipher) : null;
}

export async function findCarrierAccountById(db: DbOrTx, cipher: CredentialCipher, id: string): Promise<CarrierAccount | null> {
  const [row] = await db.select().from(carrierAccounts).where(and(eq(carrierAccounts.id, id), eq(carrierAccounts.status, "connected")));
  return row ? decrypt(row, cipher) : null;
}

/** Connects (or reconnects) the shop's account; settings are merged so merchant choices survive. */
export async function upsertCarrierAccount(
  db: DbOrTx,
  cipher: CredentialCipher,
  input: { shopId: string; provider: string; name: string; apiKey: string; webhookSecret: string; settings: Record<string, unknown> },
): Promise<string> {
  const credentialsEncrypted = cipher.encryptJson({ apiKey: input.apiKey, webhookSecret: input.webhookSecret });
  const [row] = await db
    .insert(carrierAccounts)
    .values({ shopId: input.shopId, provider: input.provider, name: input.name, credentialsEncrypted, settings: input.settings })
    .onConflictDoUpdate({
      target: [carrierAccounts.shopId, carrierAccounts.provider],
      set: { name: input.name, credentialsEncrypted, settings: input.settings, status: "connected" },
    })
    .returning({ id: carrierAccounts.id });
  return row!.id;
}
