import { Session } from "@shopify/shopify-api";
import type { CredentialCipher } from "../../db/crypto/credential-cipher";

/** What @shopify/shopify-app-remix asks of a session store (its SessionStorage interface). */
export interface SessionStore {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
}

/** Marks a stored value as ciphertext; Shopify's own tokens start with shpat_/shpua_, never this. */
const PREFIX = "enc:";

/**
 * Shopify access and refresh tokens encrypted at rest, like channel credentials (AES-256-GCM,
 * the same key): a copy of the session table alone does not let anyone call a shop's Admin API.
 * Wraps any store; a row written before encryption (plain token) still loads and is encrypted
 * the next time the library stores it.
 */
export class EncryptedSessionStorage implements SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly cipher: CredentialCipher,
  ) {}

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.transform(session, (token) => PREFIX + this.cipher.encrypt(token)));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session ? this.transform(session, (token) => this.reveal(token)) : undefined;
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map((session) => this.transform(session, (token) => this.reveal(token)));
  }

  private reveal(stored: string): string {
    return stored.startsWith(PREFIX) ? this.cipher.decrypt(stored.slice(PREFIX.length)) : stored;
  }

  private transform(session: Session, change: (token: string) => string): Session {
    const params = session.toObject();
    return new Session({
      ...params,
      ...(params.accessToken ? { accessToken: change(params.accessToken) } : {}),
      ...(params.refreshToken ? { refreshToken: change(params.refreshToken) } : {}),
    });
  }
}
