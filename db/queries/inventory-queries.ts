import { and, asc, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import {
  channelAvailableToSell,
  channelKitAvailableToSell,
  type KitComponentStock,
  type LocationBalance,
} from "../../core/inventory/available-to-sell";
import {
  DefaultChannelAllocationStrategy,
  type ChannelAllocationStrategy,
} from "../../core/inventory/channel-allocation-strategy";
import { available } from "../../core/inventory/stock-balance";
import { incomingReturnsPercent } from "../../core/inventory/incoming-returns";
import { incomingReturnsForVariants, loadIncomingReturnsPolicy } from "./incoming-returns-queries";
import type { DbOrTx } from "../client";
import { outer } from "./sql-helpers";
import { indexedTextMatch, planVariantSearch, tooRareForWindow, type VariantSearchPlan } from "./search-index-plan";
import { containsPattern, searchPatterns, type SearchPatterns } from "./search-terms";
import {
  channelConnections,
  channelListings,
  channelLocations,
  inventoryLevels,
  inventoryMovements,
  kitComponents,
  locations,
  products,
  variants,
} from "../schema";

/** Read models for the inventory pages: balances per location and available-to-sell per channel. */

export const INVENTORY_PAGE_SIZE = 25;
export const MOVEMENT_PAGE_SIZE = 25;

export interface LocationStock {
  locationId: string;
  locationName: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  available: number;
  /** Units of approved returns with a label or on their way here (not on hand yet). */
  incomingReturns: number;
}

export interface ChannelAvailability {
  connectionId: string;
  channel: string;
  connectionName: string;
  /** Null when the SKU is not listed on the channel: nothing is offered there. */
  availableToSell: number | null;
  allocationPercent: number | null;
  buffer: number | null;
  lastPushedAvailable: number | null;
  lastPushedAt: string | null;
}

export interface InventoryRow {
  variantId: string;
  sku: string;
  variantTitle: string;
  productTitle: string;
  isKit: boolean;
  totals: Omit<LocationStock, "locationId" | "locationName">;
  locations: LocationStock[];
  channels: ChannelAvailability[];
}

export interface InventoryPage {
  rows: InventoryRow[];
  startCursor: string | null;
  endCursor: string | null;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/**
 * Variants whose SKU, title or barcode, or whose product's title, contains the term: ids from
 * the trigram indexes (migration 0007), so the cost follows the matches, not the catalogue.
 * With a plan, each index is asked for the rare part of the term the plan chose and the rows
 * it returns are checked for the whole term. A term shorter than three characters matches a
 * SKU or barcode exactly.
 */
function variantSearchCondition(shopId: string, search: SearchPatterns, plan?: VariantSearchPlan): SQL {
  if (!search.contains) {
    return sql`(${outer(variants, variants.sku)} = ${search.term} or ${outer(variants, variants.barcode)} = ${search.term})`;
  }
  const contains = search.contains;
  const byVariant = indexedTextMatch({
    id: sql`v.id`,
    text: sql`variant_search_text(v.sku, v.title, v.barcode)`,
    from: sql`${variants} v`,
    scope: sql`v.shop_id = ${shopId}`,
    match: (text) => sql`${text} ilike ${contains}`,
    ...(plan && plan.variantWindow !== search.term ? { narrowed: (text: SQL) => sql`${text} ilike ${containsPattern(plan.variantWindow)}` } : {}),
  });
  const byProduct = indexedTextMatch({
    id: sql`v.id`,
    text: sql`p.title`,
    from: sql`${products} p join ${variants} v on v.product_id = p.id`,
    scope: sql`p.shop_id = ${shopId}`,
    match: (text) => sql`${text} ilike ${contains}`,
    ...(plan && plan.productWindow !== search.term ? { narrowed: (text: SQL) => sql`${text} ilike ${containsPattern(plan.productWindow)}` } : {}),
  });
  return sql`${outer(variants, variants.id)} in (${byVariant} union ${byProduct})`;
}

/** Variants examined in SKU order before an inventory search falls back to the trigram indexes. */
export const INVENTORY_SEARCH_WINDOW = 4000;

/**
 * A walk over the next INVENTORY_SEARCH_WINDOW variants in SKU order (after the cursor),
 * checking each row for the term and stopping at a full page: a common term fills the page
 * there, exactly as the index path would. The window ends at the SKU the (shop, sku) index
 * finds INVENTORY_SEARCH_WINDOW entries on.
 */
function variantWindowCondition(shopId: string, contains: string, cursorCondition: SQL | undefined, descending: boolean): SQL {
  const edge = sql`(select v.sku from ${variants} v where v.shop_id = ${shopId} ${cursorCondition ? sql`and ${cursorCondition}` : sql``}
    order by v.sku ${descending ? sql`desc` : sql`asc`} offset ${INVENTORY_SEARCH_WINDOW - 1} limit 1)`;
  const sku = outer(variants, variants.sku);
  return sql`(${descending ? sql`${sku} >= ${edge}` : sql`${sku} <= ${edge}`}) is not false
    and (variant_search_text(${sku}, ${outer(variants, variants.title)}, ${outer(variants, variants.barcode)}) ilike ${contains}
      or ${outer(products, products.title)} ilike ${contains})`;
}

/** SKU search with keyset pagination on the SKU (unique per shop). */
export async function listInventory(
  db: DbOrTx,
  shopId: string,
  options: { search?: string; cursor?: string; direction?: "after" | "before"; pageSize?: number } = {},
): Promise<InventoryPage> {
  const pageSize = options.pageSize ?? INVENTORY_PAGE_SIZE;
  const direction = options.direction ?? "after";
  const search = options.search ? searchPatterns(options.search) : undefined;
  const cursorOn = (sku: SQL) => (options.cursor ? (direction === "after" ? sql`${sku} > ${options.cursor}` : sql`${sku} < ${options.cursor}`) : undefined);
  const page = (searchCondition: SQL | undefined) =>
    db
      .select({ variantId: variants.id, sku: variants.sku, variantTitle: variants.title, productTitle: products.title })
      .from(variants)
      .innerJoin(products, eq(products.id, variants.productId))
      .where(and(eq(variants.shopId, shopId), searchCondition, cursorOn(outer(variants, variants.sku))))
      .orderBy(direction === "after" ? asc(variants.sku) : desc(variants.sku))
      .limit(pageSize + 1);

  // A search first checks the next variants in SKU order (fast for a common term), then asks
  // the trigram indexes (fast for a rare one); a full page from the first is the right page.
  // A term the statistics call rare goes straight to the indexes.
  const plan = search ? await planVariantSearch(db, search) : undefined;
  const windowed =
    search?.contains && !tooRareForWindow(plan?.share, INVENTORY_SEARCH_WINDOW, pageSize)
      ? await page(variantWindowCondition(shopId, search.contains, cursorOn(sql`v.sku`), direction === "before"))
      : undefined;
  const fetched = windowed && windowed.length > pageSize ? windowed : await page(search ? variantSearchCondition(shopId, search, plan) : undefined);
  const hasMore = fetched.length > pageSize;
  const pageVariants = fetched.slice(0, pageSize);
  if (direction === "before") pageVariants.reverse();

  const stock = await loadStockPicture(db, shopId, pageVariants.map((variant) => variant.variantId));
  const rows = pageVariants.map((variant) => {
    const picture = stock.get(variant.variantId)!;
    return { ...variant, ...picture };
  });
  return {
    rows,
    startCursor: pageVariants[0]?.sku ?? null,
    endCursor: pageVariants[pageVariants.length - 1]?.sku ?? null,
    hasPreviousPage: direction === "after" ? Boolean(options.cursor) : hasMore,
    hasNextPage: direction === "after" ? hasMore : Boolean(options.cursor),
  };
}

interface StockPicture {
  isKit: boolean;
  totals: InventoryRow["totals"];
  locations: LocationStock[];
  channels: ChannelAvailability[];
}

/**
 * Balances per location (every location of the shop, zero where nothing is stocked) and
 * available-to-sell per channel connection for these variants, using the core's ATS rules.
 * Inactive locations are shown but feed no channel: they cannot fulfil.
 */
export async function loadStockPicture(
  db: DbOrTx,
  shopId: string,
  variantIds: readonly string[],
  strategy: ChannelAllocationStrategy = new DefaultChannelAllocationStrategy(),
): Promise<Map<string, StockPicture>> {
  const result = new Map<string, StockPicture>();
  if (variantIds.length === 0) return result;

  const [shopLocations, connections, feeds, listings, components] = await Promise.all([
    db
      .select({ id: locations.id, name: locations.name, active: locations.active })
      .from(locations)
      .where(eq(locations.shopId, shopId))
      .orderBy(asc(locations.priority), asc(locations.name)),
    db
      .select({ id: channelConnections.id, channel: channelConnections.channel, name: channelConnections.name })
      .from(channelConnections)
      .where(eq(channelConnections.shopId, shopId))
      .orderBy(asc(channelConnections.channel), asc(channelConnections.name)),
    db
      .select({ connectionId: channelLocations.connectionId, locationId: channelLocations.locationId })
      .from(channelLocations)
      .innerJoin(channelConnections, eq(channelConnections.id, channelLocations.connectionId))
      .where(eq(channelConnections.shopId, shopId)),
    db
      .select({
        connectionId: channelListings.connectionId,
        variantId: channelListings.variantId,
        allocationPercent: channelListings.allocationPercent,
        buffer: channelListings.buffer,
        lastPushedAvailable: channelListings.lastPushedAvailable,
        lastPushedAt: channelListings.lastPushedAt,
      })
      .from(channelListings)
      .where(and(eq(channelListings.shopId, shopId), inArray(channelListings.variantId, [...variantIds]))),
    db
      .select({
        kitVariantId: kitComponents.kitVariantId,
        componentVariantId: kitComponents.componentVariantId,
        quantity: kitComponents.quantity,
      })
      .from(kitComponents)
      .where(inArray(kitComponents.kitVariantId, [...variantIds])),
  ]);

  const stockedVariantIds = [...new Set([...variantIds, ...components.map((component) => component.componentVariantId)])];
  const levelRows = await db
    .select({
      variantId: inventoryLevels.variantId,
      locationId: inventoryLevels.locationId,
      onHand: inventoryLevels.onHand,
      reserved: inventoryLevels.reserved,
      safetyStock: inventoryLevels.safetyStock,
    })
    .from(inventoryLevels)
    .where(and(eq(inventoryLevels.shopId, shopId), inArray(inventoryLevels.variantId, stockedVariantIds)));

  const [incoming, incomingPolicy] = await Promise.all([incomingReturnsForVariants(db, shopId, stockedVariantIds), loadIncomingReturnsPolicy(db, shopId)]);
  const activeLocationIds = new Set(shopLocations.filter((location) => location.active).map((location) => location.id));
  const levelsByVariant = new Map<string, LocationBalance[]>();
  for (const level of levelRows) {
    const list = levelsByVariant.get(level.variantId) ?? [];
    list.push({ ...level, incomingReturns: incoming.get(`${level.variantId}|${level.locationId}`) ?? 0 });
    levelsByVariant.set(level.variantId, list);
  }
  const locationsByConnection = new Map<string, string[]>();
  for (const feed of feeds) {
    if (!activeLocationIds.has(feed.locationId)) continue;
    const list = locationsByConnection.get(feed.connectionId) ?? [];
    list.push(feed.locationId);
    locationsByConnection.set(feed.connectionId, list);
  }

  for (const variantId of variantIds) {
    const levels = levelsByVariant.get(variantId) ?? [];
    const perLocation: LocationStock[] = shopLocations.map((location) => {
      const level = levels.find((candidate) => candidate.locationId === location.id);
      const balance = { onHand: level?.onHand ?? 0, reserved: level?.reserved ?? 0, safetyStock: level?.safetyStock ?? 0 };
      return { locationId: location.id, locationName: location.name, ...balance, available: available(balance), incomingReturns: incoming.get(`${variantId}|${location.id}`) ?? 0 };
    });
    const totals = perLocation.reduce(
      (sum, level) => ({
        onHand: sum.onHand + level.onHand,
        reserved: sum.reserved + level.reserved,
        safetyStock: sum.safetyStock + level.safetyStock,
        available: sum.available + level.available,
        incomingReturns: sum.incomingReturns + level.incomingReturns,
      }),
      { onHand: 0, reserved: 0, safetyStock: 0, available: 0, incomingReturns: 0 },
    );

    const kitParts = components.filter((component) => component.kitVariantId === variantId);
    const kitStock: KitComponentStock[] = kitParts.map((component) => ({
      quantityPerKit: component.quantity,
      levels: levelsByVariant.get(component.componentVariantId) ?? [],
    }));

    const channels: ChannelAvailability[] = connections.map((connection) => {
      const listing = listings.find((row) => row.variantId === variantId && row.connectionId === connection.id);
      if (!listing) {
        return {
          connectionId: connection.id,
          channel: connection.channel,
          connectionName: connection.name,
          availableToSell: null,
          allocationPercent: null,
          buffer: null,
          lastPushedAvailable: null,
          lastPushedAt: null,
        };
      }
      const rule = {
        locationIds: locationsByConnection.get(connection.id) ?? [],
        allocationPercent: listing.allocationPercent,
        buffer: listing.buffer,
        // What the stock sync pushes: with the channel's share of incoming returns when its policy is on.
        incomingReturnsPercent: incomingReturnsPercent(incomingPolicy, connection.channel),
      };
      const availableToSell =
        kitParts.length > 0
          ? channelKitAvailableToSell(kitStock, rule, strategy)
          : channelAvailableToSell(levels, rule, strategy);
      return {
        connectionId: connection.id,
        channel: connection.channel,
        connectionName: connection.name,
        availableToSell,
        allocationPercent: listing.allocationPercent,
        buffer: listing.buffer,
        lastPushedAvailable: listing.lastPushedAvailable,
        lastPushedAt: listing.lastPushedAt?.toISOString() ?? null,
      };
    });

    result.set(variantId, { isKit: kitParts.length > 0, totals, locations: perLocation, channels });
  }
  return result;
}

export interface InventoryMovementRow {
  id: number;
  locationName: string;
  kind: string;
  quantity: number;
  onHandDelta: number;
  reservedDelta: number;
  causeType: string;
  causeId: string;
  actor: string;
  reason: string | null;
  createdAt: string;
}

export interface VariantInventory {
  variant: { id: string; sku: string; title: string; productTitle: string; barcode: string | null };
  stock: StockPicture;
  movements: InventoryMovementRow[];
  /** Id of the oldest movement shown; pass it back as `before` for older movements. */
  nextMovementCursor: number | null;
}

export async function getVariantInventory(
  db: DbOrTx,
  shopId: string,
  variantId: string,
  options: { movementsBefore?: number; pageSize?: number } = {},
): Promise<VariantInventory | undefined> {
  const pageSize = options.pageSize ?? MOVEMENT_PAGE_SIZE;
  const [variant] = await db
    .select({
      id: variants.id,
      sku: variants.sku,
      title: variants.title,
      productTitle: products.title,
      barcode: variants.barcode,
    })
    .from(variants)
    .innerJoin(products, eq(products.id, variants.productId))
    .where(and(eq(variants.shopId, shopId), eq(variants.id, variantId)))
    .limit(1);
  if (!variant) return undefined;

  const [stock, movementRows] = await Promise.all([
    loadStockPicture(db, shopId, [variantId]),
    db
      .select({
        id: inventoryMovements.id,
        locationName: locations.name,
        kind: inventoryMovements.kind,
        quantity: inventoryMovements.quantity,
        onHandDelta: inventoryMovements.onHandDelta,
        reservedDelta: inventoryMovements.reservedDelta,
        causeType: inventoryMovements.causeType,
        causeId: inventoryMovements.causeId,
        actor: inventoryMovements.actor,
        reason: inventoryMovements.reason,
        createdAt: inventoryMovements.createdAt,
      })
      .from(inventoryMovements)
      .innerJoin(locations, eq(locations.id, inventoryMovements.locationId))
      .where(
        and(
          eq(inventoryMovements.shopId, shopId),
          eq(inventoryMovements.variantId, variantId),
          options.movementsBefore === undefined ? undefined : lt(inventoryMovements.id, options.movementsBefore),
        ),
      )
      .orderBy(desc(inventoryMovements.id))
      .limit(pageSize + 1),
  ]);

  const movements = movementRows.slice(0, pageSize);
  return {
    variant,
    stock: stock.get(variantId)!,
    movements: movements.map((movement) => ({ ...movement, createdAt: movement.createdAt.toISOString() })),
    nextMovementCursor: movementRows.length > pageSize ? (movements[movements.length - 1]?.id ?? null) : null,
  };
}

// Used by loaders that need the count without loading rows.
export async function countVariants(db: DbOrTx, shopId: string): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(variants).where(eq(variants.shopId, shopId));
  return row?.count ?? 0;
}

/**
 * Guards writes that take ids from a form: the variant and the location must both belong to
 * the shop, or an adjustment could create a level in another tenant's catalogue.
 */
export async function isStockKeyOfShop(db: DbOrTx, shopId: string, variantId: string, locationId: string): Promise<boolean> {
  const [row] = await db
    .select({ variantId: variants.id })
    .from(variants)
    .innerJoin(locations, and(eq(locations.shopId, variants.shopId), eq(locations.id, locationId)))
    .where(and(eq(variants.shopId, shopId), eq(variants.id, variantId)))
    .limit(1);
  return Boolean(row);
}
