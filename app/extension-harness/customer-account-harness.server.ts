import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { CustomerAccountOrder } from "../../db/queries/extension-harness-queries";
import { DEMO_CLIENT_ID } from "../auth/storefront-auth.server";
import { webhookSecret } from "../config/demo-mode.server";
import { installPolarisHarnessElements } from "./polaris-harness-elements";

/**
 * The local harness of the customer-account returns extension (demo mode only). Shopify runs
 * each target of an extension in its own sandbox and hands it a `shopify` global; the harness
 * does the same with one iframe per target: the frame defines the `s-*` elements (a minimal
 * rendering, Shopify's renderer is not available offline), installs a `shopify` global whose
 * session token is signed with the demo app secret for the customer who owns the order, and
 * imports the bundle `npm run build:extensions` built, unchanged.
 */

export const EXTENSION = "customer-account-returns";
export const HARNESS_PATH = `/demo/extensions/${EXTENSION}`;
const SHOPIFY_UI_EXTENSION_LIMIT_BYTES = 64 * 1024;
/** The backend a target calls (at the app URL it was built with), if it calls one. */
const BACKEND_PATH = "/api/customer-account/returns";
/** Customer-account session tokens live five minutes; the frame asks again before the end. */
const TOKEN_LIFETIME_S = 300;

/** Each target of shopify.extension.toml and the module esbuild wrote for it. */
export const TARGETS = {
  "customer-account.order.action.menu-item.render": "ReturnMenuItem.js",
  "customer-account.order.action.render": "ReturnAction.js",
} as const;
export type HarnessTarget = keyof typeof TARGETS;
export const isHarnessTarget = (value: string): value is HarnessTarget => Object.hasOwn(TARGETS, value);

/** Where the built modules are: extensions/<name>/dist, or <SWITCHYARD_EXTENSIONS_DIST_DIR>/<name>. */
export function extensionDistDir(): string {
  const root = process.env.SWITCHYARD_EXTENSIONS_DIST_DIR;
  return root ? path.resolve(root, EXTENSION) : path.resolve("extensions", EXTENSION, "dist");
}

export interface BuiltModule {
  file: string;
  bytes: number;
  code: string;
}

export function builtModule(target: HarnessTarget): BuiltModule | null {
  const file = path.join(extensionDistDir(), TARGETS[target]);
  if (!existsSync(file)) return null;
  return { file, bytes: statSync(file).size, code: readFileSync(file, "utf8") };
}

/** An HS256 session token shaped like the one Shopify gives a customer-account extension. */
export function signCustomerAccountToken(input: { shopDomain: string; customerGid: string; now?: Date }): { token: string; expiresAt: number } {
  const issuedAt = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + TOKEN_LIFETIME_S;
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
    iss: `https://${input.shopDomain}`,
    dest: input.shopDomain,
    aud: process.env.SHOPIFY_API_KEY ?? DEMO_CLIENT_ID,
    sub: input.customerGid,
    exp: expiresAt,
    nbf: issuedAt,
    iat: issuedAt,
    jti: randomUUID(),
  })}`;
  const signature = createHmac("sha256", webhookSecret()).update(unsigned).digest("base64url");
  return { token: `${unsigned}.${signature}`, expiresAt: expiresAt * 1000 };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside a <script> element: nothing in it can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

function document(title: string, head: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>${head}</head><body>${body}</body></html>`;
}

const PAGE_STYLE = `<style>
body{margin:0;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;background:#f1f1f1;color:#303030}
header{background:#1a1a1a;color:#fff;padding:10px 24px;font-size:13px}main{max-width:920px;margin:24px auto;padding:0 16px}
.card{background:#fff;border-radius:12px;padding:16px 20px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.1)}
.note{font-size:13px;color:#616161}.warn{background:#fff5e0;border:1px solid #f0c36b;border-radius:10px;padding:10px 14px}
iframe{border:0;width:100%}#menu-item{height:56px}
#overlay{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none;align-items:flex-start;justify-content:center;padding-top:40px}
#overlay.open{display:flex}#overlay .sheet{background:#fff;border-radius:14px;width:min(640px,94vw);height:min(760px,88vh);overflow:hidden}
#overlay iframe{height:100%}ul{padding-left:18px}
</style>`;

export interface HarnessPageInput {
  shopDomain: string;
  orders: CustomerAccountOrder[];
  selected: CustomerAccountOrder | null;
  modules: Record<HarnessTarget, BuiltModule | null>;
  origin: string;
}

