// Quirk profiles (spec §17): each quirk over real HTTP on 127.0.0.1 (sandbox on port 0, a loopback
// receiver recording deliveries with their headers), asserting the changed behaviour and the default.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  parseQuirks,
  SANDBOX_QUIRKS,
  type Sandbox,
  type SandboxQuirk,
  startSandbox,
} from "../../src/sandbox/index.js";
import { call, type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";

const SECRET_A = "a0123456789abcdef0123456789abcdef";
const SECRET_B = "b0123456789abcdef0123456789abcdef";

function errCode(res: { json: unknown }): string {
  return (res.json as { errors: { code: string }[] }).errors[0].code;
}

async function create(sb: Sandbox, body: Record<string, unknown>): Promise<number> {
  const res = await call(sb, "POST", "/webhook", body);
  assert.equal(res.status, 201, res.text);
  return (res.json as { webhook_id: number }).webhook_id;
}

/** send-challenge, then the token the receiver got (the last delivery). */
async function challenge(sb: Sandbox, rx: Receiver, id: number): Promise<unknown> {
  assert.equal((await call(sb, "PUT", `/webhook/${id}/send-challenge`)).status, 204);
  const last = rx.received.at(-1)?.json as { event: string; data: { token: unknown } };
  assert.equal(last.event, "challenge_webhook_endpoint");
  return last.data.token;
}

/** A webhook taken to active through the real handshake. */
async function activeWebhook(
  sb: Sandbox,
  rx: Receiver,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const id = await create(sb, { endpoint: rx.url, ...extra });
  const token = await challenge(sb, rx, id);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  return id;
}

async function status(sb: Sandbox): Promise<string> {
  return ((await call(sb, "GET", "/webhook")).json as { webhooks: { status: string }[] }).webhooks[0].status;
}

test("parseQuirks: comma list, spaces, repeats; unknown names and conflicting pairs are clear errors", () => {
  assert.deepEqual(parseQuirks(""), []);
  assert.deepEqual(parseQuirks(" numeric-token, big-logs ,numeric-token"), ["numeric-token", "big-logs"]);
  assert.throws(
    () => parseQuirks("numeric-token,nope"),
    (err: Error) =>
      err.message.includes('"nope"') && SANDBOX_QUIRKS.every((q) => err.message.includes(q.name)),
  );
  assert.throws(() => parseQuirks("no-delete-404,no-delete-405"), /cannot be combined/);
  assert.throws(() => parseQuirks("no-content-type,text-plain"), /cannot be combined/);
  assert.throws(() => parseQuirks("handshake-no-key,handshake-old-key"), /cannot be combined/);
  const names = SANDBOX_QUIRKS.map((q) => q.name);
  assert.equal(new Set(names).size, names.length);
  for (const q of SANDBOX_QUIRKS) {
    assert.match(q.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(q.description.length > 10 && q.default.length > 3, q.name);
  }
});

test("README's sandbox section lists every quirk", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## The sandbox"), readme.indexOf("## certwh trigger"));
  for (const q of SANDBOX_QUIRKS) assert.ok(section.includes(`\`${q.name}\``), `README misses ${q.name}`);
});

test("startSandbox rejects an unknown quirk; legacy options map to quirks", async (t) => {
  await assert.rejects(startSandbox({ quirks: ["nope" as SandboxQuirk] }), /Unknown sandbox quirk "nope"/);
  const sb = await withSandbox(t, { deleteExtension: false, acceptOlderTokens: true, quirks: ["big-logs"] });
  assert.deepEqual(sb.quirks().sort(), ["big-logs", "no-delete-404", "older-tokens"]);
  assert.throws(() => sb.setQuirks(["bad" as SandboxQuirk]), /Unknown sandbox quirk/);
  assert.equal(sb.quirks().length, 3, "a failed set changes nothing");
});

test("admin API: GET and PUT /sandbox/v1/quirks", async (t) => {
  const sb = await withSandbox(t);
  const admin = { url: `${sb.origin}/sandbox/v1`, apiKey: sb.apiKey };
  const first = await call(admin, "GET", "/quirks");
  assert.equal(first.status, 200);
  const body = first.json as { quirks: string[]; available: { name: string }[] };
  assert.deepEqual(body.quirks, []);
  assert.deepEqual(
    body.available.map((q) => q.name),
    SANDBOX_QUIRKS.map((q) => q.name),
  );
  const put = await call(admin, "PUT", "/quirks", { quirks: ["numeric-token", "settings-top-level"] });
  assert.equal(put.status, 200);
  assert.deepEqual(put.json, { quirks: ["numeric-token", "settings-top-level"] });
  assert.deepEqual(sb.quirks(), ["numeric-token", "settings-top-level"]);
  const bad = await call(admin, "PUT", "/quirks", { quirks: ["numeric-token", "nope"] });
  assert.equal(bad.status, 400);
  assert.match((bad.json as { errors: { message: string }[] }).errors[0].message, /"nope".*numeric-token/);
  assert.equal((await call(admin, "PUT", "/quirks", { quirks: "numeric-token" })).status, 400);
  assert.equal((await call(admin, "PUT", "/quirks", {}, { "X-DC-DEVKEY": "wrong-key-x" })).status, 401);
  assert.deepEqual(((await call(admin, "GET", "/quirks")).json as { quirks: string[] }).quirks, [
    "numeric-token",
    "settings-top-level",
  ]);
  assert.deepEqual((await call(admin, "PUT", "/quirks", { quirks: [] })).json, { quirks: [] });
});

test("Content-Type: application/json by default; no-content-type sends none; text-plain sends text/plain", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await activeWebhook(sb, rx);
  await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
  await sb.emit("certificate_issued");
  // probe, challenge, test, event
  assert.equal(rx.received.length, 4);
  for (const r of rx.received) assert.equal(r.headers["content-type"], "application/json");

  for (const [quirk, expected] of [
    ["no-content-type", undefined],
    ["text-plain", "text/plain"],
  ] as const) {
    sb.setQuirks([quirk]);
    const from = rx.received.length;
    await challenge(sb, rx, id);
    await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
    await sb.emit("certificate_issued");
    const got = rx.received.slice(from);
    assert.deepEqual(
      got.map((r) => (r.json as { event: string }).event),
      ["challenge_webhook_endpoint", "test_webhook_endpoint", "certificate_issued"],
    );
    for (const r of got) assert.equal(r.headers["content-type"], expected, quirk);
  }
});

