import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { inventoryLevels, inventoryMovements, kitComponents } from "../../db/schema";
import { createConnection, createListing, reserve } from "../../tests/helpers/channel-fixtures";
import { createLocation, createShop, createVariant, ledgerMismatches, receive } from "../../tests/helpers/ledger-fixtures";
import { loader as inventoryLoader } from "../routes/app.inventory._index";
import { action as variantAction, loader as variantLoader } from "../routes/app.inventory.$variantId";
import { callAction, callLoader, readJson, thrownResponse, useDemoAdmin } from "./route-test-kit";

const context = useDemoAdmin();
let warehouseId: string;
let storeId: string;
let inactiveId: string;
let teeId: string;
let shopifyConnectionId: string;
let amazonConnectionId: string;

beforeAll(async () => {
  const { db } = context.database;
  const shopId = context.demoShop.id;
  warehouseId = (await createLocation(db, shopId, { name: "Columbus DC", priority: 1 })).id;
  storeId = (await createLocation(db, shopId, { name: "Brooklyn Store", kind: "store", priority: 50 })).id;
  inactiveId = (await createLocation(db, shopId, { name: "Closed Depot", active: false, priority: 99 })).id;

  const tee = await createVariant(db, shopId, "TEE-BLK-M");
  teeId = tee.id;
  await receive(db, shopId, tee.id, warehouseId, 50);
  await receive(db, shopId, tee.id, storeId, 10);
  await receive(db, shopId, tee.id, inactiveId, 7);
  await reserve(db, shopId, tee.id, warehouseId, 4);
  await db.update(inventoryLevels).set({ safetyStock: 2 }).where(and(eq(inventoryLevels.variantId, tee.id), eq(inventoryLevels.locationId, storeId)));

  // A kit of 2 tees; sellable kits come from the tees, per location.
  const kit = await createVariant(db, shopId, "TEE-TWIN-PACK");
  await db.insert(kitComponents).values({ kitVariantId: kit.id, componentVariantId: tee.id, quantity: 2 });

  for (let index = 0; index < 30; index++) await createVariant(db, shopId, `SOCK-${String(index).padStart(2, "0")}`);

  const shopify = await createConnection(db, shopId, { channel: "shopify", name: "Shopify", locationIds: [warehouseId, storeId, inactiveId] });
  const amazon = await createConnection(db, shopId, { channel: "amazon", name: "Amazon US", locationIds: [warehouseId] });
  shopifyConnectionId = shopify.id;
  amazonConnectionId = amazon.id;
  await createListing(db, shopId, shopify.id, tee.id, { allocationPercent: 100, buffer: 0 });
  await createListing(db, shopId, amazon.id, tee.id, { allocationPercent: 50, buffer: 3 });
  await createListing(db, shopId, shopify.id, kit.id, { allocationPercent: 100, buffer: 1 });

  // Stock in another shop must never leak into this one.
  const other = await createShop(db);
  const otherLocation = await createLocation(db, other.id, { name: "Other DC" });
  const otherTee = await createVariant(db, other.id, "TEE-BLK-M");
  await receive(db, other.id, otherTee.id, otherLocation.id, 999);
});

describe("inventory index loader", () => {
  it("shows on hand, reserved, safety and available per location for each SKU", async () => {
    const { page } = await readJson(await callLoader(inventoryLoader, "/app/inventory?q=TEE-BLK"));
    expect(page.rows).toHaveLength(1);
    const [tee] = page.rows;
    expect(tee.sku).toBe("TEE-BLK-M");
    expect(tee.locations).toEqual([
      expect.objectContaining({ locationName: "Columbus DC", onHand: 50, reserved: 4, safetyStock: 0, available: 46 }),
      expect.objectContaining({ locationName: "Brooklyn Store", onHand: 10, reserved: 0, safetyStock: 2, available: 8 }),
      expect.objectContaining({ locationName: "Closed Depot", onHand: 7, reserved: 0, safetyStock: 0, available: 7 }),
    ]);
    expect(tee.totals).toEqual({ onHand: 67, reserved: 4, safetyStock: 2, available: 61, incomingReturns: 0 });
  });

  it("computes available to sell per channel from its own locations, allocation and buffer", async () => {
    const { page } = await readJson(await callLoader(inventoryLoader, "/app/inventory?q=TEE-BLK"));
    const channels = page.rows[0].channels;
    // Shopify: active locations only (46 + 8), 100 %, no buffer. Amazon: floor(46 × 50 %) − 3.
    expect(channels).toEqual([
      expect.objectContaining({ connectionId: amazonConnectionId, availableToSell: 20, allocationPercent: 50, buffer: 3 }),
      expect.objectContaining({ connectionId: shopifyConnectionId, availableToSell: 54 }),
    ]);
  });

  it("counts a kit as sellable per location from its components, and leaves unlisted channels empty", async () => {
    const { page } = await readJson(await callLoader(inventoryLoader, "/app/inventory?q=TWIN"));
    const [kit] = page.rows;
    expect(kit.isKit).toBe(true);
    // floor(46/2) + floor(8/2) = 27 kits, minus a buffer of 1.
    expect(kit.channels).toEqual([
      expect.objectContaining({ channel: "amazon", availableToSell: null }),
      expect.objectContaining({ channel: "shopify", availableToSell: 26 }),
    ]);
  });

  it("pages through SKUs in SKU order", async () => {
    const first = await readJson(await callLoader(inventoryLoader, "/app/inventory"));
    expect(first.page.rows).toHaveLength(25);
    expect(first.page.rows[0].sku).toBe("SOCK-00");
    const second = await readJson(await callLoader(inventoryLoader, `/app/inventory?cursor=${first.page.endCursor}`));
    expect(second.page.rows.map((row: { sku: string }) => row.sku)).toEqual([
      "SOCK-25", "SOCK-26", "SOCK-27", "SOCK-28", "SOCK-29", "TEE-BLK-M", "TEE-TWIN-PACK",
    ]);
    expect(second.page.hasNextPage).toBe(false);
  });
});

