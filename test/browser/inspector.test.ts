// listen's inspector page in a real headless Chromium (the system's `chromium`, driven by playwright-core):
// the printed URL logs in and leaves the address bar, the page fills itself from /events and stays live,
// a payload holding markup shows as text and runs nothing, the page reports no error or CSP violation,
// and a wrong token gets 401.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { launchChromium } from "../helpers/browser.js";
import { type JsonLine, spawnCli } from "../helpers/cli.js";
import { pageUntil } from "../helpers/page.js";

const XSS_ORDER = '<img src=x onerror="window.__pwned=1">';
const XSS_CERT = "<script>window.__pwned=2</script>";

/** Records CSP violations in the page before any of its own script runs (the page's CSP does not apply here). */
const RECORD_CSP = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`;

/** A row of the deliveries list whose data-event is `event`, as the text of its cells ('' when none). */
const rowWith = (event: string) =>
  `[...document.querySelectorAll("#deliveries [data-id]")].filter((r) => r.dataset.event === ${JSON.stringify(event)}).map((r) => [...r.querySelectorAll("span")].map((c) => c.textContent).join(" | ")).join("\\n")`;

async function emit(ready: JsonLine, event: string, data: Record<string, unknown>): Promise<void> {
  const answer = await fetch(new URL("/sandbox/v1/emit", String(ready.sandbox_url)), {
    method: "POST",
    headers: { "x-dc-devkey": String(ready.sandbox_api_key), "content-type": "application/json" },
    body: JSON.stringify({ event, data }),
  });
  assert.equal(answer.status, 200);
  assert.equal(((await answer.json()) as { delivered?: boolean }).delivered, true, `${event} was delivered`);
}

describe("listen's inspector in a real browser", () => {
  test("the printed URL opens a live page that shows markup as text and reports no error; a wrong token gets 401", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"]);
    const browser = await launchChromium(t);
    // Generous: on a busy machine, listen and Chromium start side by side.
    const ready = await l.line((x) => x.type === "ready", 30_000);
    const url = new URL(String(ready.inspector_url));
    const stagesBeforeReady = l.lines
      .slice(0, l.lines.indexOf(ready))
      .filter((x) => x.type === "state")
      .map((x) => String(x.stage));

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning")
        problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.addInitScript({ content: RECORD_CSP });

    // The token is swapped for a cookie and leaves the address bar.
    const opened = await page.goto(url.href);
    assert.equal(opened?.status(), 200);
    assert.equal(page.url(), `${url.origin}/`, "no token in the address bar after the redirect");
    const cookies = await context.cookies(url.origin);
    assert.equal(cookies.length, 1, JSON.stringify(cookies));
    assert.equal(cookies[0]?.httpOnly, true);
    assert.equal(cookies[0]?.sameSite, "Strict");

    // The header shows the ready block; the stages are listed in the order listen went through them.
    await pageUntil(
      page,
      `document.getElementById("status").textContent.endsWith("listening")`,
      "the ready status",
    );
    assert.equal(await page.textContent("#webhook-id"), String(ready.webhook_id));
    assert.equal(await page.textContent("#public-url"), String(ready.public_url));
    // Each stage's item carries listen's name for it in data-stage (its text is the human wording).
    const stages = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#stages li")].map((li) => li.dataset.stage)`,
    );
    assert.deepEqual(stages, [...stagesBeforeReady, "ready"]);
    assert.ok(
      stagesBeforeReady.indexOf("verified") > stagesBeforeReady.indexOf("challenge_sent"),
      stages.join(),
    );

    // An event triggered while the page is open appears within a second, without a reload (the sandbox answers
    // once listen has answered the delivery; the row usually shows within tens of milliseconds).
    await page.evaluate("window.__sameDocument = true");
    await emit(ready, "certificate_revoked", { order_id: 77, certificate_id: 78 });
    await pageUntil(page, rowWith("certificate_revoked"), "the triggered event", 1000);
    assert.match(
      await page.evaluate<string>(rowWith("certificate_revoked")),
      /certificate_revoked \| order 77 · cert 78 \| 200 accepted/,
    );
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");

    // Markup in a payload is shown as text and runs nothing.
    await emit(ready, "certificate_issued", { order_id: XSS_ORDER, certificate_id: XSS_CERT });
    await pageUntil(page, rowWith("certificate_issued"), "the event holding markup");
    const cell = await page.evaluate<string>(
      `document.querySelector('#deliveries [data-event="certificate_issued"] .c-ids').innerText`,
    );
    assert.equal(cell, `order ${XSS_ORDER} · cert ${XSS_CERT}`);
    assert.equal(
      await page.locator("#deliveries img, #deliveries script").count(),
      0,
      "no element made from the payload",
    );
    assert.equal(await page.evaluate("typeof window.__pwned"), "undefined");

    assert.deepEqual(await page.evaluate("window.__csp"), [], "no CSP violation");
    assert.deepEqual(problems, [], "no console error or page error");

    // A wrong token (in a browser without the cookie) is refused.
    const stranger = await (await browser.newContext()).newPage();
    const refused = await stranger.goto(`${url.origin}/?token=${"x".repeat(32)}`);
    assert.equal(refused?.status(), 401);
    assert.match((await stranger.textContent("body")) ?? "", /Unauthorized/);

    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });
});
