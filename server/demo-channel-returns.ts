import { and, eq, sql } from "drizzle-orm";
import type { AmazonSandbox } from "../connectors/amazon/sandbox/amazon-sandbox.server";
import type { EbaySandbox } from "../connectors/ebay/sandbox/ebay-sandbox.server";
import { minorUnitsToDecimal } from "../core/shared/decimal-money";
import type { Database } from "../db/client";
import { channelConnections } from "../db/schema";

/**
 * Buyers returning things on the demo's marketplaces, so the returns queue has eBay and Amazon
 * returns to work: every `SWITCHYARD_DEMO_RETURNS_EVERY_MS` (3 minutes; 0: never) one buyer on
 * each marketplace opens a return on a shipped line of an order that marketplace sold (from the
 * shop's history), and every minute the marketplaces move theirs along (Amazon authorises and the
 * parcels come back; an eBay return waits for the merchant's decision in Switchyard, which the
 * connector sends to eBay). The returns arrive in Switchyard by the returns poll, like real ones.
 */

export interface DemoChannelReturns {
  /** Opens returns now (the dashboard's demo controls or a test); answers how many were opened. */
  open(count?: number): Promise<number>;
  stop(): void;
}

export async function startDemoChannelReturns(options: { db: Database; shopId: string; ebay: EbaySandbox; amazon: AmazonSandbox; env?: Record<string, string | undefined> }): Promise<DemoChannelReturns> {
  const env = options.env ?? process.env;
  const everyMs = Number(env.SWITCHYARD_DEMO_RETURNS_EVERY_MS ?? 180_000);
  // The demo asks Amazon for a returns report every 2 minutes (production: every 15).
  await options.db
    .update(channelConnections)
    .set({ settings: sql`${channelConnections.settings} || ${JSON.stringify({ returnsReportEveryMinutes: 2 })}::jsonb` })
    .where(and(eq(channelConnections.shopId, options.shopId), eq(channelConnections.channel, "amazon")));

  async function shippedLines(channel: "ebay" | "amazon") {
    const result = await options.db.execute<{ external_id: string; placed_at: Date; external_line_id: string; sku: string | null; title: string; quantity: number; unit_price_minor: number; channel_variant_ref: string | null; currency: string }>(sql`
      SELECT o.external_id, o.placed_at, ol.external_line_id, ol.sku, ol.title, ol.quantity, ol.unit_price_minor, ol.channel_variant_ref, o.currency
        FROM orders o JOIN order_lines ol ON ol.order_id = o.id
       WHERE o.shop_id = ${options.shopId} AND o.channel = ${channel} AND ol.quantity > 0
         AND EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.shipped_at IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM return_lines rl WHERE rl.order_line_id = ol.id)
       ORDER BY o.placed_at DESC
       LIMIT 40`);
    return result.rows;
  }
  const pick = <T>(rows: readonly T[]) => rows[Math.floor(Math.random() * rows.length)];

  async function open(count = 1): Promise<number> {
    let opened = 0;
    for (let i = 0; i < count; i++) {
      const ebayLine = pick(await shippedLines("ebay"));
      if (ebayLine && options.ebay.returns.simulateReturn({ line: { orderId: ebayLine.external_id, itemId: ebayLine.channel_variant_ref ?? ebayLine.sku ?? ebayLine.external_line_id, transactionId: ebayLine.external_line_id, priceMinor: ebayLine.unit_price_minor } })) opened++;
      const amazonLine = pick((await shippedLines("amazon")).filter((row) => row.sku));
      if (amazonLine) {
        const created = options.amazon.returns.generateReturn({
          line: {
            orderId: amazonLine.external_id,
            createdTime: new Date(amazonLine.placed_at).toISOString(),
            sku: amazonLine.sku!,
            asin: options.amazon.state.listings.get(amazonLine.sku!)?.asin ?? "B0SBX00000",
            title: amazonLine.title,
            unitPrice: minorUnitsToDecimal(amazonLine.unit_price_minor, amazonLine.currency),
            quantityOrdered: amazonLine.quantity,
          },
        });
        if (created) opened++;
      }
    }
    return opened;
  }

  const timers: NodeJS.Timeout[] = [];
  if (everyMs > 0) {
    await open(2).catch(() => 0);
    timers.push(setInterval(() => void open(1).catch(() => 0), everyMs));
    timers.push(
      setInterval(() => {
        options.ebay.returns.advance();
        options.amazon.returns.advance();
      }, 60_000),
    );
    for (const timer of timers) timer.unref();
  }
  return {
    open,
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
