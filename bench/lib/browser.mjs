// Headless Chromium for the inspector benchmarks: the system's `chromium` on PATH (as the browser tests use,
// test/helpers/browser.ts), driven by playwright-core, which never downloads a browser of its own.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium } from "playwright-core";

/** The first `chromium` (or `chromium-browser`) on PATH, or undefined. */
export function findChromium() {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
    for (const name of ["chromium", "chromium-browser"]) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here; keep looking
      }
    }
  return undefined;
}

export const NO_CHROMIUM =
  "Chromium is not installed: the inspector benchmarks need it on PATH (Debian/Ubuntu: `sudo apt-get install chromium`).";

/** Starts headless Chromium; throws NO_CHROMIUM when it is missing. Close it with `browser.close()`. */
export async function launchChromium() {
  const executablePath = findChromium();
  if (!executablePath) throw new Error(NO_CHROMIUM);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"], timeout: 20_000 });
}
