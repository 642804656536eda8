import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * EasyPost's official documentation responses and client-library fixtures are reference data
 * kept outside the project (../shared/specs/easypost); tests and the sandbox's shape checks
 * read them from there and skip, with a message naming the folder, where it is absent.
 */
export function easyPostSpecsDir(): string {
  return path.join(process.env.SPECS_DIR ?? path.resolve(process.cwd(), "../shared/specs"), "easypost");
}

export function easyPostSpecsAvailable(): boolean {
  return existsSync(path.join(easyPostSpecsDir(), "responses"));
}

/** Raw text of a spec file, e.g. "responses/shipments/shipments-buy.json"; undefined when absent. */
export function readEasyPostSpecText(relative: string): string | undefined {
  const file = path.join(easyPostSpecsDir(), relative);
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

export function readEasyPostSpec<T = Record<string, unknown>>(relative: string): T | undefined {
  const text = readEasyPostSpecText(relative);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
