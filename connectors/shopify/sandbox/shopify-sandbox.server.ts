import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from "graphql";
import { SHOPIFY_ADMIN_API_VERSION } from "../admin-api-version.js";
import { adminSchemaPath, loadAdminSchema } from "../admin-schema-loader.js";
import { signShopifyWebhook } from "../webhook-signature.js";
import { APP_PROXY_PREFIX, forwardAppProxyRequest } from "./sandbox-app-proxy.js";
import { bulkResultToJsonl } from "./bulk-query-runner.js";
import { LeakyBucket } from "./leaky-bucket.js";
import { orderWebhookPayload } from "./order-webhook-payload.js";
import { simulateOrderInState, type SimulateOrderOptions } from "./order-simulator.js";
import { actualQueryCost, requestedQueryCost } from "./query-cost.js";
import { mutationRoot, queryRoot, REQUIRES_IDEMPOTENCY_KEY, type SandboxContext } from "./sandbox-resolvers.js";
import { createSandboxState, legacyIdOf, type SandboxOrder, type SandboxSeed, type SandboxState } from "./sandbox-state.js";
import { executeWithoutSchema } from "./schemaless-executor.js";
import { changeReturnStatus, placeReturn, returnProcess } from "./sandbox-return-mutations.js";
import { orderFulfillmentLineItems } from "./sandbox-return-views.js";

/**
 * A stand-in for one Shopify shop's Admin GraphQL API and its webhooks (rule 9): same path,
 * same auth header, documents validated against the real 2026-04 SDL, Shopify's error shapes,
 * calculated query cost with a leaky bucket and THROTTLED answers, and signed webhook
 * deliveries to the app. The demo, browser tests and benchmarks point the connector here.
 */

export interface ShopifySandboxOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  shopDomain: string;
  accessToken: string;
  webhookSecret: string;
  /** Where webhooks are delivered: `${appUrl}/webhooks/orders/create` etc. */
  appUrl: string;
  seed?: SandboxSeed;
  /** Injectable clock so throttling can be tested without waiting. */
  now?: () => number;
  /** Defaults to Shopify's standard plan: 2000 points, 100 points per second. */
  maximumAvailable?: number;
  restoreRate?: number;
  /** Shopify's single-query cap. */
  maxSingleQueryCost?: number;
  log?: (line: string) => void;
}

const merchantReturnActionSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.enum(["request", "create"]),
    orderId: z.string().startsWith("gid://shopify/Order/"),
    lines: z.array(z.object({ lineItemId: z.string(), quantity: z.number().int().positive(), reason: z.string().optional() })).min(1),
  }),
  z.object({ action: z.enum(["approve", "cancel", "close", "reopen", "process"]), returnId: z.string().startsWith("gid://shopify/Return/") }),
  z.object({ action: z.literal("decline"), returnId: z.string().startsWith("gid://shopify/Return/"), note: z.string().max(500).optional() }),
]);
export type MerchantReturnAction = z.infer<typeof merchantReturnActionSchema>;

export interface WebhookDelivery {
  topic: string;
  url: string;
  webhookId: string;
  status: number;
  ok: boolean;
  responseBody: string;
}

export interface ShopifySandbox {
  /** Base URL of the server, e.g. http://127.0.0.1:54321 */
  url: string;
  /** The Admin GraphQL endpoint to configure the connector with. */
  graphqlUrl: string;
  state: SandboxState;
  bucket: LeakyBucket;
  /** False when the SDL was not found and documents are executed unvalidated. */
  validatesDocuments: boolean;
  stop(): Promise<void>;
  sendWebhook(topic: string, payload: unknown, options?: { webhookId?: string; eventId?: string; triggeredAt?: Date }): Promise<WebhookDelivery>;
  /** A return made or moved by the merchant in Shopify's admin (also POST /_sandbox/returns); its webhooks are sent before this resolves. */
  merchantReturn(action: MerchantReturnAction): Promise<{ returnId: string | null; errors: string[]; deliveries: WebhookDelivery[] }>;
  /** Sends the webhooks queued by mutations now (the server also sends them after each answer). */
  flushOutbox(): Promise<WebhookDelivery[]>;
  /** Resolves once every webhook queued so far was sent. */
  idle(): Promise<void>;
  simulateOrder(options?: SimulateOrderOptions & { send?: boolean }): Promise<{ order: SandboxOrder; payload: Record<string, unknown>; delivery?: WebhookDelivery }>;
}

