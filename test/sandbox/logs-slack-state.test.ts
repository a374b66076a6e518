// Event-log queries, the Slack mapping, the state file, and the chain fixture.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { certificateChain } from "../../src/events/fixtures/chain.js";
import { buildEvent, slackText } from "../../src/events/payloads.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { MAX_LOG_RECORDS } from "../../src/sandbox/state.js";
import { MAX_RECORDED } from "../../src/sandbox/types.js";
import { tempDir } from "../helpers/cli.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

async function activeWebhook(
  sb: Parameters<typeof call>[0],
  endpoint: string,
  body: Record<string, unknown> = {},
  token: () => string,
): Promise<number> {
  const id = ((await call(sb, "POST", "/webhook", { endpoint, ...body })).json as { webhook_id: number })
    .webhook_id;
  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token: token() })).status, 204);
  assert.equal((await call(sb, "PUT", `/webhook/${id}/activate`)).status, 204);
  return id;
}

test("event logs: filters, sort, offset, limit clamp, ID-less path, order_rejected event_info as in §11.2", async (t) => {
  const sb = await withSandbox(t, { rateLimit: false });
  const rx = await startReceiver(t);
  const lastToken = () =>
    (
      rx.received.filter((r) => (r.json as { event: string }).event === "challenge_webhook_endpoint").at(-1)!
        .json as { data: { token: string } }
    ).data.token;
  const id = await activeWebhook(sb, rx.url, { events: ["order_rejected", "certificate_issued"] }, lastToken);
  rx.script.push(500);
  await sb.emit("order_rejected", { order_id: 470091052, certificate_id: 471270113 });
  await sb.emit("order_rejected");
  await sb.emit("certificate_issued");

  const all = (await call(sb, "GET", `/webhook/${id}/event-logs`)).json as {
    events: Record<string, unknown>[];
    page: unknown;
  };
  assert.deepEqual(
    all.events.map((e) => [e.event_name, e.request_status]),
    [
      ["challenge_webhook_endpoint", "success"],
      ["order_rejected", "failed"],
      ["order_rejected", "success"],
      ["certificate_issued", "success"],
    ],
  );
  assert.deepEqual(all.events[1].event_info, { order_id: 470091052, certificate_id: 471270113 });
  assert.equal(all.events[1].response_code, 500);

  const filtered = (
    await call(
      sb,
      "GET",
      `/webhook/${id}/event-logs?filters[event_name]=order_rejected&filters[request_status]=success`,
    )
  ).json as { events: Record<string, unknown>[]; page: unknown };
  assert.equal(filtered.events.length, 1);
  assert.deepEqual(filtered.page, { total: 1, limit: 1000, offset: 0 });

  const paged = (await call(sb, "GET", `/webhook/${id}/event-logs?offset=1&limit=2`)).json as {
    events: Record<string, unknown>[];
    page: unknown;
  };
  assert.deepEqual(
    paged.events.map((e) => e.event_name),
    ["order_rejected", "order_rejected"],
  );
  assert.deepEqual(paged.page, { total: 4, limit: 2, offset: 1 });

  const sorted = async (sort: string) =>
    (
      (await call(sb, "GET", `/webhook/${id}/event-logs?sort=${sort}`)).json as {
        events: Record<string, unknown>[];
      }
    ).events.map((e) => [e.event_name, e.request_status]);
  assert.deepEqual(await sorted("-event_name"), [
    ["order_rejected", "failed"],
    ["order_rejected", "success"],
    ["challenge_webhook_endpoint", "success"],
    ["certificate_issued", "success"],
  ]);
  assert.deepEqual(await sorted("event_name,-request_status"), [
    ["certificate_issued", "success"],
    ["challenge_webhook_endpoint", "success"],
    ["order_rejected", "success"],
    ["order_rejected", "failed"],
  ]);
  assert.deepEqual(
    await sorted("no_such_field"),
    all.events.map((e) => [e.event_name, e.request_status]),
  );

  const clamped = (await call(sb, "GET", `/webhook/${id}/event-logs?limit=5000`)).json as {
    page: { limit: number };
  };
  assert.equal(clamped.page.limit, 1000);
  const older = (await call(sb, "GET", "/webhook/event-logs")).json;
  assert.deepEqual(older, all, "the older ID-less path answers the same log");
});

