// A real headless Chromium for browser tests: the system's `chromium` (Debian's package; `.ci/run` installs
// it), driven by playwright-core, which never downloads a browser of its own.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { TestContext } from "node:test";
import { type Browser, chromium } from "playwright-core";

const NAMES = ["chromium", "chromium-browser"];

/** The first `chromium` on PATH, or undefined. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
    for (const name of NAMES) {
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

/**
 * Starts headless Chromium (closed after the test); fails with what to do when it is not installed.
 * `args` are extra command-line switches (e.g. `--host-resolver-rules=MAP rebind.test 127.0.0.1`).
 */
export async function launchChromium(t: TestContext, args: string[] = []): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath)
    throw new Error(
      "Chromium is not installed: the browser tests need it on PATH. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) and run the tests again.",
    );
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", ...args],
    timeout: 20_000,
  });
  t.after(() => browser.close());
  return browser;
}