test("handshake-no-key: probe, test and challenge without X-WEBHOOK-KEY; events keep it (default: all carry it)", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await activeWebhook(sb, rx, { secret: SECRET_A });
  await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url, secret: SECRET_A });
  await sb.emit("certificate_issued");
  for (const r of rx.received) assert.equal(r.headers["x-webhook-key"], SECRET_A);

  sb.setQuirks(["handshake-no-key"]);
  const from = rx.received.length;
  await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, secret: SECRET_A }); // probe
  await challenge(sb, rx, id);
  await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url, secret: SECRET_A });
  await sb.emit("certificate_issued");
  const got = rx.received.slice(from);
  assert.equal(got.length, 4);
  assert.deepEqual(
    got.map((r) => r.headers["x-webhook-key"]),
    [undefined, undefined, undefined, SECRET_A],
  );
});

test("handshake-old-key: after a secret change, probe, challenge and test carry the previous secret", async (t) => {
  for (const quirks of [[], ["handshake-old-key"]] as SandboxQuirk[][]) {
    const rx = await startReceiver(t);
    const sb = await withSandbox(t, { quirks });
    const id = await activeWebhook(sb, rx, { secret: SECRET_A });
    const from = rx.received.length;
    assert.equal(
      (await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, secret: SECRET_B })).status,
      204,
    );
    await challenge(sb, rx, id);
    await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url, secret: SECRET_B });
    await sb.emit("certificate_issued");
    const keys = rx.received.slice(from).map((r) => r.headers["x-webhook-key"]);
    const handshake = quirks.length ? SECRET_A : SECRET_B;
    assert.deepEqual(keys, [handshake, handshake, handshake, SECRET_B], `quirks: ${quirks}`);
  }
});