test("certificate_issued carries the fixture chain when the webhook's chain setting is on", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const token = () => (rx.received.at(-1)!.json as { data: { token: string } }).data.token;
  await activeWebhook(sb, rx.url, { webhook_settings: { webhook_send_certificate_chain: "1" } }, token);
  const d = await sb.emit("certificate_issued", { order_id: 7 });
  const data = (rx.received.at(-1)!.json as { data: Record<string, unknown> }).data;
  assert.equal(d?.ok, true);
  assert.equal(data.order_id, 7);
  assert.deepEqual(data.certificate_chain, certificateChain());
});

test("certificate_chain follows the webhook's chain settings: a supplied chain is dropped while they are off", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  const token = () => (rx.received.at(-1)!.json as { data: { token: string } }).data.token;
  const id = await activeWebhook(
    sb,
    rx.url,
    { events: ["certificate_issued", "certificate_revoked"] },
    token,
  );
  const emit = (body: unknown) =>
    call({ url: `${sb.origin}/sandbox/v1`, apiKey: sb.apiKey }, "POST", "/emit", body);
  const lastData = () => (rx.received.at(-1)!.json as { data: Record<string, unknown> }).data;

  // Off (the default "0"/"0"): neither the library nor the admin route can slip a chain in.
  const d = await sb.emit("certificate_issued", { order_id: 8, certificate_chain: certificateChain() });
  assert.equal(d?.ok, true);
  assert.deepEqual(Object.keys(lastData()), ["order_id", "certificate_id"]);
  assert.equal(lastData().order_id, 8);
  const off = (await emit({ event: "certificate_issued", data: { certificate_chain: certificateChain() } }))
    .json as { delivered: boolean; certificate_chain?: boolean };
  assert.equal(off.delivered, true);
  assert.equal(off.certificate_chain, false, "the answer says no chain was sent");
  assert.equal("certificate_chain" in lastData(), false);
  // Only certificate_issued ever carries a chain.
  const revoked = (
    await emit({ event: "certificate_revoked", data: { certificate_chain: certificateChain() } })
  ).json as Record<string, unknown>;
  assert.equal("certificate_chain" in revoked, false);
  assert.equal("certificate_chain" in lastData(), false);
  const logs = (await call(sb, "GET", `/webhook/${id}/event-logs?filters[event_name]=certificate_issued`))
    .json as { events: { event_info: Record<string, unknown> }[] };
  assert.equal(
    logs.events.some((e) => "certificate_chain" in e.event_info),
    false,
    "the event log shows what was sent",
  );

  // The instant-issuance setting alone turns it on (the sandbox does not model instant vs not).
  const same = await call(sb, "PUT", `/webhook/${id}`, {
    endpoint: rx.url,
    webhook_settings: { webhook_send_instant_issued_certificate_chain: "1" },
  });
  assert.equal(same.status, 204);
  assert.equal(sb.webhook()?.status, "active");
  const on = (await emit({ event: "certificate_issued", data: { order_id: 9 } })).json as {
    certificate_chain?: boolean;
  };
  assert.equal(on.certificate_chain, true);
  assert.deepEqual(lastData().certificate_chain, certificateChain(), "the sandbox's own real chain");
  // While on, a chain the caller supplies (e.g. to test a receiver) is sent as given.
  const leafOnly = certificateChain().slice(0, 1);
  await sb.emit("certificate_issued", { certificate_chain: leafOnly });
  assert.deepEqual(lastData().certificate_chain, leafOnly);
});

