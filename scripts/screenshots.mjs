// Screenshots of listen's inspector for the README (npm run screenshots): starts `certwh listen --sandbox`,
// opens the printed URL in the system's headless Chromium (playwright-core, never a downloaded browser),
// triggers two events through the sandbox, opens one's detail and saves PNGs to docs/screenshots/.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../", import.meta.url));
const outDir = join(root, "docs", "screenshots");

function findChromium() {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
    for (const name of ["chromium", "chromium-browser"]) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here; keep looking
      }
    }
  throw new Error("Chromium is not installed: install it (Debian/Ubuntu: `sudo apt-get install chromium`).");
}

/** Resolves with listen's `ready` line (rejects if listen ends first or takes over 30 s). */
function readyLine(listen) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("listen was not ready within 30 s")), 30_000);
    listen.once("exit", (code) => reject(new Error(`listen exited (${code}) before it was ready`)));
    createInterface({ input: listen.stdout }).on("line", (line) => {
      const parsed = JSON.parse(line);
      if (parsed.type !== "ready") return;
      clearTimeout(timer);
      resolve(parsed);
    });
  });
}

/** Waits until `expression` is truthy in the page, polled from here (the page's CSP refuses an in-page eval). */
async function until(page, expression, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`the page did not show ${expression} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function emit(ready, event, data) {
  const answer = await fetch(new URL("/sandbox/v1/emit", ready.sandbox_url), {
    method: "POST",
    headers: { "x-dc-devkey": ready.sandbox_api_key, "content-type": "application/json" },
    body: JSON.stringify({ event, data }),
  });
  if (answer.status !== 200) throw new Error(`emit ${event} answered ${answer.status}`);
}

const listen = spawn(
  process.execPath,
  [join(root, "bin", "certwh.js"), "listen", "--sandbox", "--chain", "--json", "--no-journal"],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const browser = await chromium.launch({
  executablePath: findChromium(),
  headless: true,
  args: ["--no-sandbox"],
});
try {
  const ready = await readyLine(listen);
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 }, colorScheme: "light" });
  await page.goto(ready.inspector_url);
  await until(page, `document.getElementById("status").textContent.endsWith("listening")`);
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, "inspector-ready.png"), fullPage: true });

  await emit(ready, "certificate_issued", { order_id: 1024, certificate_id: 2048 });
  await emit(ready, "certificate_revoked", { order_id: 1025, certificate_id: 2049 });
  await until(page, `document.querySelector('#deliveries [data-event="certificate_revoked"]')`);
  await page.screenshot({ path: join(outDir, "inspector-deliveries.png"), fullPage: true });

  await page.click('#deliveries [data-event="certificate_issued"] .c-event');
  await until(page, `document.querySelectorAll("#detail-chain tr").length > 0`);
  await page.screenshot({ path: join(outDir, "inspector-detail.png"), fullPage: true });
  process.stderr.write(
    `Saved inspector-ready.png, inspector-deliveries.png and inspector-detail.png in ${outDir}\n`,
  );
} finally {
  await browser.close();
  listen.kill("SIGINT");
}
