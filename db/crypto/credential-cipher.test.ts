import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CredentialCipher } from "./credential-cipher";
import { loadEncryptionKey, parseKey } from "./encryption-key";

describe("credential cipher", () => {
  const cipher = new CredentialCipher(randomBytes(32));

  it("round-trips credentials and never stores the plaintext", () => {
    const stored = cipher.encryptJson({ accessToken: "shpat_secret" });
    expect(stored).not.toContain("shpat_secret");
    expect(cipher.decryptJson(stored)).toEqual({ accessToken: "shpat_secret" });
  });

  it("uses a fresh IV each time, so equal secrets look different at rest", () => {
    expect(cipher.encrypt("same")).not.toEqual(cipher.encrypt("same"));
  });

  it("refuses a tampered ciphertext", () => {
    const stored = cipher.encrypt("token");
    const parts = stored.split(":");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => cipher.decrypt(parts.join(":"))).toThrow();
  });

  it("refuses a value encrypted under another key", () => {
    const other = new CredentialCipher(randomBytes(32));
    expect(() => other.decrypt(cipher.encrypt("token"))).toThrow();
  });
});

describe("encryption key", () => {
  it("accepts hex and base64 keys and rejects short ones", () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString("hex")).equals(key)).toBe(true);
    expect(parseKey(key.toString("base64")).equals(key)).toBe(true);
    expect(() => parseKey("c2hvcnQ=")).toThrow(/32 bytes/);
  });

  it("generates a demo key once and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-key-"));
    const first = loadEncryptionKey({ SWITCHYARD_DATA_DIR: dir });
    const second = loadEncryptionKey({ SWITCHYARD_DATA_DIR: dir });
    expect(first.equals(second)).toBe(true);
    expect(fs.statSync(path.join(dir, "encryption.key")).mode & 0o777).toBe(0o600);
  });
});
