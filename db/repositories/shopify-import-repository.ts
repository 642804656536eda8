import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { decimalToMinorUnits } from "../../core/shared/decimal-money";
import type {
  ImportedInventoryLevel as ShopifyInventoryLevel,
  ImportedLocation as ShopifyLocation,
  ImportedProduct as ShopifyProduct,
  RejectedOrder,
} from "../../core/ports/catalogue-import-port";
import { importableSku, importedVariantTitle, newLocationSettings } from "../../core/imports/imported-catalogue-rules";
import { decideImportedStock } from "../../core/imports/imported-stock-decision";
import { countOutcome, countSkip, emptyTally, type ImportTally } from "../../core/imports/import-tally";
import { err, ok, type Result } from "../../core/shared/result";
import type { Database, DbOrTx, Tx } from "../client";
import {
  channelConnections,
  channelListings,
  channelLocations,
  exceptions,
  importRuns,
  inventoryMovements,
  locations,
  products,
  shops,
  variants,
  type ImportCountsMap,
  type ImportProgressMap,
  type ImportRunStatus,
} from "../schema";
import { enqueueJob } from "../queue/job-queue";
import { ensureLevel, lockLevels, recordMovements, scheduleStockSync } from "./stock-ledger-repository";

/**
 * What the Shopify import writes. Every function takes one page of what Shopify returned and
 * commits it in one transaction of its own, so an import that fails half-way keeps what it
 * stored, and each is idempotent (rows are matched by Shopify's GIDs), so running the import
 * again only adds what is missing.
 */

export const SHOPIFY_IMPORT_ACTOR = "system:shopify-import";

// ---------- runs ----------

export interface ImportRunRecord {
  id: string;
  shopId: string;
  connectionId: string;
  status: ImportRunStatus;
  progress: ImportProgressMap;
  counts: ImportCountsMap;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

export type ImportRequestRefusal = "connection_not_found" | "not_shopify";

/**
 * Creates a queued run and its job in one transaction (rule 4). A connection with an
 * unfinished run gets that run back instead of a second one: the connection row is locked
 * first, so two clicks (or an install racing a click) serialise; the job key and the partial
 * unique index on import_runs back this up.
 */
export async function requestShopifyImport(
  db: Database,
  shopId: string,
  connectionId: string,
): Promise<Result<{ importRunId: string; alreadyRequested: boolean }, ImportRequestRefusal>> {
  return db.transaction(async (tx) => {
    const [connection] = await tx
      .select({ id: channelConnections.id, channel: channelConnections.channel })
      .from(channelConnections)
      .where(and(eq(channelConnections.shopId, shopId), eq(channelConnections.id, connectionId)))
      .for("update");
    if (!connection) return err("connection_not_found");
    if (connection.channel !== "shopify") return err("not_shopify", `connection is for ${connection.channel}`);

    const [active] = await tx
      .select({ id: importRuns.id })
      .from(importRuns)
      .where(and(eq(importRuns.connectionId, connectionId), inArray(importRuns.status, ["queued", "running"])))
      .limit(1);
    if (active) return ok({ importRunId: active.id, alreadyRequested: true });

    const [run] = await tx.insert(importRuns).values({ shopId, connectionId, status: "queued" }).returning({ id: importRuns.id });
    await enqueueJob(
      tx,
      "shopify/import",
      { shopId, connectionId, importRunId: run!.id },
      // A failed run is shown as failed and re-requested by the merchant; retrying a bug
      // many times over would only repeat its pages.
      { jobKey: `shopify-import:${connectionId}`, maxAttempts: 3 },
    );
    return ok({ importRunId: run!.id, alreadyRequested: false });
  });
}

export async function findImportRun(db: DbOrTx, importRunId: string): Promise<ImportRunRecord | undefined> {
  const [row] = await db.select().from(importRuns).where(eq(importRuns.id, importRunId));
  return row;
}

export async function latestImportRun(db: DbOrTx, shopId: string, connectionId: string): Promise<ImportRunRecord | undefined> {
  const [row] = await db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.shopId, shopId), eq(importRuns.connectionId, connectionId)))
    .orderBy(desc(importRuns.createdAt))
    .limit(1);
  return row;
}