const GRAPHQL_PATH = `/admin/api/${SHOPIFY_ADMIN_API_VERSION}/graphql.json`;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export async function startShopifySandbox(options: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(`[shopify-sandbox] ${line}`));
  const schema = loadAdminSchema();
  if (schema) log(`validating documents against ${adminSchemaPath()}`);
  else log(`schema not found at ${adminSchemaPath()} (set SPECS_DIR): documents are executed WITHOUT validation`);

  const state = createSandboxState(options.shopDomain, options.seed ?? {}, now);
  const bucket = new LeakyBucket(options.maximumAvailable ?? 2000, options.restoreRate ?? 100, now);
  const maxSingleQueryCost = options.maxSingleQueryCost ?? 1000;
  let baseUrl = "";

  const context = (bulk: boolean): SandboxContext => ({
    state,
    now,
    baseUrl,
    bulk,
    runBulkQuery: (query) => runBulkQuery(query),
  });

  function runDocument(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, bulk: boolean) {
    const ctx = context(bulk);
    const rootValue = operation.operation === "mutation" ? mutationRoot(ctx) : queryRoot(ctx);
    if (!schema) return executeWithoutSchema(document, operation, variables, rootValue, ctx);
    const result = execute({
      schema,
      document,
      rootValue,
      contextValue: ctx,
      variableValues: variables,
      ...(operation.name ? { operationName: operation.name.value } : {}),
    });
    if (result instanceof Promise) throw new Error("sandbox resolvers must be synchronous");
    return { data: (result.data ?? null) as Record<string, unknown> | null, errors: [...(result.errors ?? [])] };
  }

  function runBulkQuery(query: string) {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { ok: false as const, message: `Invalid bulk query: ${(error as Error).message}` };
    }
    if (schema) {
      const errors = validate(schema, document);
      if (errors.length > 0) return { ok: false as const, message: `Invalid bulk query: ${errors[0]!.message}` };
    }
    const operation = getOperationAST(document);
    if (!operation || operation.operation !== "query") return { ok: false as const, message: "Bulk queries must contain exactly one query operation." };
    const result = runDocument(document, operation, {}, true);
    if (result.errors.length > 0 || !result.data) return { ok: false as const, message: result.errors[0]?.message ?? "bulk query failed" };
    return { ok: true as const, ...bulkResultToJsonl(result.data) };
  }

  function costExtension(requested: number, actual: number | null) {
    return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } };
  }

  function handleGraphql(body: unknown): { status: number; json: unknown } {
    const request = body as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
    if (!request || typeof request.query !== "string" || request.query.trim() === "") {
      return { status: 400, json: { errors: { query: "Required parameter missing or invalid" } } };
    }
    const variables = (request.variables && typeof request.variables === "object" ? request.variables : {}) as Record<string, unknown>;

    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      const e = error as GraphQLError;
      return { status: 200, json: { errors: [{ message: e.message, locations: e.locations ?? [], extensions: { code: "PARSE_ERROR" } }] } };
    }
    if (schema) {
      const errors = validate(schema, document);
      if (errors.length > 0) return { status: 200, json: { errors: errors.map(shopifyValidationError) } };
    }
    const operation = getOperationAST(document, typeof request.operationName === "string" ? request.operationName : undefined);
    if (!operation) {
      return { status: 200, json: { errors: [{ message: "An operation name is required", extensions: { code: "OPERATION_NAME_REQUIRED" } }] } };
    }
    const idempotencyError = missingIdempotencyKey(operation);
    if (idempotencyError) return { status: 200, json: { errors: [idempotencyError] } };

    const requested = requestedQueryCost(document, operation, variables);
    if (requested > maxSingleQueryCost) {
      return {
        status: 200,
        json: {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${maxSingleQueryCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: maxSingleQueryCost },
            },
          ],
        },
      };
    }
    if (!bucket.tryTake(requested)) {
      return {
        status: 200,
        json: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: costExtension(requested, null),
        },
      };
    }

    const result = runDocument(document, operation, variables, false);
    const actual = Math.min(requested, actualQueryCost(document, operation, variables, result.data));
    bucket.refund(requested - actual);
    const json: Record<string, unknown> = { data: result.data };
    if (result.errors.length > 0) json.errors = result.errors.map((e): GraphQLFormattedError => e.toJSON());
    json.extensions = costExtension(requested, actual);
    return { status: 200, json };
  }

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      log(`internal error: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const bulkMatch = /^\/bulk\/(\d+)\.jsonl$/.exec(url.pathname);
    if (req.method === "GET" && bulkMatch) {
      // Shopify serves results from signed storage URLs that need no token; so does the sandbox.
      const op = state.bulkOperations.find((b) => legacyIdOf(b.id) === Number(bulkMatch[1]) && b.status === "COMPLETED");
      if (!op) return sendJson(res, 404, { errors: "Not Found" });
      res.writeHead(200, { "Content-Type": "application/jsonl" });
      res.end(op.jsonl);
      return;
    }
    if (url.pathname.startsWith(APP_PROXY_PREFIX)) {
      return forwardAppProxyRequest(req, res, { appUrl: options.appUrl, shopDomain: options.shopDomain, secret: options.webhookSecret });
    }
    if (url.pathname === "/_sandbox/returns" && req.method === "POST") return handleMerchantReturn(req, res);
    if (url.pathname !== GRAPHQL_PATH) return sendJson(res, 404, { errors: "Not Found" });
    if (req.method !== "POST") return sendJson(res, 405, { errors: "Method Not Allowed" });
    if (req.headers["x-shopify-access-token"] !== options.accessToken) {
      return sendJson(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    const raw = await readBody(req);
    if (raw === undefined) return sendJson(res, 413, { errors: "Request body too large" });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    const { status, json } = handleGraphql(body);
    sendJson(res, status, json);
    void flushOutbox();
  }

  /** Webhooks the mutations caused, sent after the answer (Shopify delivers them asynchronously). */
  let sending: Promise<unknown> = Promise.resolve();
  function flushOutbox(): Promise<WebhookDelivery[]> {
    const pending = state.outbox.splice(0);
    // One after another, in the order they happened, like Shopify's per-topic queue in practice.
    const sent = sending.then(async () => {
      const deliveries: WebhookDelivery[] = [];
      for (const webhook of pending) deliveries.push(await sendWebhook(webhook.topic, webhook.payload));
      return deliveries;
    });
    sending = sent.catch(() => undefined);
    return sent;
  }

  /** The merchant working on returns in Shopify's own admin: the same rules and webhooks as the API. */
  async function merchantReturn(action: MerchantReturnAction): Promise<{ returnId: string | null; errors: string[]; deliveries: WebhookDelivery[] }> {
    const ctx = context(false);
    const answer =
      "orderId" in action
        ? placeReturn(state, ctx, { orderId: action.orderId, returnLineItems: merchantReturnLines(action) }, action.action === "create" ? "OPEN" : "REQUESTED", "input")
        : action.action === "process"
          ? returnProcess({ input: processEverything(action.returnId) }, ctx)
          : changeReturnStatus(state, ctx, action.returnId, action.action, "note" in action ? { reason: "OTHER", note: action.note ?? null } : undefined);
    const errors = answer.userErrors.map((e) => e.message);
    const returnId = errors.length === 0 ? ((answer.return as { id: string } | null)?.id ?? null) : null;
    return { returnId, errors, deliveries: await flushOutbox() };
  }

  function merchantReturnLines(action: { orderId: string; lines: { lineItemId: string; quantity: number; reason?: string }[] }) {
    const flis = orderFulfillmentLineItems(state, action.orderId);
    return action.lines.map((line) => ({
      fulfillmentLineItemId: flis.find((f) => f.lineItemId === line.lineItemId)?.id ?? `missing:${line.lineItemId}`,
      quantity: line.quantity,
      returnReasonDefinitionId: state.returnReasonDefinitions.find((d) => d.handle === (line.reason ?? "other").replace(/_/g, "-"))?.id ?? null,
    }));
  }

  function processEverything(returnId: string) {
    const r = state.returns.find((x) => x.id === returnId);
    return {
      returnId,
      returnLineItems: (r?.lines ?? []).filter((l) => l.quantity > l.processedQuantity).map((l) => ({ id: l.id, quantity: l.quantity - l.processedQuantity })),
      exchangeLineItems: (r?.exchangeLines ?? []).filter((x) => x.quantity > x.processedQuantity).map((x) => ({ id: x.id, quantity: x.quantity - x.processedQuantity })),
    };
  }

  async function handleMerchantReturn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw ?? "");
    } catch {
      return sendJson(res, 400, { errors: "body must be JSON" });
    }
    const parsed = merchantReturnActionSchema.safeParse(body);
    if (!parsed.success) return sendJson(res, 422, { errors: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) });
    const outcome = await merchantReturn(parsed.data);
    sendJson(res, outcome.errors.length > 0 ? 422 : 200, { returnId: outcome.returnId, errors: outcome.errors, webhooks: outcome.deliveries.map((d) => ({ topic: d.topic, status: d.status })) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? "127.0.0.1"}:${address.port}`;
  log(`shop ${options.shopDomain} listening on ${baseUrl}${GRAPHQL_PATH}; webhooks go to ${options.appUrl}/webhooks/...`);

  async function sendWebhook(
    topic: string,
    payload: unknown,
    opts: { webhookId?: string; eventId?: string; triggeredAt?: Date } = {},
  ): Promise<WebhookDelivery> {
    const rawBody = JSON.stringify(payload);
    const webhookId = opts.webhookId ?? randomUUID();
    const target = `${options.appUrl.replace(/\/$/, "")}/webhooks/${topic}`;
    let response: Response;
    try {
      response = await fetch(target, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": topic,
          "X-Shopify-Hmac-Sha256": signShopifyWebhook(rawBody, options.webhookSecret),
          "X-Shopify-Shop-Domain": options.shopDomain,
          "X-Shopify-API-Version": SHOPIFY_ADMIN_API_VERSION,
          "X-Shopify-Webhook-Id": webhookId,
          "X-Shopify-Event-Id": opts.eventId ?? randomUUID(),
          "X-Shopify-Triggered-At": (opts.triggeredAt ?? new Date(now())).toISOString(),
        },
        body: rawBody,
      });
    } catch (error) {
      // An unreachable app is a failed delivery (Shopify would retry it), not a sandbox crash.
      log(`webhook ${topic} ${webhookId} not delivered: ${String(error)}`);
      return { topic, url: target, webhookId, status: 0, ok: false, responseBody: String(error) };
    }
    const responseBody = await response.text();
    log(`webhook ${topic} ${webhookId} -> ${response.status}`);
    return { topic, url: target, webhookId, status: response.status, ok: response.ok, responseBody };
  }

  return {
    url: baseUrl,
    graphqlUrl: `${baseUrl}${GRAPHQL_PATH}`,
    state,
    bucket,
    validatesDocuments: schema !== undefined,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    sendWebhook,
    merchantReturn,
    flushOutbox,
    idle: () => sending.then(() => undefined),
    async simulateOrder(opts = {}) {
      const order = simulateOrderInState(state, now, opts);
      const payload = orderWebhookPayload(order, state);
      if (opts.send === false) return { order, payload };
      const delivery = await sendWebhook("orders/create", payload);
      return { order, payload, delivery };
    },
  };
}