test("the chain fixture is real: leaf → intermediate → self-signed root, \\r\\n, CN = subject_common_name", () => {
  const chain = certificateChain();
  assert.equal(chain.length, 3);
  assert.equal(chain[0].subject_common_name, "example.com");
  const certs = chain.map((c) => {
    assert.match(c.pem, /^-----BEGIN CERTIFICATE-----\r\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r\n$/);
    assert.equal(/[^\r]\n/.test(c.pem), false, "every line break is \\r\\n");
    const cert = new X509Certificate(c.pem);
    assert.match(cert.subject, new RegExp(`CN=${c.subject_common_name}$`, "m"));
    return cert;
  });
  const [leaf, intermediate, root] = certs;
  assert.ok(leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey));
  assert.ok(intermediate.checkIssued(root) && intermediate.verify(root.publicKey));
  assert.ok(root.checkIssued(root) && root.verify(root.publicKey), "root is self-signed");
  assert.equal(leaf.verify(root.publicKey), false);
  assert.equal(intermediate.ca && root.ca, true);
  assert.equal(leaf.ca, false);
  assert.equal(leaf.checkHost("example.com"), "example.com");
  // trigger uses the same builder
  assert.deepEqual(buildEvent("certificate_issued", { withChain: true, orderId: 1, certificateId: 2 }).data, {
    order_id: 1,
    certificate_id: 2,
    certificate_chain: chain,
  });
});

test("Slack endpoints get {text} messages with the token in the text, mapped to a loopback receiver", async (t) => {
  const slack = await startReceiver(t, "/");
  const slackHost = new URL(slack.url).host;
  const sb = await withSandbox(t, { slackHost });
  const endpoint = "https://hooks.slack.com/services/T000/B000/XXXX";
  const token = () => {
    const text = (slack.received.at(-1)!.json as { text: string }).text;
    return /Token: (\S+)/.exec(text)![1];
  };
  const id = await activeWebhook(
    sb,
    endpoint,
    { secret: "k".repeat(40), events: ["certificate_revoked"] },
    token,
  );
  await sb.emit("certificate_revoked", { order_id: 1, certificate_id: 2 });
  assert.deepEqual(
    slack.received.map((r) => r.path),
    Array(3).fill("/services/T000/B000/XXXX"),
  );
  const bodies = slack.received.map((r) => r.json as Record<string, unknown>);
  for (const b of bodies) assert.deepEqual(Object.keys(b), ["text"]);
  assert.match(String(bodies[0].text), /test notification/);
  assert.match(
    String(bodies[1].text),
    new RegExp(`webhook ${id}\\. Token: [A-Za-z0-9_-]{32} \\(valid for 30 minutes\\)`),
  );
  assert.equal(bodies[2].text, "CertCentral event: certificate_revoked (order_id 1, certificate_id 2)");
  assert.equal(slack.received[0].headers["x-webhook-key"], undefined, "the key is not sent to Slack");
  assert.equal(
    sb.deliveries.every((d) => d.slack && d.url === endpoint),
    true,
  );
  assert.equal(sb.webhook()?.status, "active");
  assert.equal(slackText({ event: "test_webhook_endpoint" }), String(bodies[0].text));
});

test("a trailing-dot, upper-case Slack endpoint is Slack too: {text} at the --slack-host receiver, no key", async (t) => {
  const slack = await startReceiver(t, "/");
  const sb = await withSandbox(t, { slackHost: new URL(slack.url).host });
  const endpoint = "https://HOOKS.SLACK.COM./services/T000/B000/XXXX";
  const res = await call(sb, "POST", "/webhook/test-endpoint", { endpoint, secret: "k".repeat(40) });
  assert.equal(res.status, 200);
  assert.equal(slack.received.length, 1, "delivered to the Slack stand-in, not to the real host");
  assert.equal(slack.received[0].path, "/services/T000/B000/XXXX");
  assert.deepEqual(Object.keys(slack.received[0].json as object), ["text"]);
  assert.equal(slack.received[0].headers["x-webhook-key"], undefined);
  assert.equal(sb.deliveries.at(-1)?.slack, true);
});