/** queued (or failed, when graphile-worker retries the job) -> running. */
export async function markImportRunning(db: DbOrTx, importRunId: string): Promise<void> {
  await db
    .update(importRuns)
    .set({ status: "running", startedAt: sql`coalesce(${importRuns.startedAt}, now())`, finishedAt: null, error: null })
    .where(eq(importRuns.id, importRunId));
}

export async function writeImportProgress(db: DbOrTx, importRunId: string, progress: ImportProgressMap, counts: ImportCountsMap): Promise<void> {
  await db.update(importRuns).set({ progress, counts }).where(eq(importRuns.id, importRunId));
}

export async function finishImportRun(
  db: DbOrTx,
  importRunId: string,
  outcome: { status: "succeeded" | "failed"; progress: ImportProgressMap; counts: ImportCountsMap; error?: string },
): Promise<void> {
  await db
    .update(importRuns)
    .set({ status: outcome.status, progress: outcome.progress, counts: outcome.counts, error: outcome.error ?? null, finishedAt: sql`now()` })
    .where(eq(importRuns.id, importRunId));
}

// ---------- the connection ----------

export interface ShopifyImportConnection {
  id: string;
  shopId: string;
  shopDomain: string;
  currency: string;
  /** False once the app was uninstalled: nothing is read from the shop any more. */
  syncEnabled: boolean;
  channel: string;
  name: string;
  credentialsEncrypted: string | null;
  settings: Record<string, unknown>;
}

export async function findImportConnection(db: DbOrTx, shopId: string, connectionId: string): Promise<ShopifyImportConnection | undefined> {
  const [row] = await db
    .select({
      id: channelConnections.id,
      shopId: channelConnections.shopId,
      shopDomain: shops.domain,
      currency: shops.currency,
      syncEnabled: shops.syncEnabled,
      channel: channelConnections.channel,
      name: channelConnections.name,
      credentialsEncrypted: channelConnections.credentialsEncrypted,
      settings: channelConnections.settings,
    })
    .from(channelConnections)
    .innerJoin(shops, eq(shops.id, channelConnections.shopId))
    .where(and(eq(channelConnections.shopId, shopId), eq(channelConnections.id, connectionId)));
  return row;
}

/**
 * The Shopify connection of a shop, created on first install with the offline token
 * (encrypted by the caller). Reinstalling refreshes the token of the existing connection.
 */
export async function upsertShopifyConnection(
  db: DbOrTx,
  input: { shopId: string; name: string; credentialsEncrypted: string },
): Promise<{ id: string; created: boolean }> {
  const [existing] = await db
    .select({ id: channelConnections.id })
    .from(channelConnections)
    .where(and(eq(channelConnections.shopId, input.shopId), eq(channelConnections.channel, "shopify")))
    .orderBy(channelConnections.createdAt)
    .limit(1);
  if (existing) {
    await db
      .update(channelConnections)
      .set({ credentialsEncrypted: input.credentialsEncrypted, status: "connected" })
      .where(eq(channelConnections.id, existing.id));
    return { id: existing.id, created: false };
  }
  const [created] = await db
    .insert(channelConnections)
    .values({ shopId: input.shopId, channel: "shopify", name: input.name, status: "connected", credentialsEncrypted: input.credentialsEncrypted })
    .onConflictDoNothing()
    .returning({ id: channelConnections.id });
  if (created) return { id: created.id, created: true };
  // Lost a race with a concurrent install request: the other one created it.
  const [winner] = await db
    .select({ id: channelConnections.id })
    .from(channelConnections)
    .where(and(eq(channelConnections.shopId, input.shopId), eq(channelConnections.channel, "shopify")))
    .limit(1);
  return { id: winner!.id, created: false };
}

