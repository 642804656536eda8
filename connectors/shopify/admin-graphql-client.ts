/**
 * A deliberately small Admin GraphQL client over `fetch`. Shopify rate-limits by calculated
 * query cost (a leaky bucket per app and shop), not by request count, so the client keeps its
 * own estimate of the bucket from the `extensions.cost` of every response and waits *before*
 * sending a request the bucket cannot afford; a THROTTLED answer is retried after exactly the
 * time the bucket needs to refill. Failures come back as values (rule 8): the caller branches
 * on `ok` and never has to catch.
 */

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface GraphqlErrorLocation {
  line: number;
  column: number;
}

/** A top-level GraphQL error as Shopify returns it. */
export interface GraphqlError {
  message: string;
  locations?: GraphqlErrorLocation[];
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The mutation-level error every Shopify payload carries; `code` is absent on plain UserError. */
export interface ShopifyUserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export type AdminApiFailure =
  /** Top-level `errors` (validation, access, internal): the request did not run as intended. */
  | { ok: false; reason: "graphql_errors"; errors: GraphqlError[]; cost?: QueryCost; detail: string }
  /** Still throttled after the bounded retries; `waitedMs` is the time spent waiting. */
  | { ok: false; reason: "throttled"; attempts: number; waitedMs: number; cost?: QueryCost; detail: string }
  /** The request alone costs more than the bucket can ever hold; waiting will not help. */
  | { ok: false; reason: "cost_exceeds_bucket"; cost: QueryCost; detail: string }
  | { ok: false; reason: "unauthorized"; status: number; detail: string }
  | { ok: false; reason: "http_error"; status: number; body: string; detail: string }
  | { ok: false; reason: "network_error"; detail: string };

export type AdminApiResult<T> = { ok: true; data: T; cost?: QueryCost } | AdminApiFailure;

/**
 * Where the client gets its token for each request: a fixed string, or a source that refreshes
 * expiring offline tokens (before expiry, and once after a 401).
 */
export interface AccessTokenSource {
  /** The token to send now; a failure (no token can be had) ends the request as unauthorized. */
  current(): Promise<{ ok: true; value: string } | { ok: false; detail?: string }>;
  /** Shopify refused `rejected`: a new token to retry the request with once, or a failure. */
  renew(rejected: string): Promise<{ ok: true; value: string } | { ok: false; detail?: string }>;
}

export interface AdminGraphqlClientOptions {
  /** `https://{shop}/admin/api/2026-04/graphql.json` in production, the sandbox URL in the demo. */
  endpoint: string;
  accessToken: string | AccessTokenSource;
  /** Injectable so tests can intercept or replace the transport. */
  fetch?: typeof fetch;
  /** Milliseconds since epoch; injectable so throttling is testable without real time. */
  now?: () => number;
  /** Injectable so tests advance a fake clock instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** THROTTLED / 429 / 5xx retries before giving up. */
  maxRetries?: number;
  /** Cost assumed for a document never sent before (Shopify's typical page query). */
  defaultExpectedCost?: number;
  userAgent?: string;
}

export interface RequestOptions {
  /**
   * What the caller expects the query to cost. Without it the client uses the requested cost
   * it saw the last time this document was sent, then `defaultExpectedCost`.
   */
  expectedCost?: number;
  signal?: AbortSignal;
}

interface BucketEstimate {
  available: number;
  maximum: number;
  restoreRate: number;
  observedAt: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AdminGraphqlClient {
  private readonly endpoint: string;
  private readonly tokens: AccessTokenSource;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxRetries: number;
  private readonly defaultExpectedCost: number;
  private readonly userAgent: string;
  private bucket: BucketEstimate | undefined;
  /** Requested cost last reported per document text: the best predictor of the next call. */
  private readonly lastRequestedCost = new Map<string, number>();
  /** Total time spent waiting for the bucket; exposed for logs and benchmarks. */
  waitedMs = 0;

  constructor(options: AdminGraphqlClientOptions) {
    this.endpoint = options.endpoint;
    const token = options.accessToken;
    this.tokens =
      typeof token === "string"
        ? { current: async () => ({ ok: true, value: token }), renew: async () => ({ ok: false, detail: "a fixed access token cannot be renewed" }) }
        : token;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxRetries = options.maxRetries ?? 5;
    this.defaultExpectedCost = options.defaultExpectedCost ?? 50;
    this.userAgent = options.userAgent ?? "Switchyard OMS";
  }

  /** The current local estimate of the bucket (refilled up to now), if any response was seen. */
  estimatedAvailable(): number | undefined {
    if (!this.bucket) return undefined;
    const elapsedSeconds = Math.max(0, this.now() - this.bucket.observedAt) / 1000;
    return Math.min(this.bucket.maximum, this.bucket.available + elapsedSeconds * this.bucket.restoreRate);
  }

  async request<T>(
    document: string,
    variables: Record<string, unknown> = {},
    options: RequestOptions = {},
  ): Promise<AdminApiResult<T>> {
    let attempt = 0;
    let waitedThisCall = 0;
    let renewed = false;
    const first = await this.tokens.current();
    if (!first.ok) return { ok: false, reason: "unauthorized", status: 401, detail: first.detail ?? "no access token" };
    let token = first.value;
    for (;;) {
      const expected = options.expectedCost ?? this.lastRequestedCost.get(document) ?? this.defaultExpectedCost;
      const preWait = this.waitNeededFor(expected);
      if (preWait > 0) {
        await this.wait(preWait);
        waitedThisCall += preWait;
      }

      const sent = await this.send(document, variables, token, options.signal);
      if (sent.kind === "failure") {
        // An expired or rotated token: renew it once and send the same request again.
        if (sent.failure.reason !== "unauthorized" || renewed) return sent.failure;
        renewed = true;
        const next = await this.tokens.renew(token);
        if (!next.ok) return { ...sent.failure, detail: next.detail ?? sent.failure.detail };
        token = next.value;
        continue;
      }

      if (sent.kind === "retryable_http") {
        attempt++;
        if (attempt > this.maxRetries) return sent.failure;
        const backoff = sent.retryAfterMs ?? Math.min(30_000, 500 * 2 ** (attempt - 1));
        await this.wait(backoff);
        waitedThisCall += backoff;
        continue;
      }

      const { body } = sent;
      const cost = body.extensions?.cost;
      if (cost) this.observe(document, cost);
      const errors = body.errors ?? [];
      const throttled = errors.some((e) => e.extensions?.code === "THROTTLED");

      if (throttled) {
        if (cost && cost.requestedQueryCost > cost.throttleStatus.maximumAvailable) {
          return {
            ok: false,
            reason: "cost_exceeds_bucket",
            cost,
            detail: `query costs ${cost.requestedQueryCost}, bucket holds ${cost.throttleStatus.maximumAvailable}`,
          };
        }
        attempt++;
        if (attempt > this.maxRetries) {
          return {
            ok: false,
            reason: "throttled",
            attempts: attempt,
            waitedMs: waitedThisCall,
            ...(cost ? { cost } : {}),
            detail: `still throttled after ${this.maxRetries} retries`,
          };
        }
        const retryWait = cost ? this.refillTime(cost.requestedQueryCost, cost.throttleStatus) : 1000 * 2 ** (attempt - 1);
        await this.wait(retryWait);
        waitedThisCall += retryWait;
        continue;
      }

      // Shopify can answer with partial data plus errors (e.g. a field the token may not read);
      // a half-read order or stock level is worse than a retry, so any error fails the call.
      if (errors.length > 0) {
        return {
          ok: false,
          reason: "graphql_errors",
          errors,
          ...(cost ? { cost } : {}),
          detail: errors.map((e) => e.message).join("; "),
        };
      }
      if (body.data === undefined || body.data === null) {
        return { ok: false, reason: "graphql_errors", errors: [], detail: "response carried neither data nor errors" };
      }
      return cost ? { ok: true, data: body.data as T, cost } : { ok: true, data: body.data as T };
    }
  }

  private observe(document: string, cost: QueryCost): void {
    this.lastRequestedCost.set(document, cost.requestedQueryCost);
    const status = cost.throttleStatus;
    this.bucket = {
      available: status.currentlyAvailable,
      maximum: status.maximumAvailable,
      restoreRate: status.restoreRate,
      observedAt: this.now(),
    };
  }

  /** Milliseconds until the estimated bucket can pay `cost`; 0 when it can now or is unknown. */
  private waitNeededFor(cost: number): number {
    if (!this.bucket) return 0;
    // A request bigger than the whole bucket would wait forever; send it and let Shopify answer.
    const affordable = Math.min(cost, this.bucket.maximum);
    const available = this.estimatedAvailable() ?? 0;
    if (available >= affordable) return 0;
    return Math.ceil(((affordable - available) / this.bucket.restoreRate) * 1000);
  }

  private refillTime(requested: number, status: ThrottleStatus): number {
    const missing = Math.max(0, requested - status.currentlyAvailable);
    // At least one second's refill: the server's figure was already stale when it arrived.
    return Math.max(1000, Math.ceil((missing / status.restoreRate) * 1000));
  }

  private async wait(ms: number): Promise<void> {
    this.waitedMs += ms;
    await this.sleep(ms);
  }

  private async send(
    document: string,
    variables: Record<string, unknown>,
    accessToken: string,
    signal: AbortSignal | undefined,
  ): Promise<
    | { kind: "body"; body: GraphqlResponseBody }
    | { kind: "retryable_http"; failure: AdminApiFailure; retryAfterMs: number | undefined }
    | { kind: "failure"; failure: AdminApiFailure }
  > {
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": accessToken,
          "User-Agent": this.userAgent,
        },
        body: JSON.stringify({ query: document, variables }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      return { kind: "failure", failure: { ok: false, reason: "network_error", detail: String(error) } };
    }

    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      // Never echo the token; the body is Shopify's own message.
      return {
        kind: "failure",
        failure: { ok: false, reason: "unauthorized", status: response.status, detail: text.slice(0, 500) },
      };
    }
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get("retry-after"));
      return {
        kind: "retryable_http",
        failure: { ok: false, reason: "http_error", status: response.status, body: text.slice(0, 2000), detail: `HTTP ${response.status}` },
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      };
    }
    if (!response.ok) {
      return {
        kind: "failure",
        failure: { ok: false, reason: "http_error", status: response.status, body: text.slice(0, 2000), detail: `HTTP ${response.status}` },
      };
    }
    try {
      return { kind: "body", body: JSON.parse(text) as GraphqlResponseBody };
    } catch {
      return {
        kind: "failure",
        failure: { ok: false, reason: "http_error", status: response.status, body: text.slice(0, 2000), detail: "response is not JSON" },
      };
    }
  }
}

interface GraphqlResponseBody {
  data?: unknown;
  errors?: GraphqlError[];
  extensions?: { cost?: QueryCost };
}

/** Collects userErrors from a mutation payload into one readable line (for logs and details). */
export function describeUserErrors(userErrors: readonly ShopifyUserError[]): string {
  return userErrors
    .map((e) => `${e.code ? `${e.code}: ` : ""}${e.message}${e.field ? ` (${e.field.join(".")})` : ""}`)
    .join("; ");
}
