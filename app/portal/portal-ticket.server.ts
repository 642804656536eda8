import { createHmac, timingSafeEqual } from "node:crypto";
import { webhookSecret } from "../config/demo-mode.server";

/**
 * What a guest proves once (order number and email) is carried through the portal's next
 * steps as a short-lived signed ticket, so no step after the lookup trusts a bare order id.
 */

const TICKET_TTL_MS = 30 * 60_000;

interface TicketBody {
  shopId: string;
  orderId: string;
  exp: number;
}

function sign(body: string): string {
  return createHmac("sha256", `portal-ticket:${webhookSecret()}`).update(body).digest("base64url");
}

export function issuePortalTicket(shopId: string, orderId: string, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ shopId, orderId, exp: now + TICKET_TTL_MS } satisfies TicketBody)).toString("base64url");
  return `${body}.${sign(body)}`;
}

export function readPortalTicket(ticket: string | null | undefined, now = Date.now()): TicketBody | null {
  if (!ticket || ticket.length > 1_000) return null;
  const [body, signature] = ticket.split(".");
  if (!body || !signature) return null;
  const expected = Buffer.from(sign(body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TicketBody;
    if (typeof parsed.exp !== "number" || parsed.exp < now) return null;
    if (!/^[0-9a-f-]{36}$/.test(parsed.shopId) || !/^[0-9a-f-]{36}$/.test(parsed.orderId)) return null;
    return parsed;
  } catch {
    return null;
  }
}
