import { json } from "@remix-run/node";
import type { z } from "zod";
import { isStorableText } from "../../core/shared/input-bounds";
import type { Database } from "../../db/client";
import { shopIdForApiToken } from "../../db/repositories/api-token-repository";
import { getDatabase } from "../db.server";

/**
 * The integration API's shared edges: bearer-token authentication scoped to one shop, and
 * error bodies in one shape ({error: {code, message, details?}}) so ERP/WMS clients can branch
 * on `code`.
 */
export interface ApiContext {
  db: Database;
  shopId: string;
}

export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  return json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, {
    status,
    headers: status === 401 ? { "WWW-Authenticate": 'Bearer realm="switchyard"' } : {},
  });
}

/** Resolves the shop from `Authorization: Bearer <token>`; throws a 401 Response otherwise. */
export async function authenticateApiRequest(request: Request): Promise<ApiContext> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw apiError(401, "unauthorized", "Send an API token as `Authorization: Bearer <token>`");
  const db = getDatabase();
  const shopId = await shopIdForApiToken(db, match[1]!);
  if (!shopId) throw apiError(401, "unauthorized", "The API token is unknown or revoked");
  return { db, shopId };
}

/** Parses query parameters with a schema; a 400 Response lists every bad parameter. */
export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const searchParams = new URL(request.url).searchParams;
  // A NUL (%00) cannot be stored or compared by PostgreSQL: refuse it as input, naming the parameter.
  const unstorable = [...new Set(searchParams.keys())].filter((key) => !isStorableText(key) || searchParams.getAll(key).some((value) => !isStorableText(value)));
  if (unstorable.length > 0) {
    throw apiError(
      400,
      "invalid_query",
      "Some query parameters are invalid",
      unstorable.map((parameter) => ({ parameter: parameter.replace(/\u0000/g, "\\0"), message: "contains a NUL character (%00)" })),
    );
  }
  const params = Object.fromEntries(searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw apiError(
      400,
      "invalid_query",
      "Some query parameters are invalid",
      parsed.error.issues.map((issue) => ({ parameter: issue.path.join("."), message: issue.message })),
    );
  }
  return parsed.data;
}
