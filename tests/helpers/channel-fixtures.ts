import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { ChannelConnectors } from "../../connectors/channel-connectors";
import { shopifyChannelModule } from "../../connectors/shopify/shopify-channel-module";
import type { ChannelOrderWriter } from "../../core/ports/channel-connector-port";
import type { ChannelConnectionRecord, ChannelModule, CredentialStore } from "../../core/ports/channel-module-port";
import type { CredentialCipher } from "../../db/crypto/credential-cipher";
import { createCredentialStore } from "../../db/repositories/channel-credential-store";
import type { StockPushItem, StockPushResult, StockPusher, StockReadItem, StockScope } from "../../core/ports/stock-pusher-port";
import { ok } from "../../core/shared/result";
import type { Database } from "../../db/client";
import { lockLevels, recordMovements } from "../../db/repositories/stock-ledger-repository";
import { markStockDirty } from "../../db/repositories/stock-sync-dirty-repository";
import { channelConnections, channelListings, channelLocations } from "../../db/schema";

/** Builders for channel connections and listings, and a fake stock pusher that records calls. */

export async function createConnection(
  db: Database,
  shopId: string,
  input: {
    channel?: string;
    name?: string;
    status?: string;
    locationIds: string[];
    credentialsEncrypted?: string | null;
    settings?: Record<string, unknown>;
  },
) {
  const [connection] = await db
    .insert(channelConnections)
    .values({
      shopId,
      channel: input.channel ?? "shopify",
      name: input.name ?? `Connection ${randomUUID().slice(0, 6)}`,
      status: input.status ?? "connected",
      credentialsEncrypted: input.credentialsEncrypted ?? null,
      settings: input.settings ?? {},
    })
    .returning();
  if (input.locationIds.length > 0) {
    await db.insert(channelLocations).values(input.locationIds.map((locationId) => ({ connectionId: connection!.id, locationId })));
  }
  return connection!;
}

export async function createListing(
  db: Database,
  shopId: string,
  connectionId: string,
  variantId: string,
  overrides: Partial<typeof channelListings.$inferInsert> = {},
) {
  const [listing] = await db
    .insert(channelListings)
    .values({ shopId, connectionId, variantId, externalId: `gid://shopify/InventoryItem/${randomUUID()}`, ...overrides })
    .returning();
  // A new listing has never been told its figure: it is dirty, as the import and the seed make it.
  await markStockDirty(db, { shopId, connectionId, variantIds: [variantId] });
  return listing!;
}

export async function listingById(db: Database, id: string) {
  const [row] = await db.select().from(channelListings).where(eq(channelListings.id, id));
  return row!;
}

export async function connectionById(db: Database, id: string) {
  const [row] = await db.select().from(channelConnections).where(eq(channelConnections.id, id));
  return row!;
}

/** Reserves units at one location through the ledger, as an order line would. */
export async function reserve(db: Database, shopId: string, variantId: string, locationId: string, quantity: number) {
  await db.transaction(async (tx) => {
    const level = (await lockLevels(tx, shopId, [variantId])).find((l) => l.locationId === locationId)!;
    await recordMovements(tx, shopId, [
      { level, movement: { kind: "reserve", quantity, cause: { type: "order_line", id: randomUUID() }, actor: "test" } },
    ]);
  });
}

export interface FakePusher extends StockPusher {
  /** Every batch it was handed, in order. */
  calls: { items: StockPushItem[]; reference: string }[];
  /** What the next calls answer; default: every item applied. */
  respond: (items: readonly StockPushItem[]) => StockPushResult;
}

/** A pooled pusher by default (one figure per listing, as Amazon, eBay and Woo take it). */
export function fakePusher(maxBatchSize = 250, scope: StockScope = "pooled"): FakePusher {
  const pusher: FakePusher = {
    channel: "shopify",
    scope,
    maxBatchSize,
    calls: [],
    respond: (items) => ok(items.map((item) => ({ key: item.key, status: "applied" as const }))),
    async push(batch, options) {
      pusher.calls.push({ items: [...batch], reference: options.reference });
      return pusher.respond(batch);
    },
  };
  return pusher;
}

/**
 * A fake channel that shows what it was last pushed per item (the test may change it, as a
 * sale or an edit on the channel would) and reads it back for reconciliation.
 */
export function fakeShowingChannel(maxBatchSize = 250): { pusher: FakePusher; shown: Map<string, number> } {
  const shown = new Map<string, number>();
  const pusher = fakePusher(maxBatchSize);
  pusher.push = async (batch, options) => {
    pusher.calls.push({ items: [...batch], reference: options.reference });
    for (const item of batch) shown.set(item.key, item.available);
    return ok(batch.map((item) => ({ key: item.key, status: "applied" as const })));
  };
  pusher.read = async (items: readonly StockReadItem[]) => ok(items.map((i) => ({ key: i.key, available: shown.get(i.key) ?? null })));
  return { pusher, shown };
}

/** Credentials in clear for fake modules: connections in these tests store none. */
const plainCredentials: CredentialStore = {
  decrypt: (stored) => ok(stored === null ? null : (JSON.parse(stored) as unknown)),
  rotate: async () => ({ ok: false, reason: "unauthorized", detail: "fake modules do not refresh" }),
};

/** Channel connectors whose modules hand out the same fakes for every connection of the given channels. */
export function fakeRegistry(
  pusher: StockPusher,
  channels: readonly string[] = ["shopify"],
  orderWriter?: ChannelOrderWriter,
): ChannelConnectors & { asked: ChannelConnectionRecord[] } {
  const asked: ChannelConnectionRecord[] = [];
  const modules = channels.map(
    (channel): ChannelModule => ({
      channel: channel as ChannelModule["channel"],
      displayName: `fake ${channel}`,
      capabilities: orderWriter ? ["push_stock", "write_back"] : ["push_stock"],
      credentials: { parse: (raw) => ok(raw) },
      open(connection) {
        asked.push(connection);
        return ok({ stock: pusher, ...(orderWriter ? { orderWriter } : {}) });
      },
    }),
  );
  return { asked, modules, credentials: plainCredentials };
}

/** The real Shopify module over the real credential store, as the composition root builds it. */
export function shopifyConnectorsFor(db: Database, cipher: CredentialCipher, options: { fetch?: typeof fetch } = {}): ChannelConnectors {
  return {
    modules: [shopifyChannelModule({ app: { apiKey: "test-key", apiSecret: "test-secret" } })],
    credentials: createCredentialStore(db, cipher),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}
