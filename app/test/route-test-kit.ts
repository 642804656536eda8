import { afterAll, beforeAll } from "vitest";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { setDatabaseForTests } from "../db.server";
import { createTestDatabase, type TestDatabase } from "../../tests/helpers/test-database";
import { upsertShop, type ShopRecord } from "../../db/repositories/shop-repository";
import { issueToken } from "../auth/admin-request-guard.server";
import { CSRF_COOKIE, CSRF_HEADER } from "../auth/csrf-names";

/**
 * Loader and action tests call the route functions directly with a Request, in demo mode
 * (no Shopify credentials), against this file's own migrated database.
 */

export const TEST_ORIGIN = "http://localhost:3000";

export interface RouteTestContext {
  database: TestDatabase;
  demoShop: ShopRecord;
}

export function useDemoAdmin(): RouteTestContext {
  const context = {} as RouteTestContext;
  let previousApiKey: string | undefined;
  let previousDemo: string | undefined;
  beforeAll(async () => {
    previousApiKey = process.env.SHOPIFY_API_KEY;
    previousDemo = process.env.SWITCHYARD_DEMO;
    delete process.env.SHOPIFY_API_KEY;
    process.env.SWITCHYARD_DEMO = "1";
    context.database = await createTestDatabase();
    setDatabaseForTests(context.database.db);
    context.demoShop = await upsertShop(context.database.db, {
      domain: "switchyard-demo.myshopify.com",
      name: "Switchyard Demo",
      isDemo: true,
    });
  });
  afterAll(() => {
    setDatabaseForTests(undefined);
    if (previousApiKey === undefined) delete process.env.SHOPIFY_API_KEY;
    else process.env.SHOPIFY_API_KEY = previousApiKey;
    if (previousDemo === undefined) delete process.env.SWITCHYARD_DEMO;
    else process.env.SWITCHYARD_DEMO = previousDemo;
  });
  return context;
}

type Loader = (args: LoaderFunctionArgs) => Promise<Response>;
type Action = (args: ActionFunctionArgs) => Promise<Response>;

export async function callLoader(loader: Loader, path: string, params: Record<string, string> = {}): Promise<Response> {
  return loader({ request: new Request(`${TEST_ORIGIN}${path}`), params, context: {} });
}

export async function callAction(
  action: Action,
  path: string,
  form: Record<string, string | string[]>,
  params: Record<string, string> = {},
): Promise<Response> {
  const body = new FormData();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  return action({ request: new Request(`${TEST_ORIGIN}${path}`, { method: "POST", body, headers: adminPostHeaders() }), params, context: {} });
}

/** What the admin page sends with every write: its own Origin and the demo's CSRF token (cookie + header). */
export function adminPostHeaders(origin = TEST_ORIGIN, token = issueToken()): Record<string, string> {
  return { Origin: origin, Cookie: `${CSRF_COOKIE}=${token}`, [CSRF_HEADER]: token };
}

/** Loaders signal 400/404 by throwing a Response; this returns it (or fails if nothing was thrown). */
export async function thrownResponse(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected the route to throw a Response");
}

export async function readJson<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
