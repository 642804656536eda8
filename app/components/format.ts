/** Display helpers shared by the admin pages; all inputs come straight from loaders. */

const CHANNEL_LABELS: Record<string, string> = {
  shopify: "Shopify",
  amazon: "Amazon",
  ebay: "eBay",
  woocommerce: "WooCommerce",
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

export function formatMoney(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(minor / 100);
  } catch {
    // An unknown currency code from a channel still shows its amount.
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat("en-US").format(value);
}

/** Fixed locale and UTC so server and browser render the same text (no hydration mismatch). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
    timeZoneName: "short",
  }).format(new Date(iso));
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(iso));
}

/** "3 h", "2 d": measured against the loader's clock so the page is deterministic. */
export function formatAge(iso: string | null | undefined, nowIso: string): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((new Date(nowIso).getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

export function humanize(code: string): string {
  const spaced = code.replace(/[_:]/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
