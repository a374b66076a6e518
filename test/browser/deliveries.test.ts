// The inspector's deliveries in a real headless Chromium: a certificate_issued from `listen --sandbox --chain`
// opens a detail pane with its chain decoded; replay reaches the forward target and its result shows; curl
// keeps the key a placeholder; and `certwh inspect` over a 10,000-delivery journal lists them all (only the
// rows in view in the DOM), scrolls to the last, filters and searches.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createEventFeed, startInspector } from "../../src/inspector/index.js";
import { launchChromium } from "../helpers/browser.js";
import { type JsonLine, spawnCli, tempDir } from "../helpers/cli.js";
import { pageUntil } from "../helpers/page.js";

/** A page that records console errors and page errors into `problems`. */
async function openPage(browser: Browser, url: string, problems: string[]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const opened = await page.goto(url);
  assert.equal(opened?.status(), 200);
  return page;
}

/** The forward target: POST /hook answers 200; anything else is recorded as unexpected. */
async function target(t: TestContext) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const unexpected: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => {
      body += d;
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/hook") unexpected.push(`${req.method} ${req.url}`);
      else received.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    server.close();
    assert.deepEqual(unexpected, [], "the target got only POST /hook");
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function emit(ready: JsonLine, event: string, data: Record<string, unknown>): Promise<void> {
  const answer = await fetch(new URL("/sandbox/v1/emit", String(ready.sandbox_url)), {
    method: "POST",
    headers: { "x-dc-devkey": String(ready.sandbox_api_key), "content-type": "application/json" },
    body: JSON.stringify({ event, data }),
  });
  assert.equal(answer.status, 200);
}

const ROW = (event: string) => `#deliveries [data-event="${event}"]`;

/** How many requests for /api/page the page has made (the resource timing entries of its fetches). */
const PAGE_REQUESTS = `performance.getEntriesByType("resource").filter((r) => new URL(r.name).pathname === "/api/page").length`;

describe("the inspector's deliveries in a real browser", () => {
  test("listen --sandbox --chain: the detail decodes the chain; replay reaches the forward target; curl hides the key", async (t) => {
    const app = await target(t);
    const l = spawnCli(t, [
      "listen",
      "--sandbox",
      "--chain",
      "--json",
      "--no-journal",
      "--forward-to",
      app.url,
    ]);
    const browser = await launchChromium(t);
    const ready = await l.line((x) => x.type === "ready", 30_000);
    const problems: string[] = [];
    const page = await openPage(browser, String(ready.inspector_url), problems);
    await pageUntil(page, `document.body.dataset.loaded === "true"`, "the first sync");
    assert.equal(await page.evaluate(PAGE_REQUESTS), 1, "the layout is asked for once");

    await emit(ready, "certificate_issued", { order_id: 4242, certificate_id: 4343, note: "it's $HOME `x`" });
    await pageUntil(
      page,
      `document.querySelector(${JSON.stringify(ROW("certificate_issued"))})`,
      "the row",
      5000,
    );
    // The original delivery was forwarded once.
    await l.line((x) => x.type === "forward" && x.ok === true, 10_000);
    assert.equal(app.received.length, 1);

    await page.click(`${ROW("certificate_issued")} .c-event`);
    await pageUntil(page, `document.querySelectorAll("#detail-chain tr").length === 3`, "the decoded chain");
    const chain = await page.$$eval("#detail-chain tr", (trs) =>
      trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent)),
    );
    assert.match(String(chain[0]?.[1]), /CN=example\.com/);
    assert.match(String(chain[0]?.[5]), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.deepEqual(
      chain.map((c) => c[6]),
      ["yes", "yes", "self-signed"],
    );
    const headers = await page.textContent("#detail-headers");
    assert.match(String(headers), /X-WEBHOOK-KEY•••• \(present\)/);
    assert.match(String(await page.textContent("#detail-json")), /"order_id": 4242/);

    // Copy as curl: the key is a placeholder, the body single-quoted.
    await page.click("#detail-curl-button");
    const curl = String(await page.textContent("#detail-curl"));
    assert.match(curl, /-H "X-WEBHOOK-KEY: \$CERTWH_WEBHOOK_SECRET"/);
    assert.ok(curl.includes(`curl -sS -X POST '${app.url}'`), curl);
    assert.match(curl, /--data-binary '\{"event":"certificate_issued"/);
    // The shell reads it back word for word: printf in place of curl prints each argument.
    const words = execFileSync("bash", ["-c", curl.replace(/^curl /, "printf '%s\\0' ")], {
      timeout: 5000,
      env: { PATH: process.env.PATH },
    })
      .toString()
      .split("\0");
    assert.equal(words.at(-2), String(await page.textContent("#detail-raw")), "the body arrives intact");
    assert.ok(words.at(-2)?.includes("it's $HOME `x`"), "quotes, $ and backquotes stay as they are");
    assert.ok(words.includes("X-WEBHOOK-KEY: "), "the placeholder expands to the (unset) variable");

    // Replay the ticked row to the forward target: it arrives with the key, the result shows in the page.
    await page.check(`${ROW("certificate_issued")} input.c-pick`);
    await page.click("#replay-selected");
    await pageUntil(page, `document.querySelector("#replay-results li.good")`, "the replay result");
    assert.match(
      String(await page.textContent("#replay-results")),
      new RegExp(`→ ${app.url}: 200 ok \\(\\d+ ms\\)`),
    );
    assert.equal(app.received.length, 2);
    assert.equal(app.received[1]?.body, app.received[0]?.body);
    const key = app.received[1]?.headers["x-webhook-key"];
    assert.ok(typeof key === "string" && key.length > 0, "the replay carried the webhook key");
    const html = await page.content();
    assert.ok(!html.includes(key as string), "the key never reached the page");

    // A typed URL on another origin: no key unless "with the key" is ticked, and the page says so.
    const other = await target(t);
    await page.fill("#replay-to", other.url);
    await page.click("#replay-selected");
    await pageUntil(
      page,
      `document.querySelector("#replay-results").textContent.includes("was not sent")`,
      "the note",
    );
    assert.equal(other.received.at(-1)?.headers["x-webhook-key"], undefined, "no key to a typed origin");
    await page.check("#replay-with-key");
    await page.click("#replay-selected");
    await pageUntil(
      page,
      `document.querySelectorAll("#replay-results li.good").length === 1 && !document.querySelector("#replay-results").textContent.includes("was not sent")`,
      "the keyed replay",
    );
    assert.equal(other.received.length, 2);
    assert.equal(other.received[1]?.headers["x-webhook-key"], key, "asked for: the key goes along");
    await page.uncheck("#replay-with-key");
    await page.fill("#replay-to", "");
    assert.deepEqual(problems, [], "no console error or page error");

    // The detail pane's Replay, when its request fails: the page says so (no unhandled rejection).
    await page.route("**/api/replay", (route) => route.abort("failed"));
    await page.click("#detail-replay");
    await pageUntil(page, `document.querySelector("#replay-results li.bad")`, "the failed replay", 5000);
    assert.match(String(await page.textContent("#replay-results")), /^Replay failed: /);
    assert.equal(app.received.length, 2, "nothing more reached the target");
    // The aborted request itself is logged by the browser; nothing else may be.
    // Opening the row again while its details cannot be fetched: the note says so (no unhandled rejection).
    await page.route("**/api/deliveries/*", (route) => route.abort("failed"));
    await page.click(`${ROW("certificate_issued")} .c-event`);
    await pageUntil(
      page,
      `document.querySelector("#detail-note").textContent.startsWith("The delivery could not be loaded: ")`,
      "the failed detail",
      5000,
    );
    assert.equal(await page.isHidden("#detail-actions"), true, "no actions on a delivery that is not shown");
    const failed = problems.filter((p) => !/Failed to load resource: net::ERR_FAILED/.test(p));
    assert.deepEqual(failed, [], "no page error from the failed replay or the failed detail");
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("certwh inspect over 10,000 journaled deliveries: all counted, few rows in the DOM, the last in view at the end, filter and search narrow", async (t) => {
    const dir = tempDir("certwh-inspect-");
    const file = join(dir, "journal.ndjson");
    const events = ["certificate_issued", "certificate_revoked", "order_rejected"];
    const lines: string[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const event = events[i % 3] as string;
      const body = JSON.stringify({
        event,
        data: {
          order_id: i,
          certificate_id: 100_000 + i,
          ...(i === 4321 ? { common_name: "needle.example" } : {}),
        },
      });
      lines.push(
        JSON.stringify({
          received_at: new Date(Date.UTC(2026, 0, 31, 9) + i * 1000).toISOString(),
          id: i.toString(16).padStart(16, "0"),
          event,
          body,
          headers: { "content-type": "application/json" },
          key_present: true,
          ...(i === 10 ? { repeat: true, first_received_at: "2026-01-31T09:00:00.000Z" } : {}),
        }),
      );
    }
    writeFileSync(file, `${lines.join("\n")}\n`);
    const l = spawnCli(t, ["inspect", "--journal", file, "--json"]);
    const browser = await launchChromium(t);
    const ready = await l.line((x) => x.type === "ready", 30_000);
    const problems: string[] = [];
    const page = await openPage(browser, String(ready.inspector_url), problems);
    await pageUntil(page, `document.body.dataset.loaded === "true"`, "the 10,000 rows", 20_000);
    assert.equal(await page.textContent("#delivery-count"), "10000");
    assert.equal(await page.textContent("#title"), "certwh inspect");
    assert.equal(await page.isHidden("#session"), true, "no live session, no session pane");
    assert.match(String(await page.textContent("#delivery-source")), /^From the journal .*journal\.ndjson/);
    const inDom = await page.locator("#deliveries [data-id]").count();
    assert.ok(inDom > 0 && inDom < 200, `only the rows in view are rendered (${inDom})`);

    // The newest is at the bottom: scrolling to the end shows the last delivery.
    const lastId = (10_000).toString(16).padStart(16, "0");
    await page.evaluate(
      `(() => { const c = document.getElementById("deliveries"); c.scrollTop = c.scrollHeight; })()`,
    );
    await pageUntil(
      page,
      `document.querySelector('#deliveries [data-id="${lastId}"]')`,
      "the last delivery's row",
    );
    assert.equal(
      await page.locator(`#deliveries [data-id="${lastId}"] .c-ids`).textContent(),
      "order 10000 · cert 110000",
    );

    // Filter by event: a third of them.
    await page.selectOption("#filter-event", "order_rejected");
    await pageUntil(
      page,
      `document.getElementById("delivery-shown").textContent === "3333 shown"`,
      "the event filter",
    );
    const shownEvents = await page.$$eval("#deliveries [data-id]", (rows) => [
      ...new Set(rows.map((r) => (r as HTMLElement).dataset.event)),
    ]);
    assert.deepEqual(shownEvents, ["order_rejected"]);
    // Shift-click ticks a range of the shown rows; the header box ticks every shown row.
    await page.evaluate(`document.getElementById("deliveries").scrollTop = 0`);
    await pageUntil(page, `document.querySelectorAll("#deliveries [data-id]").length > 5`, "the first rows");
    const picks = page.locator("#deliveries [data-id] input.c-pick");
    await picks.nth(0).click();
    await picks.nth(4).click({ modifiers: ["Shift"] });
    assert.equal(await page.textContent("#selected-count"), "5");
    await page.check("#pick-shown");
    assert.equal(await page.textContent("#selected-count"), "3333");
    await page.click("#clear-selection");
    assert.equal(await page.textContent("#selected-count"), "0");
    // Status: the one repeat.
    await page.selectOption("#filter-event", "");
    await page.selectOption("#filter-status", "repeat");
    await pageUntil(
      page,
      `document.getElementById("delivery-shown").textContent === "1 shown"`,
      "the status filter",
    );
    assert.equal(
      await page.locator("#deliveries [data-id]").getAttribute("data-id"),
      (10).toString(16).padStart(16, "0"),
    );
    await page.selectOption("#filter-status", "");
    // Search reaches into bodies.
    await page.fill("#filter-text", "needle.example");
    await pageUntil(
      page,
      `document.getElementById("delivery-shown").textContent === "1 shown"`,
      "the body search",
    );
    assert.equal(
      await page.locator("#deliveries [data-id] .c-ids").textContent(),
      "order 4321 · cert 104321",
    );
    await page.fill("#filter-text", "");
    await pageUntil(
      page,
      `document.getElementById("delivery-shown").textContent === ""`,
      "the search cleared",
    );

    assert.deepEqual(problems, [], "no console error or page error");
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });

  test("certwh inspect: two deliveries of one body each open their own headers", async (t) => {
    const dir = tempDir("certwh-inspect-");
    const file = join(dir, "journal.ndjson");
    const body = JSON.stringify({ event: "certificate_revoked", data: { order_id: 7 } });
    const line = (at: string, agent: string, keyPresent: boolean) =>
      JSON.stringify({
        received_at: at,
        id: "00000000000000a7",
        event: "certificate_revoked",
        body,
        headers: { "content-type": "application/json", "user-agent": agent },
        key_present: keyPresent,
      });
    writeFileSync(
      file,
      `${line("2026-01-31T09:00:00.000Z", "first-sender", true)}\n${line("2026-01-31T09:05:00.000Z", "second-sender", false)}\n`,
    );
    const l = spawnCli(t, ["inspect", "--journal", file, "--json"]);
    const browser = await launchChromium(t);
    const ready = await l.line((x) => x.type === "ready", 30_000);
    const problems: string[] = [];
    const page = await openPage(browser, String(ready.inspector_url), problems);
    await pageUntil(page, `document.body.dataset.loaded === "true"`, "the two rows");
    const keys = await page.$$eval("#deliveries [data-id]", (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.key),
    );
    assert.equal(keys.length, 2);
    const expected: [string | undefined, string, string][] = [
      [keys[0], "first-sender", "•••• (present)"],
      [keys[1], "second-sender", "(absent)"],
    ];
    for (const [key, agent, mark] of expected) {
      await page.click(`#deliveries [data-key="${key}"]`);
      await pageUntil(
        page,
        `document.querySelector("#detail-headers").textContent.includes(${JSON.stringify(agent)})`,
        agent,
      );
      assert.ok(String(await page.textContent("#detail-headers")).includes(mark), mark);
    }
    assert.deepEqual(problems, []);
  });

  test("a server without the deliveries API: the page makes its rows from /events, live, and logs no error", async (t) => {
    const feed = createEventFeed();
    const at = "2026-01-31T09:00:00.000Z";
    feed.push({
      type: "event",
      event: "certificate_issued",
      data: { order_id: 1 },
      received_at: at,
      id: "aaaa",
      known: true,
    });
    feed.push({ type: "rejected", status: 401, reason: "bad key", received_at: at });
    const inspector = await startInspector({ events: feed.subscribe, history: feed.history });
    t.after(() => inspector.close());
    const browser = await launchChromium(t);
    const problems: string[] = [];
    const page = await openPage(browser, inspector.url, problems);
    await pageUntil(page, `document.body.dataset.loaded === "true"`, "the history");
    assert.equal(await page.textContent("#delivery-count"), "2");
    assert.equal(await page.evaluate(PAGE_REQUESTS), 1, "the layout is asked for once");
    feed.push({
      type: "event",
      event: "certificate_revoked",
      data: { order_id: 2 },
      received_at: at,
      id: "bbbb",
      known: true,
    });
    feed.push({
      type: "forward",
      id: "bbbb",
      event: "certificate_revoked",
      url: "http://127.0.0.1:9/x",
      attempt: 1,
      ok: false,
      status: 500,
      ms: 4,
      final: true,
    });
    await pageUntil(page, `document.getElementById("delivery-count").textContent === "3"`, "the live row");
    await pageUntil(
      page,
      `document.querySelector('#deliveries [data-id="bbbb"] .c-forward')?.textContent.startsWith("500")`,
      "the forward result",
    );
    assert.deepEqual(
      await page.$$eval("#deliveries [data-id]", (rows) => rows.map((r) => (r as HTMLElement).dataset.event)),
      ["certificate_issued", "", "certificate_revoked"],
    );
    await page.selectOption("#filter-status", "forward-failed");
    await pageUntil(
      page,
      `document.getElementById("delivery-shown").textContent === "1 shown"`,
      "the status filter",
    );
    // A sender gone mid-body got no answer: the row says so rather than showing a status 0.
    feed.push({ type: "rejected", status: 0, reason: "aborted", received_at: at });
    await page.selectOption("#filter-status", "");
    await pageUntil(page, `document.getElementById("delivery-count").textContent === "4"`, "the aborted row");
    assert.equal(
      await page.$$eval("#deliveries [data-id] .c-answer", (cells) => cells.at(-1)?.textContent),
      "not answered, aborted",
    );
    assert.deepEqual(problems, [], "no console error or page error");
  });
});