test("state file: webhook, hidden state, event log and next id survive a restart; mode 0600", async (t) => {
  const dir = tempDir();
  const stateFile = join(dir, "sandbox.json");
  const rx = await startReceiver(t);
  const first = await startSandbox({ stateFile, apiKey: "k".repeat(32) });
  t.after(() => first.stop());
  const id = await activeWebhook(
    first,
    rx.url,
    { secret: "z".repeat(32) },
    () => (rx.received.at(-1)!.json as { data: { token: string } }).data.token,
  );
  await first.stop();
  assert.equal(statSync(stateFile).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(stateFile, "utf8")).webhook.id, id);

  const second = await withSandbox(t, { stateFile, apiKey: "k".repeat(32) });
  assert.equal(second.webhook()?.status, "active");
  assert.equal(second.webhook()?.verified, true);
  assert.equal(second.webhook()?.secret, "z".repeat(32));
  const logs = (await call(second, "GET", `/webhook/${id}/event-logs`)).json as { events: unknown[] };
  assert.equal(logs.events.length, 1);
  assert.equal((await call(second, "DELETE", `/webhook/${id}`)).status, 204);
  const next = await call(second, "POST", "/webhook", { endpoint: rx.url });
  assert.equal((next.json as { webhook_id: number }).webhook_id, id + 1);
});

test("the event log keeps the newest MAX_LOG_RECORDS records, so the state file stays loadable", async (t) => {
  const stateFile = join(tempDir(), "sandbox.json");
  const rx = await startReceiver(t);
  const first = await startSandbox({ stateFile, rateLimit: false });
  t.after(() => first.stop());
  const id = await activeWebhook(
    first,
    rx.url,
    {},
    () => (rx.received.at(-1)!.json as { data: { token: string } }).data.token,
  );
  await first.stop();
  // A full log, as months of deliveries would leave it: numbered so the dropped ones can be named.
  const saved = JSON.parse(readFileSync(stateFile, "utf8"));
  const record = saved.logs[0];
  saved.logs = Array.from({ length: MAX_LOG_RECORDS }, (_, i) => ({ ...record, response_code: i }));
  writeFileSync(stateFile, JSON.stringify(saved));

  const second = await withSandbox(t, { stateFile, rateLimit: false });
  await second.emit("certificate_issued");
  await second.emit("certificate_issued");
  await second.stop();
  const logs = JSON.parse(readFileSync(stateFile, "utf8")).logs as {
    response_code: number;
    event_name?: string;
  }[];
  assert.equal(logs.length, MAX_LOG_RECORDS);
  assert.equal(logs[0]?.response_code, 2, "the two oldest records made room");
  assert.equal(logs.at(-1)?.event_name, "certificate_issued");
  const third = await withSandbox(t, { stateFile, rateLimit: false });
  const page = (await call(third, "GET", `/webhook/${id}/event-logs?offset=${MAX_LOG_RECORDS - 1}`)).json as {
    events: unknown[];
  };
  assert.equal(page.events.length, 1, "the trimmed file loads and pages");
});

test("the sandbox remembers the newest MAX_RECORDED requests, and no body from a caller without the key", async (t) => {
  const sb = await withSandbox(t, { rateLimit: false });
  const wrongKey = { ...sb, apiKey: "x".repeat(32) };
  assert.equal(
    (await call(wrongKey, "POST", "/webhook", { endpoint: "https://stranger.example/" })).status,
    401,
  );
  assert.equal(sb.requests[0]?.body, undefined, "a stranger's body is not kept");
  for (let i = 0; i < MAX_RECORDED; i++) await call(sb, "GET", "/webhook");
  assert.equal(sb.requests.length, MAX_RECORDED);
  assert.ok(
    sb.requests.every((r) => r.method === "GET"),
    "the oldest request made room",
  );
});