test("handshake-old-key: a secret added to a webhook without one → handshakes carry no key", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t, { quirks: ["handshake-old-key"] });
  const id = await create(sb, { endpoint: rx.url });
  await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url, secret: SECRET_A });
  await challenge(sb, rx, id);
  assert.deepEqual(
    rx.received.map((r) => r.headers["x-webhook-key"]),
    [undefined, undefined, undefined],
  );
});

test("numeric-token: data.token is a 9-digit JSON number; check-challenge takes its decimal string", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t, { quirks: ["numeric-token"] });
  const id = await create(sb, { endpoint: rx.url });
  const token = await challenge(sb, rx, id);
  assert.equal(typeof token, "number");
  assert.match(String(token), /^[1-9]\d{8}$/);
  assert.match(rx.received.at(-1)?.text ?? "", /"token":\d{9}[,}]/);
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: "123" })),
    "webhook_invalid_token",
  );
  assert.equal(
    (await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: String(token) })).status,
    204,
  );
  const again = await challenge(sb, rx, id);
  assert.equal(
    (await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: again })).status,
    204,
    "the number too",
  );

  sb.setQuirks([]);
  const plain = await challenge(sb, rx, id);
  assert.equal(typeof plain, "string");
  assert.match(plain as string, /^[A-Za-z0-9_-]{32}$/);
});

test("older-tokens: an earlier unexpired token is accepted; by default only the latest", async (t) => {
  for (const quirks of [[], ["older-tokens"]] as SandboxQuirk[][]) {
    const rx = await startReceiver(t);
    const sb = await withSandbox(t, { quirks });
    const id = await create(sb, { endpoint: rx.url });
    const first = await challenge(sb, rx, id);
    await challenge(sb, rx, id);
    const res = await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: first });
    assert.equal(res.status, quirks.length ? 204 : 400, `quirks: ${quirks}`);
  }
});

test("create-no-probe: create succeeds without contacting the endpoint; default probes", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  rx.script.push(500);
  const res = await call(sb, "POST", "/webhook", { endpoint: rx.url });
  assert.equal(errCode(res), "webhook_endpoint_error");
  assert.equal(rx.received.length, 1);
  sb.setQuirks(["create-no-probe"]);
  rx.script.push(500);
  await create(sb, { endpoint: rx.url });
  assert.equal(rx.received.length, 1, "no probe");
  assert.deepEqual(rx.script, [500]);
  rx.script.length = 0;
});

test("update-stays-active: a re-pointed webhook stays active and events go to the new URL; default → pending", async (t) => {
  for (const quirks of [[], ["update-stays-active"]] as SandboxQuirk[][]) {
    const rx = await startReceiver(t);
    const rx2 = await startReceiver(t, "/new");
    const sb = await withSandbox(t, { quirks });
    const id = await activeWebhook(sb, rx);
    assert.equal((await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx2.url })).status, 204);
    const delivery = await sb.emit("certificate_issued");
    if (quirks.length) {
      assert.equal(await status(sb), "active");
      assert.equal(delivery?.url, rx2.url);
      const last = rx2.received.at(-1)?.json as { event: string };
      assert.equal(last.event, "certificate_issued");
    } else {
      assert.equal(await status(sb), "pending");
      assert.equal(delivery, null);
      assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
    }
  }
});

test("activate-active-400: activate on active → 400 webhook_invalid_action; default 204 no-op", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await activeWebhook(sb, rx);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  sb.setQuirks(["activate-active-400"]);
  const res = await call(sb, "PUT", `/webhook/${id}/activate`);
  assert.equal(res.status, 400);
  assert.equal(errCode(res), "webhook_invalid_action");
  assert.equal(await status(sb), "active");
  assert.equal((await call(sb, "PUT", `/webhook/${id}/deactivate`)).status, 204);
  assert.equal(
    (await call(sb, "PUT", `/webhook/${id}/activate`)).status,
    204,
    "inactive → active still works",
  );
});