// ---------- locations ----------

/**
 * Shopify locations become Switchyard locations, matched by GID. A new one gets its kind and
 * ship capability from Shopify and feeds the connection's stock; an existing one follows
 * Shopify's name and address only: capabilities, priority, capacity, kind and activity are
 * the merchant's. A same-named Switchyard location not yet linked to Shopify is adopted.
 */
export async function importShopifyLocations(
  db: Database,
  input: { shopId: string; connectionId: string },
  page: readonly ShopifyLocation[],
): Promise<ImportTally> {
  const tally = emptyTally();
  if (page.length === 0) return tally;
  await db.transaction(async (tx) => {
    for (const location of page) {
      const address = {
        address1: location.address.address1 ?? "",
        address2: location.address.address2,
        city: location.address.city ?? "",
        region: location.address.provinceCode,
        postalCode: location.address.zip,
        countryCode: location.address.countryCode ?? "",
      };
      const [existing] = await tx
        .select()
        .from(locations)
        .where(and(eq(locations.shopId, input.shopId), eq(locations.externalId, location.id)))
        .for("update");
      const sameName = existing
        ? undefined
        : (
            await tx
              .select()
              .from(locations)
              .where(and(eq(locations.shopId, input.shopId), eq(locations.name, location.name)))
              .for("update")
          )[0];
      if (!existing && sameName && sameName.externalId !== null) {
        countSkip(tally, { ref: location.id, reason: "location_name_taken", detail: `"${location.name}" already mirrors ${sameName.externalId}` });
        continue;
      }
      const current = existing ?? sameName;
      if (current) {
        const nameFree =
          current.name === location.name ||
          !(await tx.select({ id: locations.id }).from(locations).where(and(eq(locations.shopId, input.shopId), eq(locations.name, location.name))))[0];
        const changes: Partial<typeof locations.$inferInsert> = {};
        if (current.externalId !== location.id) changes.externalId = location.id;
        if (nameFree && current.name !== location.name) changes.name = location.name;
        for (const [key, value] of Object.entries(address) as [keyof typeof address, string | null][]) {
          if (current[key] !== value && !(key === "countryCode" && !value)) (changes as Record<string, unknown>)[key] = value;
        }
        // Coordinates only fill a gap: the merchant may have placed the pin more precisely.
        if (current.latitude === null && current.longitude === null && location.address.latitude !== null && location.address.longitude !== null) {
          changes.latitude = location.address.latitude;
          changes.longitude = location.address.longitude;
        }
        if (Object.keys(changes).length === 0) {
          countOutcome(tally, "unchanged");
          continue;
        }
        await tx.update(locations).set({ ...changes, updatedAt: sql`now()` }).where(eq(locations.id, current.id));
        countOutcome(tally, "updated");
        continue;
      }
      const settings = newLocationSettings(location);
      const [created] = await tx
        .insert(locations)
        .values({
          shopId: input.shopId,
          externalId: location.id,
          name: location.name,
          ...address,
          latitude: location.address.latitude,
          longitude: location.address.longitude,
          ...settings,
        })
        .returning({ id: locations.id });
      // A new Shopify location feeds the Shopify channel's stock, as it did in Shopify.
      await tx.insert(channelLocations).values({ connectionId: input.connectionId, locationId: created!.id }).onConflictDoNothing();
      countOutcome(tally, "created");
    }
  });
  return tally;
}

/** Switchyard location ids by Shopify location GID, for the levels import. */
export async function mirroredLocations(db: DbOrTx, shopId: string): Promise<Map<string, { id: string; active: boolean }>> {
  const rows = await db
    .select({ id: locations.id, externalId: locations.externalId, active: locations.active })
    .from(locations)
    .where(and(eq(locations.shopId, shopId), sql`${locations.externalId} IS NOT NULL`));
  return new Map(rows.map((row) => [row.externalId!, { id: row.id, active: row.active }]));
}

// ---------- products and variants ----------

