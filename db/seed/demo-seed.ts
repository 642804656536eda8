import { count, eq } from "drizzle-orm";
import type { Channel } from "../../core/orders/unified-order";
import { unifiedOrderSchema } from "../../core/orders/unified-order";
import type { Database } from "../client";
import { credentialCipher } from "../crypto/encryption-key";
import { ingestOrder } from "../repositories/order-ingest-repository";
import { shipReservedOrder } from "../repositories/fulfillment-repository";
import { upsertShop, type ShopRecord } from "../repositories/shop-repository";
import { recordMovements } from "../repositories/stock-ledger-repository";
import { channelConnections, channelListings, channelLocations, inventoryLevels, locations, orders, products, variants } from "../schema";
import { DEMO_LOCATIONS, DEMO_SHOP, demoCustomer, demoCustomerGid, demoOrderNumber, demoVariants } from "./demo-catalogue";
import { SeededRandom } from "./seeded-random";

export interface DemoSeedOptions {
  historicalOrders?: number;
  /** The Shopify sandbox the demo's Shopify connection talks to. */
  shopifySandbox?: { baseUrl: string; accessToken: string };
  now?: Date;
  log?: (line: string) => void;
}

/**
 * Seeds the demo shop once: locations at real US coordinates, a catalogue of 250+ SKUs with
 * stock received through the ledger, channel connections, and historical orders that went
 * through the real ingest path (reserved, many shipped). A second call finds the shop seeded
 * and returns it untouched.
 */
export async function seedDemoShop(db: Database, options: DemoSeedOptions = {}): Promise<{ shop: ShopRecord; seeded: boolean }> {
  const log = options.log ?? (() => {});
  const shop = await upsertShop(db, { ...DEMO_SHOP, isDemo: true });
  const [{ value: existing }] = (await db.select({ value: count() }).from(locations).where(eq(locations.shopId, shop.id))) as [{ value: number }];
  if (existing > 0) return { shop, seeded: false };

  const random = new SeededRandom(2026);
  const locationRows = await db
    .insert(locations)
    .values(DEMO_LOCATIONS.map((l, i) => ({ ...l, shopId: shop.id, countryCode: "US", externalId: `gid://shopify/Location/${7_000_000 + i}` })))
    .returning();
  const catalogue = demoVariants();
  const productTitles = [...new Set(catalogue.map((v) => v.productTitle))];
  const productRows = await db
    .insert(products)
    .values(productTitles.map((title, i) => ({ shopId: shop.id, title, vendor: "Switchyard Demo", externalId: `gid://shopify/Product/${8_000_000 + i}` })))
    .returning({ id: products.id, title: products.title });
  const productId = new Map(productRows.map((p) => [p.title, p.id]));
  const variantRows = await db
    .insert(variants)
    .values(
      catalogue.map((v, i) => ({
        shopId: shop.id,
        productId: productId.get(v.productTitle)!,
        sku: v.sku,
        title: `${v.productTitle} — ${v.title}`,
        barcode: v.barcode,
        priceMinor: v.priceMinor,
        weightGrams: v.weightGrams,
        externalId: `gid://shopify/ProductVariant/${9_000_000 + i}`,
        externalInventoryItemId: `gid://shopify/InventoryItem/${10_000_000 + i}`,
      })),
    )
    .returning();
  log(`[seed] ${locationRows.length} locations, ${variantRows.length} SKUs`);

  // Opening stock enters the ledger as receipts, like any other stock.
  await db.transaction(async (tx) => {
    const levelValues = variantRows.flatMap((variant) =>
      locationRows.map((location) => ({ shopId: shop.id, variantId: variant.id, locationId: location.id, safetyStock: location.kind === "store" ? 1 : 0 })),
    );
    const levels = await tx.insert(inventoryLevels).values(levelValues).returning();
    const kindOf = new Map(locationRows.map((l) => [l.id, l.kind]));
    const receipts = levels
      .map((level) => {
        const kind = kindOf.get(level.locationId);
        const quantity = random.chance(0.08) ? 0 : kind === "warehouse" ? random.int(20, 150) : kind === "3pl" ? random.int(0, 60) : random.int(0, 12);
        return { level, quantity };
      })
      .filter((r) => r.quantity > 0);
    await recordMovements(
      tx,
      shop.id,
      receipts.map(({ level, quantity }) => ({
        level,
        movement: { kind: "receive", quantity, cause: { type: "receipt", id: "demo-opening-stock" }, actor: "system:demo-seed" },
      })),
    );
  });

  await seedChannels(db, shop, locationRows, variantRows, options, random);
  const made = await seedHistoricalOrders(db, shop, variantRows, options, random);
  log(`[seed] ${made.created} historical orders (${made.shipped} shipped)`);
  return { shop, seeded: true };
}

