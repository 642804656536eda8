import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { channelConnections, channelListingLocations } from "../../db/schema";
import { startDemoChannels } from "../../server/demo-channels";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { createLocation, createShop, createVariant, receive } from "../helpers/ledger-fixtures";
import { connectionById, createConnection, createListing } from "../helpers/channel-fixtures";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});

describe("demo channels", () => {
  it("points the Shopify connection at the sandbox on every start without dropping its other settings", async () => {
    const { db } = database;
    const shop = await createShop(db);
    const location = await createLocation(db, shop.id, { name: "Warehouse" });
    const variant = await createVariant(db, shop.id, "DEMO-1");
    await receive(db, shop.id, variant.id, location.id, 3);
    const connection = await createConnection(db, shop.id, {
      locationIds: [location.id],
      settings: { baseUrl: "http://127.0.0.1:1", sandbox: true, importOrdersSince: "2026-01-01" },
    });
    const listing = await createListing(db, shop.id, connection.id, variant.id);
    await db.insert(channelListingLocations).values({ listingId: listing.id, locationId: location.id, lastPushedAvailable: 99, lastPushedAt: new Date() });

    const channels = await startDemoChannels({ db, appUrl: "http://127.0.0.1:9", port: 0 });
    try {
      await channels.loadShop(shop.id);
      expect((await connectionById(db, connection.id)).settings).toEqual({
        baseUrl: channels.shopify.baseUrl,
        sandbox: true,
        importOrdersSince: "2026-01-01",
      });
      // The rebuilt sandbox holds none of what was pushed before: every location is re-told.
      expect(await db.select().from(channelListingLocations).where(eq(channelListingLocations.listingId, listing.id))).toEqual([]);
      const [row] = await db.select().from(channelConnections).where(eq(channelConnections.id, connection.id));
      expect(row!.status).toBe("connected");
      // ...by the first sync, queued for the connection with the listing marked dirty.
      const dirty = await db.execute(sql`SELECT variant_id FROM stock_sync_dirty WHERE connection_id = ${connection.id}`);
      expect(dirty.rows).toEqual([{ variant_id: variant.id }]);
      const jobs = await db.execute(sql`SELECT 1 FROM graphile_worker.jobs WHERE key = ${`stock-sync:${connection.id}`}`);
      expect(jobs.rows).toHaveLength(1);
    } finally {
      await channels.stop();
    }
  });
});
