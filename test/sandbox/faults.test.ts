// Fault injection, the rate limit, the endpoint probe and the DELETE switch.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RecordedRequest } from "../../src/sandbox/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { startLoopback } from "../helpers/loopback.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

function errCode(res: { json: unknown }): string {
  return (res.json as { errors: { code: string }[] }).errors[0].code;
}

test("faults: 429 with Retry-After, 503 in DigiCert's envelope, custom body, then normal answers", async (t) => {
  const sb = await withSandbox(t);
  sb.inject(
    "GET /webhook",
    { status: 429, retryAfter: "2" },
    { status: 503 },
    { status: 500, body: "<html>oops</html>" },
  );
  assert.equal(sb.pendingFaults().length, 3);
  const a = await call(sb, "GET", "/webhook");
  assert.equal(a.status, 429);
  assert.equal(a.headers["retry-after"], "2");
  assert.deepEqual(a.json, {
    errors: [{ code: "request_limit_exceeded", message: "Service unavailable, please limit request volume" }],
  });
  const b = await call(sb, "GET", "/webhook");
  assert.equal(b.status, 503);
  assert.equal(errCode(b), "internal_error");
  const c = await call(sb, "GET", "/webhook");
  assert.equal(c.status, 500);
  assert.equal(c.text, "<html>oops</html>");
  assert.equal(errCode(await call(sb, "GET", "/webhook")), "webhook_invalid_account", "faults used up");
  assert.deepEqual(sb.pendingFaults(), []);
  assert.deepEqual(
    sb.requests.map((r) => r.status),
    [429, 503, 500, 400],
  );
});

test("faults are per route; route names accept {webhook_id}, :id and literal ids", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  const id = (
    (await call(sb, "POST", "/webhook", { endpoint: "https://hooks.example.com/x" })).json as {
      webhook_id: number;
    }
  ).webhook_id;
  sb.inject("put /webhook/{webhook_id}/activate", { status: 502 });
  sb.inject(`PUT /services/v2/webhook/${id}/deactivate`, { status: 503 });
  assert.deepEqual(
    sb.pendingFaults().map((f) => f.route),
    ["PUT /webhook/:id/activate", "PUT /webhook/:id/deactivate"],
  );
  assert.equal((await call(sb, "GET", "/webhook")).status, 200, "other routes unaffected");
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 502);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/deactivate`)).status, 503);
  assert.throws(() => sb.inject("GET /nothing", { status: 500 }), /Unknown sandbox route/);
});

test("fault: delay, then the normal answer", async (t) => {
  const sb = await withSandbox(t);
  sb.inject("GET /webhook", { delayMs: 150 });
  const started = Date.now();
  const res = await call(sb, "GET", "/webhook");
  assert.ok(Date.now() - started >= 140);
  assert.equal(errCode(res), "webhook_invalid_account");
});

test("fault: a call still held by a delay when the sandbox stops is dropped, not carried out later", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  sb.inject("POST /webhook", { delayMs: 400 });
  const pending = call(sb, "POST", "/webhook", { endpoint: "https://hooks.example.com/x" });
  const settled = pending.then(
    () => "answered",
    () => "dropped",
  );
  for (let i = 0; i < 100 && sb.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sb.requests.length, 1, "the create reached the sandbox");
  const started = performance.now();
  await sb.stop();
  assert.equal(await settled, "dropped");
  // Past the delay: a create carried out now would change the state (and a --state-file) after stop().
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(sb.webhook(), null, "no webhook was created after the sandbox stopped");
  assert.equal(sb.requests[0].status, null);
  assert.ok(performance.now() - started < 1000);
});

test("fault: a client that leaves during a delay: the call is still carried out, and reported as such once done", async (t) => {
  const reported: RecordedRequest[] = [];
  const sb = await withSandbox(t, { probe: { create: false }, onRequest: (r) => reported.push(r) });
  sb.inject("POST /webhook", { delayMs: 300 });
  const gone = fetch(`${sb.url}/webhook`, {
    method: "POST",
    headers: { "x-dc-devkey": sb.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ endpoint: "https://hooks.example.com/x", events: ["certificate_issued"] }),
    signal: AbortSignal.timeout(50),
  });
  await assert.rejects(gone);
  for (let i = 0; i < 200 && reported.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  // Reported once, with what was done (it used to be reported as dropped when the client left).
  assert.deepEqual(
    reported.map((r) => [r.route, r.status, r.clientGone]),
    [["POST /webhook", 201, true]],
  );
  assert.equal(sb.webhook()?.endpoint, "https://hooks.example.com/x");
});

test("fault: dropped connection, then a normal answer", async (t) => {
  const sb = await withSandbox(t);
  sb.inject("GET /webhook", { drop: true });
  await assert.rejects(call(sb, "GET", "/webhook"));
  assert.equal(sb.requests[0].status, null);
  assert.equal((await call(sb, "GET", "/webhook")).status, 400);
});

test("fault: redirect answers 302 with Location; the target receives nothing when not followed", async (t) => {
  const sb = await withSandbox(t);
  const target = await startLoopback(undefined, t);
  const location = `${target.origin}/services/v2/webhook`;
  sb.inject("GET /webhook", { redirect: location });
  const res = await call(sb, "GET", "/webhook");
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, location);
  assert.equal(target.requests.length, 0);
});

test("rate limit: 100 per 5 s per key, then 429 without Retry-After; the window rolls", async (t) => {
  const clock = new ManualClock();
  const sb = await withSandbox(t, { clock });
  for (let i = 0; i < 100; i++) assert.equal((await call(sb, "GET", "/webhook")).status, 400);
  const limited = await call(sb, "GET", "/webhook");
  assert.equal(limited.status, 429);
  assert.equal(limited.headers["retry-after"], undefined);
  assert.deepEqual(limited.json, {
    errors: [{ code: "request_limit_exceeded", message: "Service unavailable, please limit request volume" }],
  });
  clock.advance(5000);
  assert.equal((await call(sb, "GET", "/webhook")).status, 400, "allowed again after the window");
});

test("rate limit: custom burst and window, long window option, switchable off", async (t) => {
  const clock = new ManualClock();
  const small = await withSandbox(t, { clock, rateLimit: { burst: 2, windowMs: 1000 } });
  assert.equal((await call(small, "GET", "/webhook")).status, 400);
  assert.equal((await call(small, "GET", "/webhook")).status, 400);
  assert.equal((await call(small, "GET", "/webhook")).status, 429);
  clock.advance(1000);
  assert.equal((await call(small, "GET", "/webhook")).status, 400);

  const long = await withSandbox(t, { clock, rateLimit: { burst: 1000, longWindow: true } });
  for (let i = 0; i < 1000; i++) {
    if (i % 100 === 0) clock.advance(5000);
    assert.equal((await call(long, "GET", "/webhook")).status, 400);
  }
  clock.advance(5000);
  assert.equal((await call(long, "GET", "/webhook")).status, 429, "1000 per 3 minutes");
  clock.advance(3 * 60 * 1000);
  assert.equal((await call(long, "GET", "/webhook")).status, 400);

  const off = await withSandbox(t, { clock, rateLimit: false });
  for (let i = 0; i < 120; i++) assert.equal((await call(off, "GET", "/webhook")).status, 400);
});

test("probe: non-2xx, timeout or unreachable endpoint → 400 webhook_endpoint_error on create, update, test", async (t) => {
  const sb = await withSandbox(t, { probe: { timeoutMs: 300 } });
  const rx = await startReceiver(t);
  rx.script.push(500, "hang");
  for (let i = 0; i < 2; i++) {
    const res = await call(sb, "POST", "/webhook", { endpoint: rx.url });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, {
      errors: [
        {
          code: "webhook_endpoint_error",
          message: "The provided endpoint is not responding or accepting requests.",
        },
      ],
    });
  }
  assert.equal(sb.webhook(), null);
  const closed = await startReceiver();
  await closed.close();
  assert.equal(
    errCode(await call(sb, "POST", "/webhook", { endpoint: closed.url })),
    "webhook_endpoint_error",
  );
  assert.equal(
    errCode(await call(sb, "POST", "/webhook/test-endpoint", { endpoint: closed.url })),
    "webhook_endpoint_error",
  );

  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}`, { endpoint: closed.url })),
    "webhook_endpoint_error",
  );
  assert.equal(sb.webhook()?.endpoint, rx.url, "a failed update changes nothing");
  assert.deepEqual(
    sb.deliveries.map((d) => [d.kind, d.ok]),
    [
      ["probe", false],
      ["probe", false],
      ["probe", false],
      ["test", false],
      ["probe", true],
      ["probe", false],
    ],
  );
  assert.equal(sb.deliveries[1].error, "timeout");
});

