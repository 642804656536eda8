import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildExtensions, SHOPIFY_UI_EXTENSION_LIMIT_BYTES } from "../../scripts/build-extensions";

describe("building the extensions offline", () => {
  it("bundles each customer-account target into one self-contained module under Shopify's 64 KB limit", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "extensions-"));
    const built = await buildExtensions({ outDir: (dir) => path.join(out, path.basename(dir)), appUrl: "https://switchyard.example" });
    expect(built.map((b) => b.target).sort()).toEqual(["customer-account.order.action.menu-item.render", "customer-account.order.action.render"]);
    for (const module of built) {
      expect(module.bytes).toBeLessThan(SHOPIFY_UI_EXTENSION_LIMIT_BYTES);
      const code = readFileSync(module.file, "utf8");
      // No bare imports left for Shopify to resolve: Preact is inside the bundle.
      expect(code).not.toMatch(/\bimport\s*["'{*]|from\s*["']/);
      expect(code).toMatch(/export\s*\{/);
    }
    const action = readFileSync(built.find((b) => b.target.endsWith("action.render"))!.file, "utf8");
    expect(action).toContain("https://switchyard.example");
    expect(action).toContain("/api/customer-account/returns");
    expect(action).toContain("s-customer-account-action");
  });
});
