// Success paths and --json output of each lifecycle command through the built CLI.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { createActive, expectExit, harness, oneJson } from "./lifecycle-support.js";

const body = (r: { body: unknown }) => r.body as Record<string, unknown>;

test("create sends an explicit event list, settings only for flags given, and the secret", async (t) => {
  const h = await harness(t);
  const secret = "s3cr3t-".repeat(6);
  const res = await h.cli(
    ["create", "--url", h.receiver.url, "--secret-env", "WH", "--no-verify", "--json"],
    {
      env: { WH: secret },
    },
  );
  expectExit(res, 0);
  const post = h.sandbox.requests.find((r) => r.route === "POST /webhook");
  assert.deepEqual(body(post!), { endpoint: h.receiver.url, events: ["certificate_issued"], secret });
  assert.equal(oneJson(res).status, "pending");
  assert.ok(!h.routes().includes("POST /webhook/test-endpoint"), "--no-verify stops after creation");
  assert.ok(!res.stdout.includes(secret) && !res.stderr.includes(secret));

  const h2 = await harness(t);
  const res2 = await h2.cli([
    "create",
    "--url",
    h2.receiver.url,
    "--event",
    "certificate_revoked",
    "--events",
    "certificate_issued,order_rejected,certificate_revoked",
    "--event",
    "brand_new_event",
    "--chain",
    "--no-instant",
    "--frequency",
    "30,7,-7",
    "--no-verify",
  ]);
  expectExit(res2, 0);
  assert.match(res2.stderr, /brand_new_event/);
  const post2 = h2.sandbox.requests.find((r) => r.route === "POST /webhook");
  assert.deepEqual(body(post2!), {
    endpoint: h2.receiver.url,
    events: ["certificate_revoked", "brand_new_event", "certificate_issued", "order_rejected"],
    webhook_settings: {
      webhook_send_certificate_chain: "1",
      webhook_send_instant_issued_certificate_chain: "1",
      instant_issue_webhook_notification: "0",
      webhook_notification_frequency: [30, 7, -7],
    },
  });
});

