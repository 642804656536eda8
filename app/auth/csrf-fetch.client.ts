import { CSRF_COOKIE, CSRF_HEADER } from "./csrf-names";

/**
 * Every admin submission (Remix forms and fetchers post through window.fetch) carries the CSRF
 * token from the admin's cookie, for same-origin writes only: the token never leaves the app.
 * Installed once per page; app.tsx imports this module in the browser.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare global {
  interface Window {
    __switchyardCsrfInstalled?: boolean;
  }
}

export function installCsrfFetch(): void {
  if (typeof window === "undefined" || window.__switchyardCsrfInstalled) return;
  window.__switchyardCsrfInstalled = true;
  const original = window.fetch.bind(window);
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined;
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    const url = new URL(request?.url ?? String(input), window.location.href);
    const token = readToken();
    if (SAFE_METHODS.has(method) || url.origin !== window.location.origin || !token) return original(input, init);
    const headers = new Headers(init?.headers ?? request?.headers);
    headers.set(CSRF_HEADER, token);
    return original(input, { ...init, headers });
  };
}

function readToken(): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return rest.join("=");
  }
  return undefined;
}

installCsrfFetch();
