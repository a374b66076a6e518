// listen's local web inspector over plain HTTP: token → cookie, Host and Origin checks, no CORS, the
// security headers, and /events (the history, then live events, without the sandbox's API key).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, type TestContext, test } from "node:test";
import { createEventFeed, startInspector } from "../../src/inspector/index.js";
import { CSP } from "../../src/inspector/server.js";
import type { ListenEvent, ReadyEvent } from "../../src/listen/types.js";
import { type Answer, ask, logIn, openEvents } from "../helpers/inspector.js";

const WEB = new URL("../../src/inspector/web/", import.meta.url);

const READY: ReadyEvent = {
  type: "ready",
  public_url: "http://127.0.0.1:1/hook/abc",
  local_url: "http://127.0.0.1:1/hook/abc",
  webhook_id: 42,
  status: "active",
  events: ["certificate_issued"],
  tunnel: "none",
  protections: { key_check: true, ip_allowlist: null, source_check: "loopback" },
  forward_to: null,
  journal: null,
  on_exit: "deactivate",
  until: null,
  sandbox_url: "http://127.0.0.1:2/services/v2",
  sandbox_api_key: "SANDBOX-KEY-must-not-reach-the-page",
  inspector_url: "http://127.0.0.1:3/?token=must-not-reach-the-page",
};

const XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">';

function delivery(orderId: number, extra: Record<string, unknown> = {}): ListenEvent {
  return {
    type: "event",
    event: "certificate_issued",
    data: { order_id: orderId, certificate_id: orderId + 1, ...extra },
    received_at: "2026-01-31T09:00:00.000Z",
    id: `id${orderId}`,
    known: true,
  };
}

async function started(t: TestContext, history: ListenEvent[] = []) {
  const feed = createEventFeed();
  for (const e of history) feed.push(e);
  const inspector = await startInspector({ events: feed.subscribe, history: feed.history, heartbeatMs: 200 });
  t.after(() => inspector.close());
  const session = await logIn(inspector.url);
  return { feed, inspector, ...session };
}

const noCors = (a: Answer, what: string) =>
  assert.ok(
    !Object.keys(a.headers).some((h) => h.startsWith("access-control-")),
    `${what}: ${JSON.stringify(a.headers)}`,
  );