test("deactivate-pending-204: deactivate on pending → 204, stays pending; default 400", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await create(sb, { endpoint: rx.url });
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/deactivate`)), "webhook_invalid_action");
  sb.setQuirks(["deactivate-pending-204"]);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/deactivate`)).status, 204);
  assert.equal(await status(sb), "pending");
});

test("settings-top-level, settings-booleans and frequency-no-0 change GET /webhook; defaults unchanged", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  await create(sb, { endpoint: rx.url, webhook_settings: { webhook_send_certificate_chain: "1" } });
  const settings = {
    instant_issue_webhook_notification: "0",
    webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
    webhook_send_certificate_chain: "1",
    webhook_send_instant_issued_certificate_chain: "0",
  };
  const plain = (await call(sb, "GET", "/webhook")).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(plain), ["webhooks"]);
  assert.deepEqual((plain.webhooks as Record<string, unknown>[])[0].webhook_settings, settings);

  sb.setQuirks(["settings-top-level"]);
  const top = (await call(sb, "GET", "/webhook")).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(top), ["webhooks", "webhook_settings"]);
  assert.equal("webhook_settings" in (top.webhooks as Record<string, unknown>[])[0], false);
  assert.deepEqual(top.webhook_settings, settings);

  sb.setQuirks(["settings-booleans"]);
  const bools = (await call(sb, "GET", "/webhook")).json as { webhooks: { webhook_settings: unknown }[] };
  assert.deepEqual(bools.webhooks[0].webhook_settings, {
    instant_issue_webhook_notification: false,
    webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
    webhook_send_certificate_chain: true,
    webhook_send_instant_issued_certificate_chain: false,
  });
  assert.equal(sb.webhook()?.webhook_settings.webhook_send_certificate_chain, "1", "stored as before");

  const sb2 = await withSandbox(t, { quirks: ["frequency-no-0"] });
  await create(sb2, { endpoint: rx.url });
  assert.deepEqual(sb2.webhook()?.webhook_settings.webhook_notification_frequency, [90, 60, 30, 7, -7]);
});

test("test event and probes accept any 2xx by default (spec §17 #16); test-exactly-200 needs 200", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  rx.script.push(204);
  const id = await create(sb, { endpoint: rx.url });
  rx.script.push(202);
  assert.equal((await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url })).status, 200);
  const log = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
    events: { request_status: string; response_code: number }[];
  };
  assert.deepEqual(log.events.at(-1), {
    ...log.events.at(-1),
    request_status: "success",
    response_code: 202,
  });
  rx.script.push(201);
  assert.equal((await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url })).status, 204, "update probe");

  sb.setQuirks(["test-exactly-200"]);
  rx.script.push(202);
  const test1 = await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
  assert.equal(errCode(test1), "webhook_endpoint_error");
  assert.equal(sb.deliveries.at(-1)?.ok, false);
  rx.script.push(201);
  assert.equal(
    errCode(await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx.url })),
    "webhook_endpoint_error",
  );

  // Events count any 2xx in every profile.
  const token = await challenge(sb, rx, id);
  await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token });
  await call(sb, "PUT", `/webhook/${id}/activate`);
  rx.script.push(204);
  assert.equal((await sb.emit("certificate_issued"))?.ok, true);
});

test("repeat-deliveries: each event is POSTed twice with the identical body; default once", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await activeWebhook(sb, rx);
  let from = rx.received.length;
  await sb.emit("certificate_issued");
  assert.equal(rx.received.length - from, 1);
  sb.setQuirks(["repeat-deliveries"]);
  from = rx.received.length;
  await sb.emit("certificate_issued");
  const got = rx.received.slice(from);
  assert.equal(got.length, 2);
  assert.equal(got[0].text, got[1].text);
  await challenge(sb, rx, id);
  assert.equal(rx.received.length - from, 3, "challenges are not repeated");
  const log = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
    events: { event_name: string }[];
  };
  assert.equal(log.events.filter((e) => e.event_name === "certificate_issued").length, 3);
});

