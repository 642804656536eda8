import { mkdirSync, readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { parse } from "smol-toml";

/**
 * Builds every UI extension under extensions/ into extensions/<name>/dist/, offline: esbuild
 * bundles each target module with Preact into one ES module, as Shopify CLI would, and refuses
 * a bundle over Shopify's 64 KB limit. SWITCHYARD_APP_URL is the backend the extension calls.
 */

export const SHOPIFY_UI_EXTENSION_LIMIT_BYTES = 64 * 1024;

export interface BuiltModule {
  extension: string;
  target: string;
  file: string;
  bytes: number;
}

interface ExtensionToml {
  extensions?: { type?: string; targeting?: { target: string; module: string }[] }[];
}

export async function buildExtensions(options: { root?: string; outDir?: (extensionDir: string) => string; appUrl?: string } = {}): Promise<BuiltModule[]> {
  const root = options.root ?? path.resolve("extensions");
  const built: BuiltModule[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    const tomlPath = path.join(dir, "shopify.extension.toml");
    if (!statSync(dir).isDirectory() || !existsSync(tomlPath)) continue;
    const config = parse(readFileSync(tomlPath, "utf8")) as ExtensionToml;
    const outDir = options.outDir ? options.outDir(dir) : path.join(dir, "dist");
    for (const extension of config.extensions ?? []) {
      if (extension.type !== "ui_extension") continue;
      mkdirSync(outDir, { recursive: true });
      for (const targeting of extension.targeting ?? []) {
        const outfile = path.join(outDir, `${path.basename(targeting.module).replace(/\.[jt]sx?$/, "")}.js`);
        await build({
          entryPoints: [path.join(dir, targeting.module)],
          bundle: true,
          format: "esm",
          minify: true,
          target: "es2020",
          jsx: "automatic",
          jsxImportSource: "preact",
          define: { SWITCHYARD_APP_URL: JSON.stringify(options.appUrl ?? process.env.SWITCHYARD_APP_URL ?? process.env.SHOPIFY_APP_URL ?? "http://localhost:3000") },
          outfile,
          logLevel: "silent",
        });
        const bytes = statSync(outfile).size;
        built.push({ extension: name, target: targeting.target, file: outfile, bytes });
        if (bytes > SHOPIFY_UI_EXTENSION_LIMIT_BYTES) {
          throw new Error(`${name} ${targeting.target}: ${bytes} bytes, over Shopify's ${SHOPIFY_UI_EXTENSION_LIMIT_BYTES}-byte limit`);
        }
      }
    }
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildExtensions();
  for (const module of built) console.log(`${module.extension}  ${module.target}  ${(module.bytes / 1024).toFixed(1)} KB  ${path.relative(process.cwd(), module.file)}`);
}