test("a state file that is not one is refused at start", async () => {
  const stateFile = join(tempDir(), "bad.json");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(stateFile, '{"hello": 1}');
  await assert.rejects(
    startSandbox({ stateFile }),
    /not a certwh sandbox state file \(nextId is not a number\)/,
  );
  // Hand edits that would fail later, request by request, or with an internal error: refused at start.
  const good = { nextId: 2, logs: [], webhook: null };
  const hook = {
    id: 1,
    endpoint: "http://127.0.0.1:9/h",
    events: [],
    status: "active",
    webhook_settings: {
      instant_issue_webhook_notification: "0",
      webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
      webhook_send_certificate_chain: "0",
      webhook_send_instant_issued_certificate_chain: "0",
    },
    tokens: [],
  };
  const cases: [unknown, RegExp][] = [
    [null, /not a JSON object/],
    [[], /not a JSON object/],
    [{ ...good, webhook: { ...hook, webhook_settings: null } }, /webhook\.webhook_settings is not an object/],
    [{ ...good, webhook: { ...hook, endpoint: 5 } }, /webhook\.endpoint is not a string/],
    [{ ...good, webhook: 7 }, /webhook is neither an object nor null/],
    [
      { ...good, webhook: { ...hook, status: "enabled" } },
      /webhook\.status is not pending, active or inactive/,
    ],
  ];
  for (const [data, why] of cases) {
    writeFileSync(stateFile, JSON.stringify(data));
    await assert.rejects(startSandbox({ stateFile }), (err: Error & { code?: string }) => {
      assert.match(err.message, why);
      assert.equal(err.code, "file");
      return true;
    });
  }
  writeFileSync(stateFile, JSON.stringify({ ...good, webhook: hook }));
  const fine = await startSandbox({ stateFile });
  await fine.stop();
});

test("a state file that is broken JSON is refused naming it, without quoting the secret it holds", async () => {
  const stateFile = join(tempDir(), "broken.json");
  const { writeFileSync } = await import("node:fs");
  const secret = "Zq8xVw3LmN5pR7tY9uB2cD4eF6gH8jK0aS1";
  // A hand edit that lost the quotes: JSON.parse's own message would quote the text around the error.
  for (const text of [`{"nextId": 1, "webhook": {"secret": ${secret}}}`, secret]) {
    writeFileSync(stateFile, text);
    await assert.rejects(startSandbox({ stateFile }), (err: Error) => {
      assert.match(err.message, /broken\.json: it is not valid JSON/);
      assert.equal(err.message.includes(secret.slice(0, 5)), false, err.message);
      return true;
    });
  }
});

test("a state file that cannot be written: the change still succeeds, the problem is said once with its cause, and so is the recovery", async (t) => {
  const dir = join(tempDir(), "state");
  mkdirSync(dir);
  const stateFile = join(dir, "sandbox.json");
  const said: { ok: boolean; message: string }[] = [];
  const rx = await startReceiver(t);
  const sandbox = await withSandbox(t, { stateFile, onStateFile: (p) => said.push(p) });
  rmSync(dir, { recursive: true });
  const created = await call(sandbox, "POST", "/webhook", { endpoint: rx.url });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const { webhook_id: id } = created.json as { webhook_id: number };
  assert.equal(
    (await call(sandbox, "PUT", `/webhook/${id}`, { endpoint: rx.url, events: ["certificate_issued"] }))
      .status,
    204,
  );
  assert.equal(said.length, 1, JSON.stringify(said));
  assert.match(
    said[0]?.message ?? "",
    /^Cannot write the state file .*sandbox\.json: .*\(ENOENT\).*kept in memory/,
  );
  mkdirSync(dir);
  await call(sandbox, "PUT", `/webhook/${id}`, { endpoint: rx.url, events: ["certificate_revoked"] });
  assert.deepEqual(said.at(-1), { ok: true, message: `Saved the state file ${stateFile} again.` });
  assert.deepEqual(JSON.parse(readFileSync(stateFile, "utf8")).webhook.events, ["certificate_revoked"]);
});