/**
 * Products and variants matched by Shopify GID, each variant listed on the connection with
 * its inventory item GID (what stock pushes address). Switchyard reserves and routes by SKU,
 * so a variant without one, or with a SKU another Shopify variant already has, is skipped
 * with the reason. A Switchyard variant with the same SKU that is not linked to Shopify yet
 * (made by hand or from another channel) is linked: one SKU is one item across channels.
 */
export async function importShopifyProducts(
  db: Database,
  input: { shopId: string; connectionId: string; currency: string },
  page: readonly ShopifyProduct[],
): Promise<ImportTally> {
  const tally = emptyTally();
  if (page.length === 0) return tally;
  await db.transaction(async (tx) => {
    for (const product of page) {
      const [found] = await tx
        .select({ id: products.id })
        .from(products)
        .where(and(eq(products.shopId, input.shopId), eq(products.externalId, product.id)))
        .limit(1);
      let productId: string | undefined = found?.id;
      if (productId) {
        await tx
          .update(products)
          .set({ title: product.title, updatedAt: sql`now()` })
          .where(and(eq(products.id, productId), sql`${products.title} IS DISTINCT FROM ${product.title}`));
      }
      // Created only when a variant needs it, so a product whose variants are all skipped leaves no empty shell.
      const ensureProduct = async (): Promise<string> => {
        if (productId) return productId;
        const [created] = await tx.insert(products).values({ shopId: input.shopId, externalId: product.id, title: product.title }).returning({ id: products.id });
        productId = created!.id;
        return productId;
      };

      for (const variant of product.variants) {
        const sku = importableSku(variant.sku);
        const title = importedVariantTitle(product.title, variant.title);
        const price = decimalToMinorUnits(variant.price, input.currency);
        const [existing] = await tx
          .select({ id: variants.id, sku: variants.sku, title: variants.title, priceMinor: variants.priceMinor, itemId: variants.externalInventoryItemId })
          .from(variants)
          .where(and(eq(variants.shopId, input.shopId), eq(variants.externalId, variant.id)))
          .for("update");

        if (existing) {
          const changes: Partial<typeof variants.$inferInsert> = {};
          if (sku && sku !== existing.sku) {
            const holder = await skuHolder(tx, input.shopId, sku);
            if (holder) {
              countSkip(tally, { ref: variant.id, reason: "duplicate_sku", detail: `Shopify changed SKU ${existing.sku} to ${sku}, which another variant already has` });
              await upsertListing(tx, input, existing.id, variant, existing.sku);
              continue;
            }
            changes.sku = sku;
          }
          if (title !== existing.title) changes.title = title;
          if (price.ok && price.value !== existing.priceMinor) changes.priceMinor = price.value;
          if (existing.itemId !== variant.inventoryItemId) changes.externalInventoryItemId = variant.inventoryItemId;
          if (Object.keys(changes).length > 0) {
            await tx.update(variants).set({ ...changes, updatedAt: sql`now()` }).where(eq(variants.id, existing.id));
          }
          const listingChanged = await upsertListing(tx, input, existing.id, variant, changes.sku ?? existing.sku);
          countOutcome(tally, Object.keys(changes).length > 0 || listingChanged ? "updated" : "unchanged");
          continue;
        }

        if (!sku) {
          countSkip(tally, { ref: variant.id, reason: "no_sku", detail: `${title} has no SKU in Shopify` });
          continue;
        }
        const holder = await skuHolder(tx, input.shopId, sku);
        if (holder && holder.externalId !== null) {
          countSkip(tally, { ref: variant.id, reason: "duplicate_sku", detail: `SKU ${sku} is already used by ${holder.externalId}` });
          continue;
        }
        if (holder) {
          // Same SKU, not yet linked to Shopify: the same item, now also sold there.
          await tx
            .update(variants)
            .set({ externalId: variant.id, externalInventoryItemId: variant.inventoryItemId, updatedAt: sql`now()` })
            .where(eq(variants.id, holder.id));
          await upsertListing(tx, input, holder.id, variant, sku);
          countOutcome(tally, "updated");
          continue;
        }
        if (!price.ok) {
          countSkip(tally, { ref: variant.id, reason: "invalid_price", detail: `price ${variant.price}: ${price.detail ?? price.reason}` });
          continue;
        }
        const [created] = await tx
          .insert(variants)
          .values({
            shopId: input.shopId,
            productId: await ensureProduct(),
            sku,
            title,
            priceMinor: price.value,
            externalId: variant.id,
            externalInventoryItemId: variant.inventoryItemId,
          })
          .onConflictDoNothing({ target: [variants.shopId, variants.sku] })
          .returning({ id: variants.id });
        if (!created) {
          // A webhook created the SKU between our check and the insert.
          countSkip(tally, { ref: variant.id, reason: "duplicate_sku", detail: `SKU ${sku} is already used by another variant` });
          continue;
        }
        await upsertListing(tx, input, created.id, variant, sku);
        countOutcome(tally, "created");
      }
    }
  });
  return tally;
}