describe("the inspector's server", () => {
  test("the printed URL: 127.0.0.1 only, a 32-character token", async (t) => {
    const { inspector } = await started(t);
    assert.match(inspector.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  test("no token, a wrong token or no cookie: 401; the right token: an HttpOnly SameSite=Strict cookie and / without it", async (t) => {
    const { port, cookie, answer, inspector } = await started(t);
    const token = new URL(inspector.url).searchParams.get("token") ?? "";
    assert.equal(answer.status, 303);
    assert.equal(answer.headers.location, "/");
    const setCookie = String(answer.headers["set-cookie"]);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(cookie, /^certwh_inspector_\d+=[A-Za-z0-9_-]{32}$/);
    assert.ok(token.length > 0 && !setCookie.includes(token), "the cookie is not the token");

    for (const path of ["/", "/app.js", "/app.css", "/events", "/?token=wrong", "/?token="]) {
      const a = await ask(port, path);
      assert.equal(a.status, 401, path);
      assert.equal(a.headers["set-cookie"], undefined, path);
      noCors(a, path);
    }
    assert.equal((await ask(port, "/", { headers: { cookie: `${cookie}x` } })).status, 401);
    assert.equal(
      (await ask(port, "/", { headers: { cookie: cookie.replace(/_(\d+)=/, "_1$1=") } })).status,
      401,
      "another port's cookie",
    );

    const page = await ask(port, "/", { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.equal(page.headers["content-security-policy"], CSP);
    assert.match(CSP, /default-src 'none'; script-src 'self'/);
    assert.match(CSP, /frame-ancestors 'none'/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.equal(page.headers["referrer-policy"], "no-referrer");
    assert.match(page.body, /<script type="module" src="\/app\.js"><\/script>/);
    assert.doesNotMatch(page.body, /<script>|<style|\son\w+=/, "no inline script, style or handler");
    noCors(page, "/");

    const js = await ask(port, "/app.js", { headers: { cookie } });
    assert.equal(js.status, 200);
    assert.match(String(js.headers["content-type"]), /^text\/javascript/);
    assert.equal(js.body, readFileSync(new URL("app.js", WEB), "utf8"));
    const css = await ask(port, "/app.css", { headers: { cookie } });
    assert.equal(css.status, 200);
    assert.match(String(css.headers["content-type"]), /^text\/css/);
    assert.equal((await ask(port, "/nothing", { headers: { cookie } })).status, 404);
  });

  test("a foreign Host is refused (no DNS rebinding), even with the cookie or the token", async (t) => {
    const { port, cookie, inspector } = await started(t);
    const search = new URL(inspector.url).search;
    for (const host of [
      "evil.example.com",
      `evil.example.com:${port}`,
      `127.0.0.1:${port + 1}`,
      "127.0.0.1",
    ]) {
      const a = await ask(port, "/", { headers: { host, cookie } });
      assert.equal(a.status, 421, host);
      assert.equal((await ask(port, `/${search}`, { headers: { host } })).status, 421, host);
      noCors(a, host);
    }
    assert.equal((await ask(port, "/", { headers: { host: `localhost:${port}`, cookie } })).status, 200);
  });

  test("a request other than GET needs the cookie and the page's own Origin (403 otherwise)", async (t) => {
    const { port, cookie } = await started(t);
    const own = `http://127.0.0.1:${port}`;
    const refused: [string, Record<string, string>][] = [
      ["POST", { cookie }],
      ["POST", { cookie, origin: "http://evil.example.com" }],
      ["POST", { cookie, origin: `http://localhost:${port}` }],
      ["POST", { cookie, origin: "null" }],
      ["POST", { origin: own }],
      ["DELETE", { cookie, origin: `http://127.0.0.1:${port + 1}` }],
      ["PUT", {}],
    ];
    for (const [method, headers] of refused) {
      const a = await ask(port, "/", { method, headers });
      assert.equal(a.status, 403, `${method} ${JSON.stringify(headers)}`);
      noCors(a, method);
    }
    // Allowed through the checks, but nothing takes writes yet.
    const a = await ask(port, "/", { method: "POST", headers: { cookie, origin: own } });
    assert.equal(a.status, 405);
    const preflight = await ask(port, "/events", {
      method: "OPTIONS",
      headers: { origin: "http://evil.example.com", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 403);
    noCors(preflight, "OPTIONS");
  });

  test("/events: the history first, then each new event; never the sandbox key or the inspector's token", async (t) => {
    const { port, cookie, feed } = await started(t, [
      { type: "state", stage: "receiver_started", local_url: "http://127.0.0.1:1/hook/abc" },
      READY,
      delivery(1),
    ]);
    const stream = await openEvents(port, cookie);
    t.after(() => stream.close());
    await stream.until((es) => es.length >= 3, "the history");
    assert.deepEqual(
      stream.events.map((e) => e.type),
      ["state", "ready", "event"],
    );
    const ready = stream.events[1] as Record<string, unknown>;
    assert.equal(ready.webhook_id, 42);
    assert.equal(ready.sandbox_url, READY.sandbox_url);
    assert.ok(!("sandbox_api_key" in ready));
    assert.ok(!("inspector_url" in ready));

    feed.push(delivery(2, { common_name: XSS }));
    feed.push(READY);
    const live = await stream.until(
      (es) => es.find((e) => (e.data as { order_id?: number } | undefined)?.order_id === 2),
      "the live event",
    );
    assert.equal((live.data as { common_name: string }).common_name, XSS, "the payload is data, as sent");
    await stream.until((es) => es.length >= 5, "the second ready");
    await stream.until(() => stream.raw().includes(": heartbeat\n\n"), "a heartbeat");
    assert.ok(!stream.raw().includes("SANDBOX-KEY"), "the sandbox key never reaches the page");
    assert.ok(!stream.raw().includes("must-not-reach-the-page"));
    assert.equal(stream.raw().match(/^data: /gm)?.length, 5);
    assert.ok(stream.raw().includes(JSON.stringify(XSS).slice(1, -1)), "the payload only inside JSON");
  });

  test("the page's scripts build the page with textContent only: markup in an event stays text", () => {
    const scripts = readdirSync(WEB).filter((name) => name.endsWith(".js"));
    assert.ok(scripts.length >= 2, scripts.join());
    const all = scripts.map((name) => readFileSync(new URL(name, WEB), "utf8")).join("\n");
    assert.doesNotMatch(all, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    assert.match(all, /textContent/);
    assert.match(all, /new EventSource\("\/events"\)/);
  });

  test("close() ends open streams and frees the port", async (t) => {
    const { port, cookie, inspector } = await started(t);
    const stream = await openEvents(port, cookie);
    await inspector.close();
    await assert.rejects(ask(port, "/", { headers: { cookie } }));
    stream.close();
  });
});
