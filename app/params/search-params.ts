import { json } from "@remix-run/node";
import type { z } from "zod";

/**
 * Reads URL search params into a plain object for zod: keys listed in `arrayKeys` keep every
 * value, other keys keep their first non-empty value (empty inputs mean "not set").
 */
export function searchParamsToObject(params: URLSearchParams, arrayKeys: readonly string[] = []): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).map((value) => value.trim()).filter((value) => value !== "");
    if (arrayKeys.includes(key)) result[key] = values.flatMap((value) => value.split(",")).filter(Boolean);
    else if (values[0] !== undefined) result[key] = values[0];
  }
  return result;
}

/** Bad input from the address bar is the user's to fix: a 400 that says what was wrong. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || what}: ${issue.message}`).join("; ");
    throw json({ message: `Invalid ${what}: ${issues}` }, { status: 400 });
  }
  return parsed.data;
}

export const ISO_DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