test("probe switches: create/update/test without probing; send-challenge never probes and logs a failed delivery", async (t) => {
  const sb = await withSandbox(t, {
    probe: { create: false, update: false, test: false },
    deliveryTimeoutMs: 300,
  });
  const rx = await startReceiver(t);
  rx.script.push(503, 503, 503);
  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  assert.equal(rx.received.length, 0, "no probe on create");
  assert.equal((await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url })).status, 204);
  assert.equal(rx.received.length, 0, "no probe on update");
  assert.equal(
    (await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url })).status,
    200,
    "delivered, not judged",
  );
  assert.equal((await call(sb, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  rx.script.length = 0;
  rx.script.push("hang");
  assert.equal((await call(sb, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  const logs = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
    events: Record<string, unknown>[];
  };
  assert.deepEqual(
    logs.events.map((e) => [e.event_name, e.request_status, e.response_code]),
    [
      ["test_webhook_endpoint", "failed", 503],
      ["challenge_webhook_endpoint", "failed", 503],
      ["challenge_webhook_endpoint", "failed", undefined],
    ],
  );
  assert.equal("response_received_time" in logs.events[2], false, "no answer → no response time");
});

test("DELETE extension: 204 then no webhook; switched off → 404 not_found|route", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  const id = (
    (await call(sb, "POST", "/webhook", { endpoint: "https://hooks.example.com/x" })).json as {
      webhook_id: number;
    }
  ).webhook_id;
  assert.equal((await call(sb, "DELETE", `/webhook/${id}`)).status, 204);
  assert.equal(errCode(await call(sb, "GET", "/webhook")), "webhook_invalid_account");
  const again = await call(sb, "POST", "/webhook", { endpoint: "https://hooks.example.com/x" });
  assert.equal(again.status, 201, "a new webhook can be created after delete");
  assert.notEqual((again.json as { webhook_id: number }).webhook_id, id);

  const off = await withSandbox(t, { probe: { create: false }, deleteExtension: false });
  const id2 = (
    (await call(off, "POST", "/webhook", { endpoint: "https://hooks.example.com/x" })).json as {
      webhook_id: number;
    }
  ).webhook_id;
  const res = await call(off, "DELETE", `/webhook/${id2}`);
  assert.equal(res.status, 404);
  assert.equal(errCode(res), "not_found|route");
  assert.equal(off.webhook()?.id, id2);
  assert.deepEqual(off.unknownRoutes(), [], "an expected DELETE is not a client mistake");
});
