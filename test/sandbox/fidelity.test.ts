// The sandbox against the spec where a tester found it lax (report-sandbox items 3 and 6–10, report-lib
// item 11): secrets, oversized and XML bodies, fault validation, handshake-old-key, error codes for
// well-formed JSON, 204 heads, event-log paging, settings normalisation and the state file.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startSandbox } from "../../src/sandbox/index.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

function errCode(res: { json: unknown }): string {
  return (res.json as { errors: { code: string }[] }).errors[0].code;
}

function errMessage(res: { json: unknown }): string {
  return (res.json as { errors: { message: string }[] }).errors[0].message;
}

async function createHook(sb: Parameters<typeof call>[0], body: Record<string, unknown>): Promise<number> {
  const res = await call(sb, "POST", "/webhook", body);
  assert.equal(res.status, 201, res.text);
  return (res.json as { webhook_id: number }).webhook_id;
}

test("secrets follow the CLI's rule: non-ASCII, control characters and whitespace → webhook_invalid_secret, nothing sent", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const refused = [
    "😀".repeat(16), // 32 UTF-16 units, 16 characters
    "€".repeat(32), // cannot travel in a header as is
    "é".repeat(32), // travels, but as bytes a receiver reads differently
    "a\nb".repeat(11),
    ` ${"a".repeat(32)}`, // HTTP strips it: never matches
    "a".repeat(31),
  ];
  for (const secret of refused) {
    for (const [method, path] of [
      ["POST", "/webhook"],
      ["POST", "/webhook/test-endpoint"],
    ] as const) {
      const res = await call(sb, method, path, { endpoint: rx.url, secret });
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(secret)}`);
      assert.equal(errCode(res), "webhook_invalid_secret", JSON.stringify(secret));
      assert.equal(errMessage(res).includes(secret), false, "the message never quotes the secret");
    }
  }
  assert.equal(rx.received.length, 0, "no probe for a refused secret");
  const id = await createHook(sb, { endpoint: rx.url, secret: "s".repeat(40) });
  const update = await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, secret: "€".repeat(32) });
  assert.equal(errCode(update), "webhook_invalid_secret");
  assert.equal(sb.webhook()?.secret, "s".repeat(40), "kept");
});

test("a body over the limit gets 413 in the errors envelope (read, not reset); the connection is usable after it", async (t) => {
  const sb = await withSandbox(t);
  const big = JSON.stringify({ endpoint: "http://127.0.0.1:9/a", x: "a".repeat(1_100_000) });
  const res = await call(sb, "POST", "/webhook/test-endpoint", big);
  assert.equal(res.status, 413);
  assert.equal(errCode(res), "request_too_large");
  assert.equal(sb.requests.at(-1)?.status, 413);
  const admin = await fetch(`${sb.origin}/sandbox/v1/emit`, {
    method: "POST",
    headers: { "X-DC-DEVKEY": sb.apiKey, "Content-Type": "application/json" },
    body: big,
  });
  assert.equal(admin.status, 413, "admin routes too");
  assert.equal(((await admin.json()) as { errors: { code: string }[] }).errors[0].code, "request_too_large");
  assert.equal(errCode(await call(sb, "GET", "/webhook")), "webhook_invalid_account", "still serving");
});

test("POST /sandbox/v1/faults refuses malformed faults with 400 and queues none; the log names an injected fault", async (t) => {
  const seen: string[] = [];
  const sb = await withSandbox(t);
  const post = (body: unknown) =>
    fetch(`${sb.origin}/sandbox/v1/faults`, {
      method: "POST",
      headers: { "X-DC-DEVKEY": sb.apiKey, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  for (const [faults, why] of [
    [[{ status: 99 }], /status must be an integer from 200 to 599/],
    [[{ status: 100 }], /status must be an integer from 200 to 599/],
    [[{ status: "503" }], /status must be an integer/],
    [[{}], /names no kind/],
    [[{ statsu: 503 }], /names no kind/],
    [[{ status: 503, drop: true }], /mixes status and drop/],
    [[{ status: 503, retry: "2" }], /unknown field "retry"/],
    [[{ delayMs: -1 }], /delayMs must be/],
    [[{ drop: false }], /drop must be true/],
    [[{ redirect: "not a url" }], /redirect must be an absolute http:\/\/ or https:\/\/ URL/],
    [[{ status: 503 }, "x"], /fault 2: not an object/],
    ["nope", /faults must be a non-empty list/],
    [[], /faults must be a non-empty list/],
  ] as const) {
    const res = await post({ route: "GET /webhook", faults });
    assert.equal(res.status, 400, JSON.stringify(faults));
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0].code, "bad_request_format");
    assert.match(body.errors[0].message, why);
  }
  assert.deepEqual(sb.pendingFaults(), [], "nothing queued, not even the good fault before a bad one");
  assert.throws(() => sb.inject("GET /webhook", { status: 42 }), /status must be an integer from 200 to 599/);

  assert.equal((await post({ route: "GET /webhook", faults: [{ status: 503 }] })).status, 204);
  const sb2 = await startSandbox({ onRequest: (r) => seen.push(`${r.status} ${r.fault ?? "-"}`) });
  t.after(() => sb2.stop());
  sb2.inject("GET /webhook", { status: 502 });
  assert.equal((await call(sb2, "GET", "/webhook")).status, 502);
  assert.equal((await call(sb, "GET", "/webhook")).status, 503);
  await waitFor(() => seen.length === 1);
  assert.deepEqual(seen, ["502 status 502"]);
  assert.equal(sb.requests.at(-1)?.fault, "status 503");
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), "condition not met within a second");
}

test("faults are not used up by calls without the API key: the key check comes first", async (t) => {
  const sb = await withSandbox(t);
  sb.inject("GET /webhook", { status: 503 });
  const stranger = await fetch(`${sb.url}/webhook`);
  assert.equal(stranger.status, 401);
  assert.equal(sb.pendingFaults().length, 1, "still queued for the caller with the key");
  assert.equal((await call(sb, "GET", "/webhook")).status, 503);
});

test("handshake-old-key: the previous secret goes to the webhook's own endpoint only, never to another URL", async (t) => {
  const own = await startReceiver(t, "/own");
  const other = await startReceiver(t, "/other");
  const sb = await withSandbox(t, { quirks: ["handshake-old-key"] });
  const s1 = "a".repeat(36);
  const s2 = "b".repeat(40);
  const id = await createHook(sb, { endpoint: own.url, secret: s1 });
  assert.equal((await call(sb, "PUT", `/webhook/${id}`, { endpoint: own.url, secret: s2 })).status, 204);
  assert.equal(
    (await call(sb, "POST", "/webhook/test-endpoint", { endpoint: other.url, secret: s2 })).status,
    200,
  );
  assert.equal(other.received.at(-1)?.headers["x-webhook-key"], s2, "the request's own secret");
  assert.equal(
    (await call(sb, "POST", "/webhook/test-endpoint", { endpoint: own.url, secret: s2 })).status,
    200,
  );
  assert.equal(
    own.received.at(-1)?.headers["x-webhook-key"],
    s1,
    "the quirk still applies to its own endpoint",
  );
});

test("well-formed JSON of the wrong shape gets the field's code, not bad_request_format; XML is said to be unsupported", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await createHook(sb, { endpoint: rx.url });
  const events = await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, events: "certificate_issued" });
  assert.equal(errCode(events), "webhook_invalid_events");
  const empty = await call(sb, "PUT", `/webhook/${id}`, {
    endpoint: rx.url,
    events: ["certificate_issued", ""],
  });
  assert.equal(errCode(empty), "webhook_invalid_events");
  const settings = await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, webhook_settings: [] });
  assert.equal(errCode(settings), "webhook_invalid_settings");
  const token = await call(sb, "PUT", `/webhook/${id}/check-challenge`, '"sometoken"');
  assert.equal(errCode(token), "webhook_invalid_token");
  assert.equal(errCode(await call(sb, "POST", "/webhook/test-endpoint", "42")), "webhook_invalid_endpoint");
  const broken = await call(sb, "POST", "/webhook/test-endpoint", '{"endpoint":');
  assert.equal(errCode(broken), "bad_request_format");

  const xml = await call(
    sb,
    "POST",
    "/webhook/test-endpoint",
    `<webhook><endpoint>${rx.url}</endpoint></webhook>`,
    {
      "Content-Type": "application/xml",
    },
  );
  assert.equal(xml.status, 415);
  assert.equal(errCode(xml), "unsupported_media_type");
  assert.match(errMessage(xml), /accepts JSON bodies only/);
  assert.doesNotMatch(errMessage(xml), /not valid/);
  assert.deepEqual(sb.webhook()?.events, ["certificate_issued"], "nothing changed");
});

function rawHead(url: string, method: string, apiKey: string): Promise<{ status: number; raw: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "X-DC-DEVKEY": apiKey }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("204 answers carry no Content-Length (RFC 9110 §8.6); HEAD is answered like GET", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await createHook(sb, { endpoint: rx.url });
  const answer = await rawHead(`${sb.url}/webhook/${id}/send-challenge`, "PUT", sb.apiKey);
  assert.equal(answer.status, 204);
  assert.equal(
    answer.raw.some((h) => h.toLowerCase() === "content-length"),
    false,
    answer.raw.join(" "),
  );
  const head = await rawHead(`${sb.url}/webhook`, "HEAD", sb.apiKey);
  assert.equal(head.status, 200);
});

test("event-log paging: limit 0, negative or non-numeric values → 400; what the CLI sends is served", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await createHook(sb, { endpoint: rx.url });
  for (const query of ["limit=0", "limit=-1", "limit=abc", "limit=", "offset=-5", "offset=1.5", "offset=x"]) {
    const res = await call(sb, "GET", `/webhook/${id}/event-logs?${query}`);
    assert.equal(res.status, 400, query);
    assert.match(errCode(res), /^invalid_parameter\|(limit|offset)$/, query);
    assert.match(errMessage(res), /must be a whole number/, query);
  }
  for (const query of ["limit=1", "limit=1000&offset=0", `offset=${Number.MAX_SAFE_INTEGER}`, "limit=5000"]) {
    const res = await call(sb, "GET", `/webhook/${id}/event-logs?${query}`);
    assert.equal(res.status, 200, query);
  }
  const clamped = (await call(sb, "GET", `/webhook/${id}/event-logs?limit=5000`)).json as {
    page: { limit: number };
  };
  assert.equal(clamped.page.limit, 1000, "above the maximum is clamped (spec §17 #24)");
});

test("duplicate frequency days are stored once, in the order first given", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  await createHook(sb, {
    endpoint: rx.url,
    webhook_settings: { webhook_notification_frequency: [90, 90, -7, 30, -7] },
  });
  assert.deepEqual(sb.webhook()?.webhook_settings.webhook_notification_frequency, [90, -7, 30]);
});

test("the state file loader refuses an endpoint or setting value the API would never store, and fills missing settings", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "certwh-sb-state-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const settings = {
    instant_issue_webhook_notification: "0",
    webhook_notification_frequency: [90],
    webhook_send_certificate_chain: "0",
    webhook_send_instant_issued_certificate_chain: "0",
  };
  const hook = (over: Record<string, unknown>) => ({
    nextId: 6,
    logs: [],
    webhook: {
      id: 5,
      endpoint: "https://hooks.example.com/a",
      events: [],
      status: "active",
      webhook_settings: settings,
      tokens: [],
      ...over,
    },
  });
  for (const [over, why] of [
    [{ endpoint: "x" }, /webhook\.endpoint/],
    [{ endpoint: "http://example.com/a" }, /webhook\.endpoint/],
    [{ webhook_settings: { ...settings, webhook_notification_frequency: [5] } }, /webhook\.webhook_settings/],
    [
      { webhook_settings: { ...settings, webhook_send_certificate_chain: "yes" } },
      /webhook\.webhook_settings/,
    ],
  ] as const) {
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify(hook(over)));
    // A sandbox that starts after all is stopped, so the failure is reported instead of keeping the run open.
    const started = startSandbox({ stateFile: file });
    started.then((sb) => sb.stop()).catch(() => undefined);
    await assert.rejects(started, why, JSON.stringify(over));
  }
  const good = join(dir, "good.json");
  writeFileSync(good, JSON.stringify(hook({})));
  const sb = await startSandbox({ stateFile: good });
  await sb.stop();
  // A missing setting is normalised to its default, so GET /webhook shows every setting.
  writeFileSync(good, JSON.stringify(hook({ webhook_settings: { webhook_send_certificate_chain: "1" } })));
  const filled = await startSandbox({ stateFile: good });
  t.after(() => filled.stop());
  assert.deepEqual(filled.webhook()?.webhook_settings, {
    ...settings,
    webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
    webhook_send_certificate_chain: "1",
  });
});
