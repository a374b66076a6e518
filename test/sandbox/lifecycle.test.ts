// The sandbox's API against the spec's examples (§4–§11) and its state machine (§14.3).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../src/util/clock.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

const SECRET = "s0123456789abcdef0123456789abcdef"; // 33 characters

const FULL_EVENTS = [
  "organization_revalidation_notice",
  "domain_expired",
  "domain_revalidation_notice",
  "certificate_revoked",
  "order_rejected",
  "organization_expired",
  "organization_validated",
  "domain_validated",
  "certificate_issued",
];

function errCode(res: { json: unknown }): string {
  return (res.json as { errors: { code: string }[] }).errors[0].code;
}

test("create → list shows the spec's §5.2 shape, pending, with settings normalised", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const created = await call(sb, "POST", "/webhook", {
    endpoint: rx.url,
    secret: SECRET,
    events: FULL_EVENTS,
    webhook_settings: {
      instant_issue_webhook_notification: "1",
      webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
      webhook_send_certificate_chain: true,
      webhook_send_instant_issued_certificate_chain: 1,
    },
  });
  assert.equal(created.status, 201);
  const id = (created.json as { webhook_id: number }).webhook_id;
  assert.equal(typeof id, "number");
  assert.deepEqual(Object.keys(created.json as object), ["webhook_id"]);

  const list = await call(sb, "GET", "/webhook");
  assert.equal(list.status, 200);
  assert.deepEqual(list.json, {
    webhooks: [
      {
        id,
        endpoint: rx.url,
        secret: SECRET,
        events: FULL_EVENTS,
        status: "pending",
        webhook_settings: {
          instant_issue_webhook_notification: "1",
          webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
          webhook_send_certificate_chain: "1",
          webhook_send_instant_issued_certificate_chain: "1",
        },
      },
    ],
  });
  // The create probe reached the endpoint with the secret, and is not in the event log.
  assert.equal(rx.received.length, 1);
  assert.deepEqual(rx.received[0].json, { event: "test_webhook_endpoint" });
  assert.equal(rx.received[0].headers["x-webhook-key"], SECRET);
  const logs = await call(sb, "GET", `/webhook/${id}/event-logs`);
  assert.deepEqual(logs.json, { events: [], page: { total: 0, limit: 1000, offset: 0 } });
});

test('create defaults: events [certificate_issued], frequency [90,60,30,7,0,-7], flags "0", no secret field', async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  await call(sb, "POST", "/webhook", { endpoint: rx.url });
  const hook = ((await call(sb, "GET", "/webhook")).json as { webhooks: Record<string, unknown>[] })
    .webhooks[0];
  assert.deepEqual(hook.events, ["certificate_issued"]);
  assert.equal("secret" in hook, false);
  assert.deepEqual(hook.webhook_settings, {
    instant_issue_webhook_notification: "0",
    webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
    webhook_send_certificate_chain: "0",
    webhook_send_instant_issued_certificate_chain: "0",
  });
  assert.equal(rx.received[0].headers["x-webhook-key"], undefined);
});

