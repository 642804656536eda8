import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Guessing order numbers and emails is the one attack the portal invites: lookups are limited
 * per client address and per order number. Counted in this process (each app instance holds
 * its own count, so N instances allow N times the rate — still far below any useful guessing).
 */
const perClient = new RateLimiterMemory({ keyPrefix: "portal-ip", points: 20, duration: 600 });
const perOrder = new RateLimiterMemory({ keyPrefix: "portal-order", points: 10, duration: 600 });

export async function allowLookup(clientAddress: string, shopId: string, orderNumber: string): Promise<boolean> {
  try {
    await perClient.consume(`${shopId}:${clientAddress}`);
    await perOrder.consume(`${shopId}:${orderNumber.trim().replace(/^#/, "").toLowerCase()}`);
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}

/** The shopper's address as Shopify's proxy forwards it (first hop of X-Forwarded-For). */
export function clientAddressOf(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim().slice(0, 64) || "unknown";
}
