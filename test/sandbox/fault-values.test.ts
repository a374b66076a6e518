// Injected faults whose values could not travel as given are refused at injection (400, nothing queued);
// a redirect is sent percent-encoded; the sandbox's record says what the client got.
import assert from "node:assert/strict";
import { test } from "node:test";
import { call, withSandbox } from "../helpers/sandbox.js";

/** The sandbox's admin routes live beside /services/v2, under its origin. */
function admin(sb: { url: string; apiKey: string }) {
  return { url: new URL(sb.url).origin, apiKey: sb.apiKey };
}

function errMessage(res: { json: unknown }): string {
  return (res.json as { errors: { code: string; message: string }[] }).errors[0].message;
}

test("fault retryAfter: CR/LF, controls or a non-date are refused with 400; seconds and HTTP dates are sent", async (t) => {
  const sb = await withSandbox(t);
  const inject = (faults: unknown[]) =>
    call(admin(sb), "POST", "/sandbox/v1/faults", { route: "GET /webhook", faults });
  for (const bad of [
    "1\r\nX-Evil: 1",
    "1\n",
    "5\u0000",
    "",
    " 5",
    "-1",
    "1.5",
    "soon",
    "Mon, 32 Foo 2026 00:00:00 GMT",
  ]) {
    const res = await inject([{ status: 503 }, { status: 503, retryAfter: bad }]);
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match(errMessage(res), /fault 2: retryAfter must be a Retry-After value/);
    assert.deepEqual(sb.pendingFaults(), [], `nothing queued for ${JSON.stringify(bad)}`);
  }
  const date = "Wed, 21 Oct 2026 07:28:00 GMT";
  assert.equal(
    (
      await inject([
        { status: 503, retryAfter: "120" },
        { status: 429, retryAfter: date },
      ])
    ).status,
    204,
  );
  const a = await call(sb, "GET", "/webhook");
  const b = await call(sb, "GET", "/webhook");
  assert.deepEqual([a.status, a.headers["retry-after"]], [503, "120"]);
  assert.deepEqual([b.status, b.headers["retry-after"]], [429, date]);
  assert.deepEqual(
    sb.requests.map((r) => r.status),
    [503, 429],
    "the record holds the statuses the client got",
  );
});

test("fault redirect: only absolute http(s) URLs; Location is the percent-encoded href", async (t) => {
  const sb = await withSandbox(t);
  const inject = (faults: unknown[]) =>
    call(admin(sb), "POST", "/sandbox/v1/faults", { route: "GET /webhook", faults });
  for (const bad of ["/services/v2/webhook", "ftp://127.0.0.1/x", "javascript:alert(1)", "http://"]) {
    const res = await inject([{ redirect: bad }]);
    assert.equal(res.status, 400, bad);
    assert.match(errMessage(res), /redirect must be an absolute http:\/\/ or https:\/\/ URL/);
  }
  assert.deepEqual(sb.pendingFaults(), []);
  assert.equal((await inject([{ redirect: "http://ä.example/ä b" }])).status, 204);
  const res = await call(sb, "GET", "/webhook");
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, "http://xn--4ca.example/%C3%A4%20b");
  assert.equal(sb.requests.at(-1)?.status, 302);
});