async function seedChannels(
  db: Database,
  shop: ShopRecord,
  locationRows: (typeof locations.$inferSelect)[],
  variantRows: (typeof variants.$inferSelect)[],
  options: DemoSeedOptions,
  random: SeededRandom,
) {
  const byName = (name: string) => locationRows.find((l) => l.name === name)!.id;
  const cipher = credentialCipher();
  const definitions: {
    channel: Channel;
    name: string;
    status: string;
    credentials: Record<string, string> | null;
    settings: Record<string, unknown>;
    locationIds: string[];
    share: number;
    allocationPercent: number;
    buffer: number;
  }[] = [
    {
      channel: "shopify",
      name: DEMO_SHOP.domain,
      status: "connected",
      credentials: { accessToken: options.shopifySandbox?.accessToken ?? "shpat_demo_sandbox" },
      settings: { baseUrl: options.shopifySandbox?.baseUrl ?? null, sandbox: true },
      locationIds: locationRows.map((l) => l.id),
      share: 1,
      allocationPercent: 100,
      buffer: 0,
    },
    // These connectors land in later issues; their connections exist so the orders that came
    // from them have a home, and the Channels page says plainly that stock is not pushed yet.
    { channel: "amazon", name: "Amazon US", status: "awaiting_connector", credentials: null, settings: { marketplaceId: "ATVPDKIKX0DER" }, locationIds: [byName("Columbus DC"), byName("Reno DC")], share: 0.6, allocationPercent: 50, buffer: 2 },
    { channel: "ebay", name: "eBay US", status: "awaiting_connector", credentials: null, settings: { marketplaceId: "EBAY_US" }, locationIds: [byName("Dallas 3PL"), byName("Columbus DC")], share: 0.35, allocationPercent: 30, buffer: 1 },
    { channel: "woocommerce", name: "Wholesale store (WooCommerce)", status: "awaiting_connector", credentials: null, settings: {}, locationIds: [byName("Columbus DC"), byName("Reno DC"), byName("Dallas 3PL")], share: 0.5, allocationPercent: 40, buffer: 0 },
  ];
  for (const definition of definitions) {
    const [connection] = await db
      .insert(channelConnections)
      .values({
        shopId: shop.id,
        channel: definition.channel,
        name: definition.name,
        status: definition.status,
        credentialsEncrypted: definition.credentials ? cipher.encryptJson(definition.credentials) : null,
        settings: definition.settings,
      })
      .returning();
    await db.insert(channelLocations).values(definition.locationIds.map((locationId) => ({ connectionId: connection!.id, locationId })));
    const listed = variantRows.filter(() => definition.share === 1 || random.chance(definition.share));
    await db.insert(channelListings).values(
      listed.map((variant) => ({
        shopId: shop.id,
        connectionId: connection!.id,
        variantId: variant.id,
        externalId: definition.channel === "shopify" ? variant.externalInventoryItemId! : `${definition.channel}:${variant.sku}`,
        externalSku: variant.sku,
        externalVariantRef: definition.channel === "shopify" ? variant.externalId : variant.sku,
        allocationPercent: definition.allocationPercent,
        buffer: definition.buffer,
      })),
    );
  }
}

const CHANNEL_WEIGHTS: [Channel, number][] = [
  ["shopify", 0.45],
  ["amazon", 0.3],
  ["ebay", 0.12],
  ["woocommerce", 0.13],
];
const CARRIERS = [
  { carrier: "USPS", service: "Priority", url: "https://tools.usps.com/go/TrackConfirmAction?tLabels=" },
  { carrier: "UPS", service: "Ground", url: "https://www.ups.com/track?tracknum=" },
  { carrier: "FedEx", service: "Home Delivery", url: "https://www.fedex.com/fedextrack/?trknbr=" },
];

