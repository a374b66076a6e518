// The inspector's guard, seen from a real headless Chromium against `certwh listen --sandbox`: what a stranger,
// a DNS-rebinding page and a page on another local port get. Each refusal is asserted precisely (status,
// no cookie, no page content, nothing readable), next to a control that the same request from the inspector's
// own page is let through, so a guard that lets everything through (or refuses everything) fails here.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type TestContext, test } from "node:test";
import type { BrowserContext, Page, Response } from "playwright-core";
import { CSP } from "../../src/inspector/server.js";
import { launchChromium } from "../helpers/browser.js";
import { spawnCli } from "../helpers/cli.js";
import { pageUntil } from "../helpers/page.js";

/** A name Chromium resolves to 127.0.0.1 (--host-resolver-rules), as an attacker's DNS would after rebinding. */
const REBIND_HOST = "rebind.test";

/** Records CSP violations in the page before any of its own script runs. */
const RECORD_CSP = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));`;

/** The page's own markup, which no refused answer may contain. */
const PAGE_MARKERS = ['id="deliveries"', "app.js", "certwh listen"];

function assertNoPageContent(body: string, what: string): void {
  for (const marker of PAGE_MARKERS) assert.ok(!body.includes(marker), `${what} served the page: ${body}`);
}

function assertCsp(response: Response | null, what: string): void {
  assert.equal(response?.headers()["content-security-policy"], CSP, `${what}: the CSP header`);
}

async function allCookies(context: BrowserContext): Promise<string> {
  return JSON.stringify(await context.cookies());
}

/** What the attacker's page script reports about one request it tried. */
interface Attempt {
  name: string;
  /** "read": fetch resolved (then type/status/body are what the page could see); "refused": fetch threw. */
  outcome: "read" | "refused";
  type?: string;
  status?: number;
  body?: string;
  error?: string;
}

/**
 * Another site on this computer (127.0.0.1, another port): its page script tries to write to and read from the
 * inspector with the browser's credentials. Same site as the inspector (a cookie's site ignores the port), so
 * the SameSite=Strict cookie IS sent: the Origin check and the absence of CORS headers are what must stop it.
 */
async function startAttackerSite(t: TestContext, inspectorOrigin: string): Promise<string> {
  const attack = `const INSPECTOR = ${JSON.stringify(inspectorOrigin)};
