// 10,000 deliveries received by listen while its inspector's page is open: the page counts every one, stays
// responsive, and its last row is reachable by scrolling the list to the end. Relies only on the contract the
// deliveries pane keeps: rows with data-id/data-event inside #deliveries, #delivery-count, body[data-loaded].
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { test } from "node:test";
import { launchChromium } from "../helpers/browser.js";
import { spawnCli } from "../helpers/cli.js";

const DELIVERIES = 10_000;
const FIRST_ORDER = 900_000_000;

/** POSTs certificate_issued for each order id to listen's receiver, `parallel` at a time; all must be 200. */
async function deliver(localUrl: string, secret: string, orderIds: number[], parallel = 16): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const post = (orderId: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        event: "certificate_issued",
        data: { order_id: orderId, certificate_id: 1 },
      });
      const req = request(
        localUrl,
        {
          method: "POST",
          agent,
          timeout: 20_000,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-webhook-key": secret,
          },
        },
        (res) => {
          res.resume();
          res.once("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`order ${orderId}: ${res.statusCode}`)),
          );
        },
      );
      req.once("timeout", () => req.destroy(new Error(`order ${orderId}: no answer in 20 s`)));
      req.once("error", reject);
      req.end(body);
    });
  const queue = [...orderIds];
  const sender = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) await post(id);
  };
  try {
    await Promise.all(Array.from({ length: parallel }, sender));
  } finally {
    agent.destroy();
  }
}

/** `wait`, or a failure that says what did not happen (a Playwright timeout alone does not). */
async function showing<T>(what: string, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    throw new Error(`the page did not show ${what}: ${(err as Error).message}`);
  }
}

test("10,000 deliveries received while the page is open: all counted, the page responsive, the last row reachable", async (t) => {
  const secret = randomBytes(32).toString("base64url");
  const l = spawnCli(
    t,
    ["listen", "--sandbox", "--json", "--no-journal", "--secret-env", "CERTWH_TEST_SECRET"],
    { env: { CERTWH_TEST_SECRET: secret }, killAfterMs: 120_000 },
  );
  const browser = await launchChromium(t);
  const ready = await l.line((x) => x.type === "ready", 30_000);
  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(String(ready.inspector_url));
  // Functions, not strings: the page's CSP forbids eval, which a string predicate polled per frame needs.
  await page.waitForFunction(() => document.body.dataset.loaded === "true", undefined, { timeout: 15_000 });
  // listen's own start (its test event, the challenge) already shows as deliveries.
  const before = Number(await page.textContent("#delivery-count"));
  assert.ok(before < 10, `deliveries before the test sent any: ${before}`);

  // All but the last in parallel, then the last alone, so it is the newest row.
  const last = FIRST_ORDER + DELIVERIES - 1;
  const orders = Array.from({ length: DELIVERIES - 1 }, (_, i) => FIRST_ORDER + i);
  const started = Date.now();
  await deliver(String(ready.local_url), secret, orders);
  await deliver(String(ready.local_url), secret, [last]);
  const delivered = Date.now() - started;

  await showing(
    `#delivery-count = ${before + DELIVERIES}`,
    page.waitForFunction(
      (n) => Number(document.getElementById("delivery-count")?.textContent) === n,
      before + DELIVERIES,
      { timeout: 30_000, polling: 100 },
    ),
  );
  const counted = Date.now() - started;

  // Responsive: a frame comes within a second once the rows are in.
  const frameMs = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const asked = performance.now();
        requestAnimationFrame(() => resolve(performance.now() - asked));
      }),
  );
  assert.ok(frameMs < 1000, `the next frame took ${frameMs} ms`);

  // Scrolling the list (and the page around it) to the end shows the newest row.
  await page.evaluate(() => {
    const list = document.getElementById("deliveries");
    if (list) list.scrollTop = list.scrollHeight;
    window.scrollTo(0, document.documentElement.scrollHeight);
  });
  const lastRow = await showing(
    `the newest row (order ${last}) on screen after scrolling to the end`,
    page.waitForFunction(
      (text) => {
        const rows = document.querySelectorAll("#deliveries [data-event]");
        const row = rows[rows.length - 1] as HTMLElement | undefined;
        if (!row?.textContent?.includes(text)) return undefined;
        const box = row.getBoundingClientRect();
        const onScreen = box.height > 0 && box.top < window.innerHeight && box.bottom > 0;
        return onScreen && { event: row.dataset.event, id: row.dataset.id };
      },
      `order ${last}`,
      { timeout: 10_000, polling: 100 },
    ),
  );
  const shown = (await lastRow.jsonValue()) as { event: string; id: string };
  assert.equal(shown.event, "certificate_issued");
  assert.match(shown.id, /^[0-9a-f]+$/);
  assert.deepEqual(errors, []);
  t.diagnostic(`delivered in ${delivered} ms, all counted on the page ${counted} ms after the first POST`);

  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
});