async function skuHolder(tx: Tx, shopId: string, sku: string) {
  const [row] = await tx
    .select({ id: variants.id, externalId: variants.externalId })
    .from(variants)
    .where(and(eq(variants.shopId, shopId), eq(variants.sku, sku)))
    .for("update");
  return row;
}

/**
 * The connection's listing of the variant; true when it was created or re-pointed. The variant
 * GID is stored as the listing's external_variant_ref: it is what order lines carry as
 * channelVariantRef, so a line with a blank SKU still finds its variant.
 */
async function upsertListing(
  tx: Tx,
  input: { shopId: string; connectionId: string },
  variantId: string,
  shopifyVariant: { id: string; inventoryItemId: string },
  sku: string,
): Promise<boolean> {
  const inventoryItemId = shopifyVariant.inventoryItemId;
  const variantRef = shopifyVariant.id;
  const [current] = await tx
    .select({ id: channelListings.id, externalId: channelListings.externalId, externalSku: channelListings.externalSku, externalVariantRef: channelListings.externalVariantRef })
    .from(channelListings)
    .where(and(eq(channelListings.connectionId, input.connectionId), eq(channelListings.variantId, variantId)));
  if (current && current.externalId === inventoryItemId && current.externalSku === sku && current.externalVariantRef === variantRef) return false;
  await tx
    .insert(channelListings)
    .values({ shopId: input.shopId, connectionId: input.connectionId, variantId, externalId: inventoryItemId, externalSku: sku, externalVariantRef: variantRef })
    .onConflictDoUpdate({
      target: [channelListings.connectionId, channelListings.variantId],
      set: { externalId: inventoryItemId, externalSku: sku, externalVariantRef: variantRef },
    });
  return true;
}

// ---------- inventory levels ----------

/**
 * Shopify's on hand per (item, location). The first import of a level enters it as a
 * `receive` movement caused by the import run; afterwards Switchyard is the stock master and
 * a differing figure is left for the stock sync to correct (counted as skipped).
 */