describe("variant inventory page", () => {
  it("adds stock by a delta through one ledger movement that names the reason and the person", async () => {
    const response = await callAction(
      variantAction,
      `/app/inventory/${teeId}`,
      { mode: "delta", locationId: storeId, quantity: "5", reason: "Found in back room" },
      { variantId: teeId },
    );
    expect(await readJson(response)).toMatchObject({ ok: true, onHand: 15, reserved: 0 });
    const [movement] = await context.database.db
      .select()
      .from(inventoryMovements)
      .where(eq(inventoryMovements.variantId, teeId))
      .orderBy(desc(inventoryMovements.id))
      .limit(1);
    expect(movement).toMatchObject({ kind: "adjust", onHandDelta: 5, reservedDelta: 0, actor: "user:demo", reason: "Found in back room" });
    expect(await ledgerMismatches(context.database.db, context.demoShop.id)).toEqual([]);
  });

  it("sets on hand to a counted figure", async () => {
    const response = await callAction(
      variantAction,
      `/app/inventory/${teeId}`,
      { mode: "set", locationId: warehouseId, quantity: "40", reason: "Cycle count" },
      { variantId: teeId },
    );
    expect(await readJson(response)).toMatchObject({ ok: true, onHand: 40, reserved: 4 });
  });

  it("refuses to take on hand below what is reserved for orders", async () => {
    const response = await callAction(
      variantAction,
      `/app/inventory/${teeId}`,
      { mode: "set", locationId: warehouseId, quantity: "3", reason: "Cycle count" },
      { variantId: teeId },
    );
    expect(response.status).toBe(409);
    expect((await readJson(response)).errors.form).toMatch(/below the units already reserved/);
  });

  it("requires a reason and a non-zero whole change, field by field", async () => {
    const response = await callAction(
      variantAction,
      `/app/inventory/${teeId}`,
      { mode: "delta", locationId: storeId, quantity: "0", reason: "" },
      { variantId: teeId },
    );
    expect(response.status).toBe(400);
    const { errors } = await readJson(response);
    expect(errors.quantity).toBe("A change of 0 changes nothing");
    expect(errors.reason).toMatch(/Say why stock changes/);
  });

  it("refuses a location that belongs to another shop", async () => {
    const otherShop = await createShop(context.database.db);
    const foreign = await createLocation(context.database.db, otherShop.id, { name: "Foreign DC" });
    const response = await callAction(
      variantAction,
      `/app/inventory/${teeId}`,
      { mode: "delta", locationId: foreign.id, quantity: "5", reason: "Sneaky" },
      { variantId: teeId },
    );
    expect(response.status).toBe(400);
    const levels = await context.database.db.select().from(inventoryLevels).where(eq(inventoryLevels.locationId, foreign.id));
    expect(levels).toEqual([]);
  });

  it("shows the movement history newest first, 25 at a time", async () => {
    for (let index = 0; index < 26; index++) {
      await callAction(
        variantAction,
        `/app/inventory/${teeId}`,
        { mode: "delta", locationId: storeId, quantity: "1", reason: `Receipt ${index}` },
        { variantId: teeId },
      );
    }
    const first = await readJson(await callLoader(variantLoader, `/app/inventory/${teeId}`, { variantId: teeId }));
    expect(first.movements).toHaveLength(25);
    expect(first.movements[0].reason).toBe("Receipt 25");
    expect(first.nextMovementCursor).not.toBeNull();
    const older = await readJson(
      await callLoader(variantLoader, `/app/inventory/${teeId}?before=${first.nextMovementCursor}`, { variantId: teeId }),
    );
    expect(older.movements[0].reason).toBe("Receipt 0");
    expect(older.showingOlder).toBe(true);
  });

  it("answers 404 for a variant of another shop", async () => {
    const otherShop = await createShop(context.database.db);
    const foreign = await createVariant(context.database.db, otherShop.id, "FOREIGN-SKU");
    const response = await thrownResponse(callLoader(variantLoader, `/app/inventory/${foreign.id}`, { variantId: foreign.id }));
    expect(response.status).toBe(404);
  });
});