async function attempt(name, path, init) {
  try {
    const r = await fetch(INSPECTOR + path, { credentials: "include", signal: AbortSignal.timeout(5000), ...init });
    let body;
    try { body = await r.text(); } catch (e) { body = "unreadable: " + e.name; }
    return { name, outcome: "read", type: r.type, status: r.status, body };
  } catch (e) {
    return { name, outcome: "refused", error: e.name };
  }
}
window.__attack = Promise.all([
  attempt("simple POST", "/api/anything", { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
  attempt("no-cors POST", "/api/anything", { method: "POST", mode: "no-cors", body: "x" }),
  attempt("JSON POST", "/api/anything", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
  attempt("GET /events", "/events", {}),
  attempt("GET /", "/", {}),
]);
`;
  const pages: Record<string, [string, string]> = {
    "/": ["text/html", '<!doctype html><title>attacker</title><script src="/attack.js"></script>'],
    "/attack.js": ["text/javascript", attack],
    "/form.html": [
      "text/html",
      `<!doctype html><title>attacker form</title>
<form method="post" action="${inspectorOrigin}/api/anything" enctype="text/plain"><input name="x" value="y"></form>
<script src="/form.js"></script>`,
    ],
    "/form.js": ["text/javascript", "document.forms[0].submit();"],
  };
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": `${page[0]}; charset=utf-8` }).end(page[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Records, through the DevTools protocol, every request `page` sends to the inspector (CORS preflights
 * included): whether the browser sent the cookie with it, and the status and headers the inspector answered
 * on the wire, even those the page's script is not allowed to read. `log()` lists them as
 * "METHOD path → status" (or "→ not sent"), plus " (with the cookie)".
 */
async function recordWire(context: BrowserContext, page: Page, inspectorOrigin: string) {
  const cdp = await context.newCDPSession(page);
  const sent = new Map<string, string>();
  const withCookie = new Set<string>();
  const answered = new Map<string, { status: number; headers: Record<string, string> }>();
  cdp.on("Network.requestWillBeSent", (e) => {
    if (e.request.url.startsWith(`${inspectorOrigin}/`))
      sent.set(e.requestId, `${e.request.method} ${new URL(e.request.url).pathname}`);
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    if (Object.keys(e.headers).some((h) => h.toLowerCase() === "cookie")) withCookie.add(e.requestId);
  });
  cdp.on("Network.responseReceivedExtraInfo", (e) => {
    answered.set(e.requestId, { status: e.statusCode, headers: e.headers as Record<string, string> });
  });
  await cdp.send("Network.enable");
  const ids = () => [...sent.keys()];
  return {
    log: () =>
      ids()
        .map((id) => {
          const status = answered.get(id)?.status ?? "not sent";
          return `${sent.get(id)} → ${status}${withCookie.has(id) ? " (with the cookie)" : ""}`;
        })
        .sort(),
    answerCount: () => ids().filter((id) => answered.has(id)).length,
    /** Every header name of every answer, lower case. */
    headerNames: () =>
      ids().flatMap((id) => Object.keys(answered.get(id)?.headers ?? {}).map((h) => h.toLowerCase())),
  };
}

test("listen's inspector refuses a wrong token, a foreign Host and other origins in a real browser", async (t) => {
  const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"]);
  const browser = await launchChromium(t, [`--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`]);
  // Generous: on a busy machine, listen and Chromium start side by side.
  const ready = await l.line((x) => x.type === "ready", 30_000);
  const url = new URL(String(ready.inspector_url));
  const token = url.searchParams.get("token") ?? "";
  const origin = url.origin;
  assert.equal(url.hostname, "127.0.0.1");
  assert.ok(token.length >= 32, url.href);

  await t.test("a wrong token gets 401, no cookie and no page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The same length as the right one, one character changed.
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    const refused = await page.goto(`${origin}/?token=${wrong}`);
    assert.equal(refused?.status(), 401);
    assert.equal(refused?.headers()["set-cookie"], undefined);
    assertCsp(refused, "401");
    const body = (await refused?.text()) ?? "";
    assert.match(body, /^Unauthorized/);
    assertNoPageContent(body, "the 401");
    assert.equal(await allCookies(context), "[]");
    // Without any token or cookie, the page is refused too.
    const bare = await page.goto(`${origin}/`);
    assert.equal(bare?.status(), 401);
    assertNoPageContent((await bare?.text()) ?? "", "a visit without token");
    await context.close();
  });

  await t.test(
    "the right token's cookie is HttpOnly and SameSite=Strict; the token leaves the address bar",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const opened = await page.goto(url.href);
      assert.equal(opened?.status(), 200);
      const redirect = await opened?.request().redirectedFrom()?.response();
      assert.equal(redirect?.status(), 303);
      assert.equal(redirect?.headers().location, "/");
      assertCsp(redirect ?? null, "303");
      assert.equal(page.url(), `${origin}/`, "no token in the address bar");
      const cookies = await context.cookies();
      assert.equal(cookies.length, 1, JSON.stringify(cookies));
      assert.equal(cookies[0]?.name, `certwh_inspector_${url.port}`);
      assert.equal(cookies[0]?.domain, "127.0.0.1");
      assert.equal(cookies[0]?.path, "/");
      assert.equal(cookies[0]?.httpOnly, true);
      assert.equal(cookies[0]?.sameSite, "Strict");
      assert.equal(await page.evaluate("document.cookie"), "", "the page's script cannot read the cookie");
      await context.close();
    },
  );

  await t.test(
    "a foreign Host (DNS rebinding) gets 421, no cookie and no page, even with the right token",
    async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const rebound = `http://${REBIND_HOST}:${url.port}`;
      const refused = await page.goto(`${rebound}/?token=${token}`);
      assert.equal(refused?.status(), 421);
      assert.equal(refused?.headers()["set-cookie"], undefined);
      assertCsp(refused, "421");
      const body = (await refused?.text()) ?? "";
      assert.match(body, /^Misdirected request/);
      assertNoPageContent(body, "the 421");
      assert.equal(await allCookies(context), "[]");

      await context.close();

      // A script of the rebound origin (the attacker's page, loaded before the name was pointed at 127.0.0.1)
      // reads the inspector "same-origin": every answer is 421. Run in the 421 document, whose own CSP
      // (connect-src 'none') would block the fetches first, so this context ignores CSPs: the server's Host
      // check alone must refuse.
      const rebinding = await browser.newContext({ bypassCSP: true });
      const attackerPage = await rebinding.newPage();
      assert.equal((await attackerPage.goto(`${rebound}/`))?.status(), 421);
      // The rebound page fetches, same-origin, the login URL (were it let through: a 303 setting a cookie for
      // the rebound name), the page, the stream and a script file.
      const paths = [`/?token=${token}`, "/", "/events", "/app.js"];
      const statuses = await attackerPage.evaluate(
        (list) =>
          Promise.all(
            list.map(async (path) => {
              const r = await fetch(path, { redirect: "manual", signal: AbortSignal.timeout(5000) });
              return `${path.split("?")[0]} ${r.status} ${(await r.text()).trim()}`;
            }),
          ),
        paths,
      );
      assert.deepEqual(statuses, [
        "/ 421 Misdirected request: unknown Host.",
        "/ 421 Misdirected request: unknown Host.",
        "/events 421 Misdirected request: unknown Host.",
        "/app.js 421 Misdirected request: unknown Host.",
      ]);
      assert.equal(await allCookies(rebinding), "[]");
      await rebinding.close();
    },
  );

  await t.test("a page on another local port can neither write (403) nor read (no CORS)", async (t2) => {
    const attacker = await startAttackerSite(t2, origin);
    // A browser that is logged in to the inspector, so its cookie would go along.
    const context = await browser.newContext();
    const inspector = await context.newPage();
    assert.equal((await inspector.goto(url.href))?.status(), 200);
    await pageUntil(
      inspector,
      `document.getElementById("status").textContent.endsWith("listening")`,
      "ready",
    );
    const linesBefore = l.lines.length;

    // Control: the inspector's own page passes the guard (an unknown API path: 405 from the router, not 403).
    const own = await inspector.evaluate(
      `fetch("/api/anything", { method: "POST", body: "x" }).then(async (r) => r.status + " " + (await r.text()).trim())`,
    );
    assert.equal(own, "405 Not found.");

    const page = await context.newPage();
    const wire = await recordWire(context, page, origin);
    await page.goto(`${attacker}/`);
    const attempts = (await page.evaluate("window.__attack")) as Attempt[];
    const byName = Object.fromEntries(attempts.map((a) => [a.name, a]));
    // fetch() in cors mode throws when the answer carries no Access-Control-Allow-Origin.
    assert.deepEqual(byName["simple POST"], { name: "simple POST", outcome: "refused", error: "TypeError" });
    assert.deepEqual(byName["JSON POST"], { name: "JSON POST", outcome: "refused", error: "TypeError" });
    assert.deepEqual(byName["GET /events"], { name: "GET /events", outcome: "refused", error: "TypeError" });
    assert.deepEqual(byName["GET /"], { name: "GET /", outcome: "refused", error: "TypeError" });
    // no-cors: the page gets an opaque answer, nothing in it.
    assert.deepEqual(byName["no-cors POST"], {
      name: "no-cors POST",
      outcome: "read",
      type: "opaque",
      status: 0,
      body: "",
    });

    // A form POST is a navigation: the browser shows what the inspector answered.
    const form = await context.newPage();
    const [formAnswer] = await Promise.all([
      form.waitForResponse((r) => r.url() === `${origin}/api/anything`, { timeout: 10_000 }),
      form.goto(`${attacker}/form.html`),
    ]);
    assert.equal(formAnswer.status(), 403);
    assert.equal((await formAnswer.text()).trim(), "Forbidden.");
    assertCsp(formAnswer, "403");
    assert.equal(formAnswer.headers()["access-control-allow-origin"], undefined);

    // What the inspector answered the attacker's page on the wire. The cookie went along (same site), yet
    // every write is 403; the JSON POST was never sent, as its CORS preflight (which carries no cookie) got 403
    // too. The two GETs were answered, but with no CORS header, so the page could read nothing (above).
    const deadline = Date.now() + 5000;
    while (wire.answerCount() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(wire.log(), [
      "GET / → 200 (with the cookie)",
      "GET /events → 200 (with the cookie)",
      "OPTIONS /api/anything → 403",
      "POST /api/anything → 403 (with the cookie)",
      "POST /api/anything → 403 (with the cookie)",
      "POST /api/anything → not sent",
    ]);
    const cors = wire.headerNames().filter((h) => h.startsWith("access-control-"));
    assert.deepEqual(cors, [], "no CORS header in any answer");

    // Nothing changed: listen printed nothing, and the inspector's page is still the same live session.
    assert.equal(l.lines.length, linesBefore, JSON.stringify(l.lines.slice(linesBefore)));
    assert.ok((await inspector.textContent("#status"))?.endsWith("listening"));
    await context.close();
  });

  await t.test("the CSP is on the page, its files and its errors, and no inline script runs", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript({ content: RECORD_CSP });
    const opened = await page.goto(url.href);
    assertCsp(opened, "the page");
    const script = await page.goto(`${origin}/app.js`);
    assert.equal(script?.status(), 200);
    assertCsp(script, "app.js");
    const missing = await page.goto(`${origin}/no-such-file`);
    assert.equal(missing?.status(), 404);
    assertCsp(missing, "404");

    await page.goto(`${origin}/`);
    await pageUntil(page, `document.getElementById("status").textContent.endsWith("listening")`, "ready");
    assert.deepEqual(await page.evaluate("window.__csp"), [], "the page itself violates nothing");
    // An inline <script> and an inline event handler, put in the page as an injection would.
    await page.evaluate(`(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inline = 'script'";
      document.body.append(s);
      const img = document.createElement("img");
      img.setAttribute("onerror", "window.__inline = 'handler'");
      img.src = "data:,not-an-image";
      document.body.append(img);
    })()`);
    await pageUntil(page, "window.__csp.length >= 2", "both CSP violations", 5000);
    assert.equal(await page.evaluate("typeof window.__inline"), "undefined");
    assert.deepEqual(((await page.evaluate("window.__csp")) as string[]).sort(), [
      "script-src-attr",
      "script-src-elem",
    ]);
    await context.close();
  });

  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
});
