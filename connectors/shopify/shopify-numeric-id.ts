import { z } from "zod";

/**
 * A Shopify REST id: a JSON number, or a digit string where parseShopifyJson quoted one beyond
 * 2^53 (see shopify-json.ts). Ids are 64-bit and Shopify's documented samples already exceed
 * 2^53, so an unsafe integer can still reach a reader as a number (a payload parsed with plain
 * JSON.parse) and is accepted here: each reader decides what to do with it (the mapper prefers
 * the exact GID beside it, leaves a rounded variant id out and matches by SKU) instead of failing
 * the whole payload. zod 4's `.int()` refuses integers outside the safe range, so this takes any
 * integer explicitly, as zod 3's `.int()` did.
 */
export const shopifyNumericId = z.union([
  z.number().refine(Number.isInteger, { error: "Invalid input: expected an integer" }).nonnegative(),
  z.string().regex(/^\d+$/),
]);
