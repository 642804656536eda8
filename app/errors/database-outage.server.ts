import { isDatabaseUnavailable } from "../../db/connection-errors";

/**
 * What Remix's error hook learned about one request, carried in its load context so the HTTP
 * adapter can answer "try again" (503) instead of "broken" (500) when the only thing wrong was
 * that PostgreSQL was away (restarting under its supervisor, failing over, killed).
 */
export interface RequestOutcome {
  databaseUnavailable: boolean;
}

export function newRequestOutcome(): RequestOutcome {
  return { databaseUnavailable: false };
}

/** Called from entry.server's handleError with the request's load context. */
export function noteRequestError(context: unknown, error: unknown): void {
  const outcome = (context as { outcome?: RequestOutcome } | undefined)?.outcome;
  if (outcome && isDatabaseUnavailable(error)) outcome.databaseUnavailable = true;
}

/** Seconds a client should wait: about what the supervisor needs to start PostgreSQL again. */
const RETRY_AFTER_SECONDS = "5";

/**
 * A 5xx produced while the database was away becomes a 503 with Retry-After. Documents and
 * `?_data` requests keep Remix's body (the route's error boundary, Remix's error JSON) so the
 * admin renders as usual; the integration API answers in its own error shape, so ERP and WMS
 * clients can branch on `code` and retry.
 */
export function answerForDatabaseOutage(request: Request, response: Response, outcome: RequestOutcome): Response {
  if (!outcome.databaseUnavailable || response.status < 500) return response;
  const headers = new Headers(response.headers);
  headers.set("Retry-After", RETRY_AFTER_SECONDS);
  headers.set("Cache-Control", "no-store");
  if (new URL(request.url).pathname.startsWith("/api/")) {
    void response.body?.cancel();
    headers.set("Content-Type", "application/json; charset=utf-8");
    const body = { error: { code: "database_unavailable", message: "The database is temporarily unavailable; retry in a few seconds" } };
    return new Response(JSON.stringify(body), { status: 503, headers });
  }
  return new Response(response.body, { status: 503, statusText: "Service Unavailable", headers });
}