/** 2026-04 refuses these mutations without a key; checked before any cost is charged. */
function missingIdempotencyKey(operation: OperationDefinitionNode): GraphQLFormattedError | undefined {
  if (operation.operation !== "mutation") return undefined;
  for (const sel of operation.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD || !REQUIRES_IDEMPOTENCY_KEY.has(sel.name.value)) continue;
    if (sel.directives?.some((d) => d.name.value === "idempotent")) continue;
    return {
      message: `The @idempotent directive is required for the ${sel.name.value} mutation. Provide a unique key with @idempotent(key: "...").`,
      locations: sel.loc ? [{ line: sel.loc.startToken.line, column: sel.loc.startToken.column }] : [],
      path: [sel.name.value],
      extensions: { code: "BAD_REQUEST" },
    };
  }
  return undefined;
}

/**
 * graphql-js's validation messages rewritten in the shape and wording of Shopify's
 * (graphql-ruby) answers, so client code and logs see what production would send.
 */
function shopifyValidationError(error: GraphQLError): GraphQLFormattedError {
  const locations = error.locations ? [...error.locations] : [];
  let m = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(error.message);
  if (m) {
    return { message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`, locations, extensions: { code: "undefinedField", typeName: m[2], fieldName: m[1] } };
  }
  m = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"/.exec(error.message);
  if (m) {
    return {
      message: `Field '${m[3]}' doesn't accept argument '${m[1]}'`,
      locations,
      extensions: { code: "argumentNotAccepted", name: m[3], typeName: "Field", argumentName: m[1] },
    };
  }
  m = /^Field "([^"]+)" argument "([^"]+)" of type "[^"]+" is required/.exec(error.message);
  if (m) {
    return {
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      locations,
      extensions: { code: "missingRequiredArguments", className: "Field", name: m[1], arguments: m[2] },
    };
  }
  m = /^Variable "\$([^"]+)" is never used/.exec(error.message);
  if (m) return { message: `Variable $${m[1]} is declared but not used`, locations, extensions: { code: "variableNotUsed", variableName: m[1] } };
  return { message: error.message, locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
