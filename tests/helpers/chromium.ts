import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, driven by playwright-core; browser tests skip with a message where it is missing. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const chromiumAvailable = fs.existsSync(CHROMIUM_PATH);

export function warnWithoutChromium(what: string): void {
  if (!chromiumAvailable) console.warn(`[e2e] ${CHROMIUM_PATH} is missing: ${what} skipped (apt-get install -y chromium)`);
}

/** Headless, offline-quiet: no sandbox (containers), no GPU, no background or component updates. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}
