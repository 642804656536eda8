/**
 * Whether an error means "the database is not reachable right now" (restarting, killed, network)
 * rather than "this statement is wrong". The first is retried by whoever sent the work (a channel
 * after a 503, graphile-worker's backoff); the second is a bug or bad input.
 */
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** SQLSTATE 08xxx connection exceptions and 57P0x operator intervention (shutdown, crash, starting up). */
const SQLSTATE = /^(08\d{3}|57P0[1-4])$/;
const MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Client was closed and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === "string" && (NODE_CODES.has(code) || SQLSTATE.test(code))) return true;
  if (typeof message === "string" && MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/** A deadlock or serialization failure: the transaction did nothing and can simply run again. */
export function isRetriableConflict(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (code === "40P01" || code === "40001") return true;
  return isRetriableConflict(cause, depth + 1);
}
