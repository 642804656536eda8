/**
 * Switchyard's customer-account returns API, called with the session token Shopify gives the
 * extension (verified on the server). The app URL is fixed at build time (SWITCHYARD_APP_URL).
 */

declare const SWITCHYARD_APP_URL: string;

export interface ReturnableLine {
  id: string;
  title: string;
  sku: string | null;
  unitNetMinor: number;
  returnable: number;
  exchangeOptions: { variantId: string; title: string; sku: string; available: number }[];
}

export interface ReturnSummary {
  id: string;
  rmaNumber: string;
  status: string;
  resolution: string;
  payoutMinor: number;
  labelUrl: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  carrier: string | null;
}

export interface OrderReturns {
  number: string;
  currency: string;
  lines: ReturnableLine[];
  returns: ReturnSummary[];
  reasons: { value: string; label: string }[];
}

export interface Quote {
  acceptable: boolean;
  payoutMinor: number;
  restockingFeeMinor: number;
  returnShippingFeeMinor: number;
  storeCreditBonusMinor: number;
  keepItem: boolean;
  explanation: string[];
  lines: { orderLineId: string; accepted: boolean; explanation: string }[];
}

export interface ReturnRequest {
  resolution: "refund" | "store_credit" | "exchange";
  lines: { orderLineId: string; quantity: number; reason: string; exchangeVariantId?: string }[];
}

type TokenSource = () => Promise<string>;

async function call<T>(token: TokenSource, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${SWITCHYARD_APP_URL}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${await token()}`, "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } } & T;
  if (!response.ok) throw new Error(body.error?.message ?? `The returns service answered ${response.status}`);
  return body;
}

export const returnsApi = {
  load: (token: TokenSource, orderId: string) => call<OrderReturns>(token, `/api/customer-account/returns?order=${encodeURIComponent(orderId)}`),
  quote: (token: TokenSource, orderId: string, request: ReturnRequest) =>
    call<{ quote: Quote }>(token, "/api/customer-account/returns", { method: "POST", body: JSON.stringify({ order: orderId, confirm: false, ...request }) }),
  submit: (token: TokenSource, orderId: string, request: ReturnRequest) =>
    call<{ rmaNumber: string; quote: Quote }>(token, "/api/customer-account/returns", { method: "POST", body: JSON.stringify({ order: orderId, confirm: true, ...request }) }),
};

export function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