test("full flow: test → send-challenge → check-challenge → activate → event → deactivate → reactivate", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const id = (
    (await call(sb, "POST", "/webhook", { endpoint: rx.url, secret: SECRET })).json as { webhook_id: number }
  ).webhook_id;

  const tested = await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
  assert.equal(tested.status, 200);
  assert.equal(tested.text, "");
  assert.equal(
    rx.received[1].headers["x-webhook-key"],
    undefined,
    "no secret in the test request → no header",
  );
  await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url, secret: SECRET });
  assert.equal(rx.received[2].headers["x-webhook-key"], SECRET);

  // Not verified yet: activate refused, deactivate from pending refused.
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/deactivate`)), "webhook_invalid_action");

  const sent = await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  assert.equal(sent.status, 204);
  assert.equal(sent.text, "");
  const challenge = rx.received[3];
  const body = challenge.json as { event: string; data: { token: string; webhook_id: number } };
  assert.equal(body.event, "challenge_webhook_endpoint");
  assert.equal(body.data.webhook_id, id);
  assert.match(body.data.token, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(challenge.headers["x-webhook-key"], SECRET);
  assert.equal(challenge.headers["content-type"], "application/json");
  assert.match(String(challenge.headers["user-agent"]), /^certwh-sandbox\/\d+\.\d+\.\d+/);

  assert.equal(
    (await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: body.data.token })).status,
    204,
  );
  assert.equal(sb.webhook()?.verified, true);
  assert.equal(sb.webhook()?.status, "pending", "verification alone does not activate");
  // Single use.
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: body.data.token })),
    "webhook_invalid_token",
  );

  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  assert.equal(sb.webhook()?.status, "active");
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204, "already active → no-op 204");

  const d = await sb.emit("certificate_issued", { order_id: 1, certificate_id: 2 });
  assert.equal(d?.status, 200);
  assert.deepEqual(rx.received[4].json, {
    event: "certificate_issued",
    data: { order_id: 1, certificate_id: 2 },
  });
  assert.equal(rx.received[4].headers["x-webhook-key"], SECRET);
  assert.equal(await sb.emit("certificate_revoked"), null, "not subscribed");

  assert.equal((await call(sb, "PUT", `/webhook/${id}/deactivate`)).status, 204);
  assert.equal(sb.webhook()?.status, "inactive");
  assert.equal((await call(sb, "PUT", `/webhook/${id}/deactivate`)).status, 204, "inactive → no-op 204");
  assert.equal(await sb.emit("certificate_issued"), null, "inactive → nothing sent");
  assert.equal(
    (await call(sb, "PUT", `/webhook/${id}/activate`)).status,
    204,
    "reactivation needs no new challenge",
  );
  assert.equal(sb.webhook()?.status, "active");

  const logs = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
    events: Record<string, unknown>[];
    page: unknown;
  };
  assert.deepEqual(
    logs.events.map((e) => e.event_name),
    ["test_webhook_endpoint", "test_webhook_endpoint", "challenge_webhook_endpoint", "certificate_issued"],
  );
  const [, , ch, issued] = logs.events;
  assert.equal("event_info" in ch, false, "the log never shows the token");
  assert.equal(ch.request_status, "success");
  assert.equal(ch.response_code, 200);
  assert.match(String(ch.request_sent_time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.match(String(ch.response_received_time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.deepEqual(issued.event_info, { order_id: 1, certificate_id: 2 });
  assert.deepEqual(logs.page, { total: 4, limit: 1000, offset: 0 });
});

test("one webhook per account; unknown ids → 404 not_found|webhook on every id route", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  const again = await call(sb, "POST", "/webhook", { endpoint: rx.url });
  assert.equal(again.status, 400);
  assert.deepEqual(again.json, {
    errors: [
      { code: "webhook_configured_already", message: "A webhook already exists in the CertCentral account." },
    ],
  });
  const other = id + 1;
  for (const [method, path, body] of [
    ["PUT", `/webhook/${other}`, { endpoint: rx.url }],
    ["PUT", `/webhook/${other}/send-challenge`, undefined],
    ["PUT", `/webhook/${other}/check-challenge`, { token: "x" }],
    ["PUT", `/webhook/${other}/activate`, undefined],
    ["PUT", `/webhook/${other}/deactivate`, undefined],
    ["GET", `/webhook/${other}/event-logs`, undefined],
    ["DELETE", `/webhook/${other}`, undefined],
  ] as const) {
    const res = await call(sb, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.deepEqual(res.json, {
      errors: [{ code: "not_found|webhook", message: "A webhook with the given ID does not exist." }],
    });
  }
});

test("no webhook: list → 400 webhook_invalid_account; older ID-less event-logs path too", async (t) => {
  const sb = await withSandbox(t);
  const list = await call(sb, "GET", "/webhook");
  assert.equal(list.status, 400);
  assert.deepEqual(list.json, {
    errors: [{ code: "webhook_invalid_account", message: "No webhook exists for the account." }],
  });
  assert.equal(errCode(await call(sb, "GET", "/webhook/event-logs")), "webhook_invalid_account");
});

test("update: endpoint change → pending, unverified, old token void; unchanged endpoint keeps state", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const rx2 = await startReceiver(t, "/new");
  const id = (
    (await call(sb, "POST", "/webhook", { endpoint: rx.url, secret: SECRET })).json as { webhook_id: number }
  ).webhook_id;
  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  const token = (rx.received[1].json as { data: { token: string } }).data.token;
  await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token });
  await call(sb, "PUT", `/webhook/${id}/activate`);

  // Same endpoint, new events and settings: status kept, events replaced, settings merged, secret kept.
  const same = await call(sb, "PUT", `/webhook/${id}`, {
    endpoint: rx.url,
    events: ["certificate_issued", "certificate_revoked"],
    webhook_settings: { webhook_send_certificate_chain: "1" },
  });
  assert.equal(same.status, 204);
  let hook = sb.webhook()!;
  assert.equal(hook.status, "active");
  assert.deepEqual(hook.events, ["certificate_issued", "certificate_revoked"]);
  assert.equal(hook.webhook_settings.webhook_send_certificate_chain, "1");
  assert.equal(hook.webhook_settings.instant_issue_webhook_notification, "0");
  assert.equal(hook.secret, SECRET);

  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  const pendingToken = (rx.received.at(-1)!.json as { data: { token: string } }).data.token;
  const moved = await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx2.url, secret: "" });
  assert.equal(moved.status, 204);
  hook = sb.webhook()!;
  assert.equal(hook.status, "pending");
  assert.equal(hook.verified, false);
  assert.equal(hook.secret, undefined, '"" removes the secret');
  assert.equal(
    rx2.received[0].headers["x-webhook-key"],
    undefined,
    "update probe uses the new (absent) secret",
  );
  assert.equal(await sb.emit("certificate_issued"), null, "no events until re-activated");
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: pendingToken })),
    "webhook_invalid_token",
  );
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
});

test("validation errors: endpoint, secret, bad JSON, missing token", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  for (const endpoint of [undefined, "", "http://example.com/hook", "ftp://127.0.0.1/x", "not a url", 42]) {
    const res = await call(sb, "POST", "/webhook", { endpoint });
    assert.equal(res.status, 400, String(endpoint));
    assert.equal(errCode(res), "webhook_invalid_endpoint");
    assert.equal(
      errCode(await call(sb, "POST", "/webhook/test-endpoint", { endpoint })),
      "webhook_invalid_endpoint",
    );
  }
  assert.equal(
    errCode(await call(sb, "POST", "/webhook", { endpoint: rx.url, secret: "short" })),
    "webhook_invalid_secret",
  );
  assert.equal(
    errCode(await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url, secret: "x".repeat(31) })),
    "webhook_invalid_secret",
  );
  const bad = await call(sb, "POST", "/webhook", '{"endpoint": ');
  assert.equal(bad.status, 400);
  assert.equal(errCode(bad), "bad_request_format");
  // Valid JSON that is not an object has no endpoint (bad_request_format is for a body that does not parse).
  assert.equal(errCode(await call(sb, "POST", "/webhook", "[1,2]")), "webhook_invalid_endpoint");
  assert.equal(
    errCode(
      await call(sb, "POST", "/webhook", {
        endpoint: rx.url,
        webhook_settings: { webhook_send_certificate_chain: "yes" },
      }),
    ),
    "webhook_invalid_settings",
  );
  assert.equal(rx.received.length, 0, "nothing is probed for an invalid request");

  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`)), "webhook_invalid_token");
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: 5 })),
    "webhook_invalid_token",
  );
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}`, {})),
    "webhook_invalid_endpoint",
    "update needs endpoint",
  );
});

test("webhook_settings: frequency outside {90,60,30,7,0,-7} and bad flag values → 400 webhook_invalid_settings, nothing stored", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const bad: Record<string, unknown>[] = [
    { webhook_notification_frequency: [90, 5] },
    { webhook_notification_frequency: [14] },
    { webhook_notification_frequency: [-1, 0] },
    { webhook_notification_frequency: [7.5] },
    { webhook_notification_frequency: ["7"] },
    { webhook_notification_frequency: [null] },
    { webhook_notification_frequency: 7 },
    { webhook_notification_frequency: "90,60" },
    { webhook_notification_frequency: null },
    { webhook_send_certificate_chain: "yes" },
    { webhook_send_instant_issued_certificate_chain: 2 },
    { instant_issue_webhook_notification: "" },
    { instant_issue_webhook_notification: null },
  ];
  for (const settings of bad) {
    const res = await call(sb, "POST", "/webhook", { endpoint: rx.url, webhook_settings: settings });
    assert.equal(res.status, 400, JSON.stringify(settings));
    const body = res.json as { errors: { code: string; message: string }[] };
    assert.equal(body.errors.length, 1);
    assert.equal(body.errors[0].code, "webhook_invalid_settings", JSON.stringify(settings));
    assert.match(body.errors[0].message, /webhook_settings\./);
  }
  assert.equal(sb.webhook(), null, "nothing was created");
  assert.equal(rx.received.length, 0, "nothing was probed");

  // Every documented day, in any order or subset (empty too), is accepted and stored as given.
  const created = await call(sb, "POST", "/webhook", {
    endpoint: rx.url,
    webhook_settings: { webhook_notification_frequency: [-7, 0, 7, 30, 60, 90] },
  });
  assert.equal(created.status, 201);
  const id = (created.json as { webhook_id: number }).webhook_id;
  assert.deepEqual(sb.webhook()?.webhook_settings.webhook_notification_frequency, [-7, 0, 7, 30, 60, 90]);
  const update = (settings: unknown) =>
    call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, webhook_settings: settings });
  const refused = await update({ webhook_notification_frequency: [90, 5] });
  assert.equal(refused.status, 400);
  assert.equal(errCode(refused), "webhook_invalid_settings");
  assert.deepEqual(
    sb.webhook()?.webhook_settings.webhook_notification_frequency,
    [-7, 0, 7, 30, 60, 90],
    "a refused update changes nothing",
  );
  assert.equal((await update({ webhook_notification_frequency: [] })).status, 204);
  assert.deepEqual(sb.webhook()?.webhook_settings.webhook_notification_frequency, []);
});

test("loopback http endpoints are accepted (127.0.0.0/8, localhost, [::1]); https anywhere", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  for (const endpoint of [
    "http://127.0.0.2:9/x",
    "http://localhost:9/x",
    "http://[::1]:9/x",
    "https://hooks.example.com/x",
  ]) {
    const res = await call(sb, "POST", "/webhook", { endpoint });
    assert.equal(res.status, 201, endpoint);
    const id = (res.json as { webhook_id: number }).webhook_id;
    assert.equal((await call(sb, "DELETE", `/webhook/${id}`)).status, 204);
  }
});

test("auth: missing or wrong X-DC-DEVKEY → 401 access_denied|invalid_api_key; permission switch → 403", async (t) => {
  const sb = await withSandbox(t);
  const noKey = await fetch(`${sb.url}/webhook`);
  assert.equal(noKey.status, 401);
  assert.deepEqual(await noKey.json(), {
    errors: [{ code: "access_denied|invalid_api_key", message: "Missing or invalid API key." }],
  });
  const wrong = await call({ url: sb.url, apiKey: `${sb.apiKey}x` }, "GET", "/webhook");
  assert.equal(wrong.status, 401);
  assert.equal(errCode(wrong), "access_denied|invalid_api_key");

  const forbidden = await withSandbox(t, { permission: "forbidden" });
  const res = await call(forbidden, "POST", "/webhook", { endpoint: "https://x.example/h" });
  assert.equal(res.status, 403);
  assert.equal(errCode(res), "access_denied|missing_permission");
});

test("unknown routes and GET /webhook/{id} → 404 not_found|route; a wrong method on a known path → 405 with Allow", async (t) => {
  const sb = await withSandbox(t);
  for (const [method, path, status, allow] of [
    ["GET", "/webhook/12345", 404, undefined],
    ["GET", "/orders", 404, undefined],
    ["PATCH", "/webhook/12345", 405, "PUT, DELETE"],
    ["GET", "/webhook/test-endpoint", 405, "POST"],
    ["POST", "/webhook/12345/activate", 405, "PUT"],
    ["DELETE", "/webhook", 405, "POST, GET, HEAD"],
  ] as const) {
    const res = await call(sb, method, path);
    assert.equal(res.status, status, `${method} ${path}`);
    assert.equal(errCode(res), status === 404 ? "not_found|route" : "method_not_allowed");
    assert.equal(res.headers.allow, allow, `${method} ${path}: Allow`);
  }
  sb.setQuirks(["no-delete-405"]);
  assert.equal((await call(sb, "PATCH", "/webhook/12345")).headers.allow, "PUT", "DELETE switched off");
  assert.equal(sb.unknownRoutes().length, 7);
  sb.requests.length = 0; // leave the strict check clean: these were deliberate
});

test("requests are recorded with route, parsed body and header names only", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  await call(sb, "POST", "/webhook?x=1", { endpoint: "https://hooks.example.com/a" });
  const [r] = sb.requests;
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/services/v2/webhook");
  assert.equal(r.route, "POST /webhook");
  assert.deepEqual(r.query, { x: "1" });
  assert.deepEqual(r.body, { endpoint: "https://hooks.example.com/a" });
  assert.ok(r.headerNames.includes("x-dc-devkey"));
  assert.equal(JSON.stringify(r).includes(sb.apiKey), false, "no header values recorded");
  assert.equal(r.status, 201);
});

test("token expiry on an injected clock; only the latest token counts unless acceptOlderTokens", async (t) => {
  const clock = new ManualClock();
  const sb = await withSandbox(t, { clock });
  const rx = await startReceiver(t);
  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  const tokenOf = (i: number) => (rx.received[i].json as { data: { token: string } }).data.token;

  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  clock.advance(30 * 60 * 1000); // exactly 30 minutes later: expired
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: tokenOf(1) })),
    "webhook_invalid_token",
  );

  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: tokenOf(2) })),
    "webhook_invalid_token",
  );
  clock.advance(30 * 60 * 1000 - 1);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: tokenOf(3) })).status, 204);

  const older = await withSandbox(t, { clock, acceptOlderTokens: true });
  const id2 = ((await call(older, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  await call(older, "PUT", `/webhook/${id2}/send-challenge`);
  await call(older, "PUT", `/webhook/${id2}/send-challenge`);
  assert.equal(
    (await call(older, "PUT", `/webhook/${id2}/check-challenge`, { token: tokenOf(5) })).status,
    204,
  );
});

test("held challenges are delivered on release", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  const rx = await startReceiver(t);
  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  sb.holdChallenges(true);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  assert.equal(rx.received.length, 0);
  await sb.releaseChallenges();
  assert.equal((rx.received[0].json as { event: string }).event, "challenge_webhook_endpoint");
});