test("big-logs: a full page of 1,000 certificate_issued entries with chains (MBs), then the real log", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await activeWebhook(sb, rx);
  const plain = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as { page: { total: number } };
  assert.equal(plain.page.total, 1, "the challenge (the create probe is not logged)");
  sb.setQuirks(["big-logs"]);
  const res = await call(sb, "GET", `/webhook/${id}/event-logs?limit=1000`);
  assert.equal(res.status, 200);
  assert.ok(res.text.length > 3_000_000, `page is ${res.text.length} bytes`);
  const page = res.json as {
    events: { event_name: string; event_info: { certificate_chain: { pem: string }[] } }[];
    page: { total: number; limit: number; offset: number };
  };
  assert.equal(page.events.length, 1000);
  assert.deepEqual(page.page, { total: 1001, limit: 1000, offset: 0 });
  for (const e of page.events) {
    assert.equal(e.event_name, "certificate_issued");
    assert.equal(e.event_info.certificate_chain.length, 3);
  }
  const rest = (await call(sb, "GET", `/webhook/${id}/event-logs?offset=1000`)).json as {
    events: { event_name: string }[];
  };
  assert.deepEqual(
    rest.events.map((e) => e.event_name),
    ["challenge_webhook_endpoint"],
  );
});

test("no-delete-404 and no-delete-405: DELETE is refused and the webhook stays; default 204", async (t) => {
  const rx = await startReceiver(t);
  const sb = await withSandbox(t);
  const id = await create(sb, { endpoint: rx.url });
  sb.setQuirks(["no-delete-404"]);
  const a = await call(sb, "DELETE", `/webhook/${id}`);
  assert.equal(a.status, 404);
  assert.equal(errCode(a), "not_found|route");
  sb.setQuirks(["no-delete-405"]);
  const b = await call(sb, "DELETE", `/webhook/${id}`);
  assert.equal(b.status, 405);
  assert.equal(errCode(b), "method_not_allowed");
  assert.equal(b.headers.allow, "PUT");
  assert.equal(await status(sb), "pending");
  sb.setQuirks([]);
  assert.equal((await call(sb, "DELETE", `/webhook/${id}`)).status, 204);
  assert.equal(errCode(await call(sb, "GET", "/webhook")), "webhook_invalid_account");
});

test("test-required: activate needs a successful test to the current endpoint; default does not", async (t) => {
  const rx = await startReceiver(t);
  const rx2 = await startReceiver(t, "/new");
  const sb = await withSandbox(t, { quirks: ["test-required"] });
  const id = await create(sb, { endpoint: rx.url });
  const token = await challenge(sb, rx, id);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
  await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx2.url }); // another endpoint: no
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
  rx.script.push(500);
  assert.equal((await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url })).status, 400);
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
  assert.equal((await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url })).status, 200);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204, "active: still a no-op");

  // A new endpoint needs a new test; without the quirk it does not.
  await call(sb, "PUT", `/webhook/${id}`, { endpoint: rx2.url });
  const again = await challenge(sb, rx2, id);
  await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: again });
  assert.equal(errCode(await call(sb, "PUT", `/webhook/${id}/activate`)), "webhook_invalid_action");
  sb.setQuirks([]);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
});

test("logs-events-only: tests and challenges stay out of the event log; default logs them", async (t) => {
  for (const quirks of [[], ["logs-events-only"]] as SandboxQuirk[][]) {
    const rx = await startReceiver(t);
    const sb = await withSandbox(t, { quirks });
    const id = await activeWebhook(sb, rx);
    await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
    await sb.emit("certificate_issued");
    const log = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
      events: { event_name: string }[];
    };
    assert.deepEqual(
      log.events.map((e) => e.event_name),
      quirks.length
        ? ["certificate_issued"]
        : ["challenge_webhook_endpoint", "test_webhook_endpoint", "certificate_issued"],
    );
  }
});
