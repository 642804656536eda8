import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { CredentialCipher } from "./credential-cipher";

/**
 * The credentials key: SWITCHYARD_ENCRYPTION_KEY (32 bytes as base64 or 64 hex chars).
 * Without it (the demo), a key is generated once and kept in .data/encryption.key, readable
 * by the owner only, so a restart can still read what it stored.
 */
export function loadEncryptionKey(env: Record<string, string | undefined> = process.env): Buffer {
  const configured = env.SWITCHYARD_ENCRYPTION_KEY;
  if (configured) return parseKey(configured);
  const file = path.resolve(env.SWITCHYARD_DATA_DIR ?? ".data", "encryption.key");
  if (fs.existsSync(file)) return parseKey(fs.readFileSync(file, "utf8").trim());
  const key = randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, key.toString("base64"), { mode: 0o600 });
  return key;
}

export function parseKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error("SWITCHYARD_ENCRYPTION_KEY must be 32 bytes, as base64 or 64 hex characters");
  return key;
}

let cached: CredentialCipher | undefined;
export function credentialCipher(): CredentialCipher {
  cached ??= new CredentialCipher(loadEncryptionKey());
  return cached;
}