test("the test event and the challenge carry the secret, so a key-checking receiver accepts them", async (t) => {
  const h = await harness(t);
  const secret = "k".repeat(40);
  expectExit(
    await h.cli(["create", "--url", h.receiver.url, "--secret-env", "WH"], { env: { WH: secret } }),
    0,
  );
  const seen = h.receiver.received.map((r) => [
    (r.json as { event: string }).event,
    r.headers["x-webhook-key"],
  ]);
  assert.ok(seen.length >= 2);
  for (const [event, key] of seen) assert.equal(key, secret, `${event} carries X-WEBHOOK-KEY`);

  const res = await h.cli(["test", "--json"]);
  expectExit(res, 0);
  assert.deepEqual(oneJson(res), {
    endpoint: h.receiver.url,
    delivered: true,
    with_secret: true,
    slack: false,
  });
  const last = h.sandbox.requests.filter((r) => r.route === "POST /webhook/test-endpoint").at(-1);
  assert.equal(body(last!).secret, secret);

  // A candidate on the endpoint's origin gets the secret; one elsewhere only with --with-secret.
  const sameOrigin = await h.cli(["test", "--url", `${h.receiver.url}/candidate`, "--json"]);
  expectExit(sameOrigin, 0);
  assert.equal(oneJson(sameOrigin).with_secret, true);
  const elsewhere = await startLoopback((_req, res) => res.writeHead(200).end(), t);
  const other = await h.cli(["test", "--url", `${elsewhere.origin}/hook`, "--json"]);
  expectExit(other, 0);
  assert.equal(oneJson(other).with_secret, false);
  assert.match(other.stderr, /The webhook's secret is not sent: .* Add --with-secret/);
  assert.equal(elsewhere.requests.at(-1)?.headers["x-webhook-key"], undefined, "no key to another origin");
  const asked = await h.cli(["test", "--url", `${elsewhere.origin}/hook`, "--with-secret", "--json"]);
  expectExit(asked, 0);
  assert.equal(oneJson(asked).with_secret, true);
  assert.equal(elsewhere.requests.at(-1)?.headers["x-webhook-key"], secret);
});

test("--generate-secret is shown once on stdout; --secret-out writes it 0600 and never prints it", async (t) => {
  const h = await harness(t);
  const res = await h.cli(["create", "--url", h.receiver.url, "--generate-secret", "--no-verify"]);
  expectExit(res, 0);
  const stored = h.sandbox.webhook()?.secret as string;
  assert.match(stored, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(res.stdout, `${stored}\n`);
  assert.ok(!res.stderr.includes(stored));
  const shown = await h.cli(["status", "--show-secret", "--json"]);
  assert.equal(oneJson(shown).secret, stored);
  const masked = await h.cli(["status", "--json"]);
  assert.equal(oneJson(masked).secret, `${stored.slice(0, 4)}…${stored.slice(-4)}`);

  const h2 = await harness(t);
  const json = await h2.cli([
    "create",
    "--url",
    h2.receiver.url,
    "--generate-secret",
    "--no-verify",
    "--json",
  ]);
  expectExit(json, 0);
  assert.equal(oneJson(json).secret, h2.sandbox.webhook()?.secret);

  const h3 = await harness(t);
  const file = join(tempDir(), "webhook.secret");
  const out = await h3.cli([
    "create",
    "--url",
    h3.receiver.url,
    "--generate-secret",
    "--secret-out",
    file,
    "--json",
  ]);
  expectExit(out, 0);
  const written = readFileSync(file, "utf8").trim();
  assert.equal(written, h3.sandbox.webhook()?.secret);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.ok(!out.stdout.includes(written) && !out.stderr.includes(written));
  assert.equal(oneJson(out).secret_file, file);
  // An existing file is never overwritten, and nothing is sent then.
  const requests = h3.sandbox.requests.length;
  const again = await h3.cli([
    "update-url",
    "--url",
    h3.receiver.url,
    "--generate-secret",
    "--secret-out",
    file,
  ]);
  expectExit(again, 2);
  assert.equal(h3.sandbox.requests.length, requests);
  // No file is left behind when the change is refused (a webhook already exists).
  const unused = join(tempDir(), "unused.secret");
  const refused = await h3.cli([
    "create",
    "--url",
    h3.receiver.url,
    "--generate-secret",
    "--secret-out",
    unused,
  ]);
  expectExit(refused, 3);
  assert.equal(existsSync(unused), false);
});

test("status --json: the webhook object with the secret masked; human output explains the state", async (t) => {
  const h = await harness(t);
  const secret = `${"z".repeat(12)}SECRETMIDDLE${"y".repeat(12)}`;
  const created = await h.cli(["create", "--url", h.receiver.url, "--secret-env", "WH", "--chain"], {
    env: { WH: secret },
  });
  expectExit(created, 0);
  const res = await h.cli(["status", "--json"]);
  expectExit(res, 0);
  const hook = oneJson(res);
  assert.deepEqual(Object.keys(hook).sort(), [
    "endpoint",
    "events",
    "id",
    "next",
    "secret",
    "status",
    "webhook_settings",
  ]);
  // Another HOME than create's: no note of the challenge create sent, so the general next step.
  assert.equal(hook.next, "certwh challenge");
  assert.equal(hook.secret, "zzzz…yyyy");
  assert.equal(hook.status, "pending");
  assert.equal((hook.webhook_settings as Record<string, string>).webhook_send_certificate_chain, "1");
  assert.ok(!res.stdout.includes("SECRETMIDDLE"));

  const human = await h.cli(["show"]);
  expectExit(human, 0);
  assert.match(human.stdout, /Secret\s+zzzz…yyyy/);
  assert.match(human.stderr, /Pending/);
  assert.match(human.stderr, /certwh challenge/);
  assert.ok(!human.stdout.includes("SECRETMIDDLE") && !human.stderr.includes("SECRETMIDDLE"));
});

test("activate and deactivate are idempotent: already there → exit 0, changed false, no call", async (t) => {
  const h = await harness(t);
  const id = await createActive(h);
  const on = await h.cli(["activate", "--json"]);
  expectExit(on, 0);
  assert.deepEqual(oneJson(on), { id, endpoint: h.receiver.url, status: "active", changed: false });
  assert.equal(
    h.routes().filter((r) => r === "PUT /webhook/:id/activate").length,
    1,
    "only verify's activate",
  );

  expectExit(await h.cli(["deactivate"]), 0);
  const off = await h.cli(["deactivate", "--json"]);
  expectExit(off, 0);
  assert.equal(oneJson(off).changed, false);
  assert.match(off.stderr, /already inactive/);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/deactivate").length, 1);
});

test("challenge sends a new token and says where it went and the deadline", async (t) => {
  const h = await harness(t);
  const id = await createActive(h);
  const res = await h.cli(["challenge", "--json"]);
  expectExit(res, 0);
  const json = oneJson(res);
  assert.equal(json.id, id);
  assert.equal(json.challenge_sent, true);
  assert.ok(Date.parse(json.expires_at as string) > Date.now() + 29 * 60_000);
  assert.match(res.stderr, new RegExp(h.receiver.url));
  assert.match(res.stderr, /30 minutes/);
  assert.match(res.stderr, /certwh verify --token <token>/);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/send-challenge").length, 2);
});

test("verify --no-activate verifies only; activate then works", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const res = await h.cli(["verify", "--token", await h.latestToken(), "--no-activate", "--json"]);
  expectExit(res, 0);
  assert.equal(oneJson(res).verified, true);
  assert.equal(h.sandbox.webhook()?.status, "pending");
  expectExit(await h.cli(["activate"]), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");
});

test("update-url keeps events and settings unless given; --remove-secret sends an empty secret", async (t) => {
  const h = await harness(t);
  await createActive(h, ["--events", "certificate_issued,domain_expired", "--frequency", "7,0"]);
  const res = await h.cli([
    "update-url",
    "--url",
    h.receiver.url.replace("/hook", "/v2"),
    "--remove-secret",
    "--no-verify",
    "--json",
  ]);
  expectExit(res, 0);
  const put = h.sandbox.requests.find((r) => r.route === "PUT /webhook/:id");
  assert.deepEqual(body(put!), {
    endpoint: h.receiver.url.replace("/hook", "/v2"),
    events: ["certificate_issued", "domain_expired"],
    secret: "",
  });
  assert.equal(oneJson(res).secret_removed, true);
  assert.deepEqual(h.sandbox.webhook()?.webhook_settings.webhook_notification_frequency, [7, 0]);

  const res2 = await h.cli(["update-url", "--url", h.receiver.url, "--instant", "--no-verify"]);
  expectExit(res2, 0);
  const put2 = h.sandbox.requests.filter((r) => r.route === "PUT /webhook/:id").at(-1);
  const settings = body(put2!).webhook_settings as Record<string, unknown>;
  assert.equal(settings.instant_issue_webhook_notification, "1");
  assert.deepEqual(settings.webhook_notification_frequency, [7, 0], "current settings kept");
});

test("logs: table, --json {events, page}, filters, and --all following page.total", async (t) => {
  const h = await harness(t);
  await createActive(h);
  await h.sandbox.emit("certificate_issued", { order_id: 470091052, certificate_id: 471270113 });

  const table = await h.cli(["logs"]);
  expectExit(table, 0);
  assert.match(table.stdout, /^TIME \(UTC\)\s+EVENT\s+STATUS\s+CODE\s+IDS/);
  assert.match(table.stdout, /certificate_issued\s+success\s+200\s+order 470091052\s+cert 471270113/);

  const json = await h.cli(["logs", "--json"]);
  const all = oneJson(json) as { events: { event_name: string }[]; page: { total: number } };
  assert.equal(all.events.length, all.page.total);
  assert.ok(all.page.total >= 3);

  const filtered = oneJson(await h.cli(["logs", "--event", "certificate_issued", "--json"])) as typeof all;
  assert.deepEqual(
    filtered.events.map((e) => e.event_name),
    ["certificate_issued"],
  );
  const q = h.sandbox.requests.filter((r) => r.route === "GET /webhook/:id/event-logs").at(-1);
  assert.equal(q?.query["filters[event_name]"], "certificate_issued");

  const paged = await h.cli(["logs", "--limit", "1", "--all", "--json"]);
  expectExit(paged, 0);
  const pagedJson = oneJson(paged) as typeof all;
  assert.deepEqual(
    pagedJson.events.map((e) => e.event_name),
    all.events.map((e) => e.event_name),
  );
  const pages = h.sandbox.requests.filter(
    (r) => r.route === "GET /webhook/:id/event-logs" && r.query.limit === "1",
  );
  assert.equal(pages.length, all.page.total);
  // The page as CertCentral means it (the limit each request sent), and how many pages were read.
  assert.deepEqual((pagedJson as unknown as { page: unknown }).page, {
    total: all.page.total,
    limit: 1,
    offset: 0,
    pages: all.page.total,
  });

  const partial = await h.cli(["logs", "--limit", "1"]);
  assert.match(partial.stderr, /--offset 1 or --all/);
});

test("delete --yes removes the webhook (sandbox extension); status then exits 5", async (t) => {
  const h = await harness(t);
  const id = await createActive(h);
  const res = await h.cli(["delete", "--yes", "--json"]);
  expectExit(res, 0);
  assert.deepEqual(oneJson(res), { id, deleted: true, changed: true });
  expectExit(await h.cli(["status"]), 5);
});

test("Slack endpoint: accepted, explained, token read from the Slack message, then verified", async (t) => {
  // The sandbox re-points hooks.slack.com deliveries at the loopback receiver and sends Slack messages.
  const probe = await harness(t);
  const slackHost = new URL(probe.receiver.url).host;
  const h = await harness(t, { slackHost });
  // The receiver of `probe` gets the Slack-formatted deliveries.
  const slackUrl = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX";
  const home = tempDir();
  const res = await h.cli(["create", "--url", slackUrl, "--json"], { configHome: home });
  expectExit(res, 0);
  assert.match(res.stderr, /Slack/);
  assert.match(res.stderr, /Slack channel/);
  assert.doesNotMatch(res.stderr, /endpoint accepted the test event/);
  // While the token is open, status says where a Slack endpoint's token shows up: not in a JSON event.
  const pending = await h.cli(["status"], { configHome: home });
  expectExit(pending, 0);
  const said = pending.stdout + pending.stderr;
  assert.match(said, /the token in CertCentral's challenge message in the Slack channel/);
  assert.doesNotMatch(said, /data\.token/);
  const message = probe.receiver.received
    .map((r) => (r.json as { text?: string }).text ?? "")
    .find((text) => text.includes("Token:"));
  assert.ok(message, "the challenge reached the Slack channel as a message");
  const token = /Token: (\S+)/.exec(message)?.[1] as string;
  expectExit(await h.cli(["verify", "--token", token]), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");

  const tested = await h.cli(["test"]);
  expectExit(tested, 0);
  assert.match(tested.stderr, /Slack channel/);
  assert.doesNotMatch(tested.stderr, /answered 2xx/);

  // Slack answering 404 (a revoked URL): explained as Slack's refusal, not as a receiver that is down.
  probe.receiver.script.push(404);
  const failed = await h.cli(["test", "--json"]);
  expectExit(failed, 3);
  assert.equal((oneJson(failed).error as { code: string }).code, "webhook_endpoint_error");
  assert.match(failed.stderr, /Slack did not accept/);
  assert.doesNotMatch(failed.stderr, /receiver running/);
});
