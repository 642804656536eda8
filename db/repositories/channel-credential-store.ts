import { eq } from "drizzle-orm";
import type { CredentialStore } from "../../core/ports/channel-module-port";
import { err, ok } from "../../core/shared/result";
import type { Database } from "../client";
import type { CredentialCipher } from "../crypto/credential-cipher";
import { credentialCipher } from "../crypto/encryption-key";
import { channelConnections } from "../schema";

/**
 * The CredentialStore port over channel_connections.credentials_encrypted (AES-256-GCM). A
 * refresh runs under the connection's row lock, so two workers racing on an expired token
 * refresh it once: the second finds the new credentials already stored and uses them.
 */
export function createCredentialStore(db: Database, cipher: CredentialCipher = credentialCipher()): CredentialStore {
  return {
    decrypt(credentialsEncrypted) {
      if (!credentialsEncrypted) return err("missing_credentials", "no credentials are stored for this connection");
      try {
        return ok(cipher.decryptJson<unknown>(credentialsEncrypted));
      } catch {
        // Never include the stored value: it is a secret even when it does not decrypt.
        return err("missing_credentials", "the stored credentials cannot be decrypted with the current key");
      }
    },

    async rotate(connectionId, rotate) {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select({ credentialsEncrypted: channelConnections.credentialsEncrypted })
          .from(channelConnections)
          .where(eq(channelConnections.id, connectionId))
          .for("update");
        if (!row) return err("not_found", "the connection no longer exists");
        let stored: unknown = null;
        if (row.credentialsEncrypted) {
          try {
            stored = cipher.decryptJson<unknown>(row.credentialsEncrypted);
          } catch {
            return err("unauthorized", "the stored credentials cannot be decrypted with the current key");
          }
        }
        const answer = await rotate(stored);
        if (!answer.ok) return answer;
        if (answer.value.changed) {
          await tx
            .update(channelConnections)
            .set({ credentialsEncrypted: cipher.encryptJson(answer.value.credentials) })
            .where(eq(channelConnections.id, connectionId));
        }
        return ok(answer.value.credentials);
      });
    },
  };
}