/** The customer's order page with the extension's menu item, which opens the action target in a modal. */
export function harnessPage(input: HarnessPageInput): string {
  const { selected, modules } = input;
  const problems: string[] = [];
  for (const [target, module] of Object.entries(modules)) {
    if (!module) problems.push(`${target} is not built: run <code>npm run build:extensions</code>.`);
    else if (module.code.includes(BACKEND_PATH) && !module.code.includes(input.origin)) {
      problems.push(
        `${target} was built for another app URL; it calls its backend there. Run <code>SWITCHYARD_APP_URL=${escapeHtml(input.origin)} npm run build:extensions</code>.`,
      );
    } else if (module.bytes > SHOPIFY_UI_EXTENSION_LIMIT_BYTES) {
      problems.push(`${target} is ${module.bytes} bytes, over Shopify's 64 KB limit.`);
    }
  }
  const sizes = Object.entries(modules)
    .map(([target, module]) => `${escapeHtml(target)}: ${module ? `${(module.bytes / 1024).toFixed(1)} KB` : "not built"}`)
    .join(" · ");
  const orderList = input.orders
    .map((order) => {
      const current = order.orderGid === selected?.orderGid;
      return `<li>${current ? "<strong>" : ""}<a href="${HARNESS_PATH}?order=${encodeURIComponent(order.orderGid)}">${escapeHtml(order.number)}</a> · ${escapeHtml(order.customerName ?? order.customerGid)} · ${order.placedAt.toISOString().slice(0, 10)}${current ? "</strong>" : ""}</li>`;
    })
    .join("");
  const frameUrl = (target: HarnessTarget) => `${HARNESS_PATH}/frame?target=${encodeURIComponent(target)}&order=${encodeURIComponent(selected!.orderGid)}`;
  const orderCard = selected
    ? `<div class="card"><h1 style="margin:0 0 4px;font-size:22px">Order ${escapeHtml(selected.number)}</h1>
<p class="note">Signed in as ${escapeHtml(selected.customerName ?? "")} (${escapeHtml(selected.customerGid)}) · ${escapeHtml(selected.orderGid)}</p>
${problems.length === 0 ? `<iframe id="menu-item" name="menu-item" title="customer-account.order.action.menu-item.render" src="${frameUrl("customer-account.order.action.menu-item.render")}"></iframe>` : ""}</div>`
    : `<div class="card warn">No Shopify order of this shop has a customer account and shipped items yet. Seed a fresh demo (delete <code>.data/pg</code>) or simulate Shopify orders and ship them.</div>`;
  const script = selected
    ? `<script>
const overlay = document.getElementById("overlay");
const frame = document.getElementById("action");
addEventListener("message", (event) => {
  if (event.origin !== location.origin || event.data?.source !== "switchyard-extension-harness") return;
  if (event.data.type === "open") { frame.src = ${JSON.stringify(frameUrl("customer-account.order.action.render"))}; overlay.classList.add("open"); }
  if (event.data.type === "close") { overlay.classList.remove("open"); frame.removeAttribute("src"); }
  if (event.data.type === "navigate") location.assign(event.data.url);
});
</script>`
    : "";
  return document(
    "Customer account · Switchyard returns extension harness",
    PAGE_STYLE,
    `<header>Switchyard demo · customer-account extension harness · ${escapeHtml(input.shopDomain)} · not Shopify's renderer: Polaris elements drawn by a minimal local stand-in</header>
<main>
${problems.map((problem) => `<div class="card warn">${problem}</div>`).join("")}
${orderCard}
<div class="card"><strong>Demo orders placed with a customer account</strong> (the harness signs in as each order's customer)<ul>${orderList}</ul><p class="note">Bundles: ${sizes}</p></div>
</main>
<div id="overlay"><div class="sheet"><iframe id="action" name="action" title="customer-account.order.action.render"></iframe></div></div>
${script}`,
  );
}

/**
 * One target in its own document, as Shopify isolates each target: the `s-*` elements, the
 * `shopify` global, then the bundle's default export called as Shopify calls it.
 */
export function harnessFrame(input: { target: HarnessTarget; orderGid: string }): string {
  const config = {
    target: input.target,
    orderId: input.orderGid,
    tokenUrl: `${HARNESS_PATH}/session-token?order=${encodeURIComponent(input.orderGid)}`,
    moduleUrl: `${HARNESS_PATH}/modules/${TARGETS[input.target]}`,
  };
  return document(
    input.target,
    `<style>body{margin:0;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:#303030;background:#fff}</style>
<script type="application/json" id="harness-config">${scriptJson(config)}</script>
<script>var __name = (target) => target; (${installPolarisHarnessElements.toString()})();</script>
<script type="module">${FRAME_BOOT}</script>`,
    "",
  );
}

/** The `shopify` global of a customer-account target, as far as the harness can honestly give it. */
const FRAME_BOOT = `
const config = JSON.parse(document.getElementById("harness-config").textContent);
const tell = (message) => parent.postMessage({ source: "switchyard-extension-harness", ...message }, location.origin);
let token;
const signal = (value) => ({ value, subscribe: (listener) => { listener(value); return () => {}; } });
globalThis.shopify = {
  extension: { target: config.target, apiVersion: "2026-04" },
  orderId: config.orderId,
  sessionToken: {
    async get() {
      if (!token || token.expiresAt - 30000 < Date.now()) {
        const response = await fetch(config.tokenUrl, { cache: "no-store" });
        if (!response.ok) throw new Error("The harness could not issue a session token (" + response.status + ")");
        token = await response.json();
      }
      return token.token;
    },
  },
  close: () => tell({ type: "close" }),
  navigation: { navigate: (url) => tell({ type: "navigate", url: String(url) }) },
  localization: { language: signal({ isoCode: navigator.language }), country: signal({ isoCode: "US" }) },
  i18n: {
    formatCurrency: (amount, options = {}) => new Intl.NumberFormat(navigator.language, { style: "currency", currency: options.currency ?? "USD" }).format(amount),
    formatNumber: (value, options) => new Intl.NumberFormat(navigator.language, options).format(value),
    formatDate: (date, options) => new Intl.DateTimeFormat(navigator.language, options).format(date),
    translate: (key) => key,
  },
};
if (config.target.endsWith("menu-item.render")) {
  // Shopify opens the action target when the menu item's button is pressed.
  document.addEventListener("click", (event) => { if (event.target.closest?.("s-button")) tell({ type: "open" }); });
}
const module = await import(config.moduleUrl);
await module.default();
document.documentElement.dataset.rendered = "true";
`;