async function seedHistoricalOrders(
  db: Database,
  shop: ShopRecord,
  variantRows: (typeof variants.$inferSelect)[],
  options: DemoSeedOptions,
  random: SeededRandom,
) {
  const total = options.historicalOrders ?? 360;
  const now = options.now ?? new Date();
  const counters: Record<Channel, number> = { shopify: 0, amazon: 0, ebay: 0, woocommerce: 0 };
  let shipped = 0;
  for (let i = 0; i < total; i++) {
    const channel = pickWeighted(random);
    // Spread over 45 days, denser recently, so the charts have a shape.
    const ageDays = Math.floor(45 * Math.pow(random.next(), 1.6));
    const placedAt = new Date(now.getTime() - ageDays * 86_400_000 - random.int(0, 86_399) * 1000);
    const { externalId, number } = demoOrderNumber(channel, counters[channel]++, random);
    const customer = demoCustomer(random);
    const lineCount = random.chance(0.7) ? 1 : random.int(2, 4);
    const picked = new Set<number>();
    while (picked.size < lineCount) picked.add(random.int(0, variantRows.length - 1));
    const lines = [...picked].map((index, lineIndex) => {
      const variant = variantRows[index]!;
      return { externalLineId: `${externalId}-${lineIndex + 1}`, sku: variant.sku, title: variant.title, quantity: random.chance(0.85) ? 1 : 2, unitPriceMinor: variant.priceMinor };
    });
    const subtotal = lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0);
    const shipping = subtotal > 10_000 ? 0 : 795;
    const tax = Math.round(subtotal * 0.07);
    const risky = random.chance(0.03);
    const order = unifiedOrderSchema.parse({
      channel,
      externalId,
      number,
      placedAt,
      sourceUpdatedAt: placedAt,
      currency: "USD",
      financialStatus: random.chance(0.02) ? "pending" : "paid",
      cancelled: ageDays > 3 && random.chance(0.03),
      customer: { name: customer.name, email: customer.email, ...(channel === "shopify" ? { externalId: demoCustomerGid(customer.email) } : {}) },
      shippingAddress: customer.address,
      billingAddress: customer.address,
      lines,
      shippingLines: [{ title: shipping ? "Standard" : "Free shipping", priceMinor: shipping }],
      subtotalMinor: subtotal,
      shippingMinor: shipping,
      taxMinor: tax,
      totalMinor: subtotal + shipping + tax,
      risk: risky ? { level: "high", reasons: ["Billing and shipping country differ", "Card declined twice before success"] } : { level: "low", reasons: [] },
    });
    const result = await ingestOrder(db, { shopId: shop.id, order, actor: "system:demo-seed" });
    // Everything older than two days has left the building, split shipments and all.
    if (result.status === "reserved" && ageDays >= 2) {
      const carrier = random.pick(CARRIERS);
      const shippedAt = new Date(placedAt.getTime() + random.int(4, 40) * 3_600_000);
      const outcome = await shipReservedOrder(db, {
        shopId: shop.id,
        orderId: result.orderId,
        actor: "system:demo-seed",
        // History: these parcels left long ago and the channels already know.
        confirmOnChannel: false,
        shipment: () => {
          const tracking = `${carrier.carrier === "USPS" ? "9400" : "1Z"}${random.int(100000000, 999999999)}${random.int(1000, 9999)}`;
          return { carrier: carrier.carrier, service: carrier.service, trackingNumber: tracking, trackingUrl: carrier.url + tracking, rateMinor: random.int(650, 1800), shippedAt };
        },
      });
      if (outcome.ok) shipped++;
    }
  }
  const [{ value: created }] = (await db.select({ value: count() }).from(orders).where(eq(orders.shopId, shop.id))) as [{ value: number }];
  return { created, shipped };
}

function pickWeighted(random: SeededRandom): Channel {
  let roll = random.next();
  for (const [channel, weight] of CHANNEL_WEIGHTS) {
    roll -= weight;
    if (roll <= 0) return channel;
  }
  return "shopify";
}