export async function importShopifyInventoryLevels(
  db: Database,
  input: { shopId: string; importRunId: string; locationsByGid: ReadonlyMap<string, { id: string }> },
  page: readonly ShopifyInventoryLevel[],
): Promise<ImportTally> {
  const tally = emptyTally();
  if (page.length === 0) return tally;
  await db.transaction(async (tx) => {
    const itemIds = [...new Set(page.map((level) => level.inventoryItemId))];
    const known = await tx
      .select({ id: variants.id, itemId: variants.externalInventoryItemId })
      .from(variants)
      .where(and(eq(variants.shopId, input.shopId), inArray(variants.externalInventoryItemId, itemIds)));
    const variantByItem = new Map(known.map((row) => [row.itemId!, row.id]));

    const wanted: { level: ShopifyInventoryLevel; variantId: string; locationId: string }[] = [];
    for (const level of page) {
      const variantId = variantByItem.get(level.inventoryItemId);
      const location = input.locationsByGid.get(level.locationId);
      if (!variantId) {
        countSkip(tally, { ref: `${level.inventoryItemId}@${level.locationId}`, reason: "variant_not_imported", detail: `${level.sku ?? "item without SKU"} was not imported` });
        continue;
      }
      if (!location) {
        countSkip(tally, { ref: `${level.inventoryItemId}@${level.locationId}`, reason: "location_not_imported" });
        continue;
      }
      wanted.push({ level, variantId, locationId: location.id });
    }
    if (wanted.length === 0) return;

    for (const w of wanted) await ensureLevel(tx, input.shopId, w.variantId, w.locationId);
    const locked = await lockLevels(tx, input.shopId, wanted.map((w) => w.variantId));
    const levelOf = new Map(locked.map((level) => [`${level.variantId}:${level.locationId}`, level]));
    const withMovements = new Set(
      (
        await tx
          .selectDistinct({ variantId: inventoryMovements.variantId, locationId: inventoryMovements.locationId })
          .from(inventoryMovements)
          .where(and(eq(inventoryMovements.shopId, input.shopId), inArray(inventoryMovements.variantId, [...new Set(wanted.map((w) => w.variantId))])))
      ).map((row) => `${row.variantId}:${row.locationId}`),
    );

    const receipts: Parameters<typeof recordMovements>[2][number][] = [];
    for (const w of wanted) {
      const key = `${w.variantId}:${w.locationId}`;
      const level = levelOf.get(key)!;
      const decision = decideImportedStock({ channelOnHand: w.level.onHand, ourOnHand: level.onHand, levelHasMovements: withMovements.has(key) });
      if (decision.action === "unchanged") countOutcome(tally, "unchanged");
      else if (decision.action === "skip") countSkip(tally, { ref: `${w.level.sku ?? w.level.inventoryItemId}@${w.level.locationId}`, reason: decision.reason, detail: decision.detail });
      else {
        receipts.push({
          level,
          movement: {
            kind: "receive",
            quantity: decision.quantity,
            cause: { type: "sync", id: input.importRunId },
            actor: SHOPIFY_IMPORT_ACTOR,
            reason: "opening stock imported from Shopify",
          },
        });
        countOutcome(tally, "created");
      }
    }
    if (receipts.length > 0) {
      await recordMovements(tx, input.shopId, receipts);
      await scheduleStockSync(tx, input.shopId, [...new Set(receipts.map((r) => r.level.variantId))]);
    }
  });
  return tally;
}

// ---------- orders ----------

/**
 * Orders the mapper refused become invalid_payload exceptions with the raw node kept for
 * inspection (rule 8). Re-importing the same refused order does not open a second one.
 */
export async function raiseRejectedImportOrders(db: Database, shopId: string, importRunId: string, rejected: readonly RejectedOrder[]): Promise<void> {
  if (rejected.length === 0) return;
  await db.transaction(async (tx) => {
    for (const order of rejected) {
      if (order.externalId) {
        const [open] = await tx
          .select({ id: exceptions.id })
          .from(exceptions)
          .where(
            and(
              eq(exceptions.shopId, shopId),
              eq(exceptions.kind, "invalid_payload"),
              eq(exceptions.status, "open"),
              isNull(exceptions.orderId),
              sql`${exceptions.details}->>'source' = 'shopify-import'`,
              sql`${exceptions.details}->>'externalId' = ${order.externalId}`,
            ),
          )
          .limit(1);
        if (open) continue;
      }
      await tx.insert(exceptions).values({
        shopId,
        kind: "invalid_payload",
        message: `Shopify order ${order.externalId ?? "(no id)"} could not be imported: ${order.reason}${order.detail ? ` — ${order.detail}` : ""}`,
        details: { source: "shopify-import", importRunId, externalId: order.externalId, reason: order.reason, detail: order.detail, raw: order.raw },
      });
    }
  });
}
