// Confirm by reading back (issue 10), through the built CLI against the sandbox: an activate or deactivate
// that ends in a timeout, a retry's refusal or webhook_invalid_action is checked with GET /webhook, and the
// target state is success; deactivate asks CertCentral about a pending webhook; update-url verifies only a
// webhook that did not stay active; status after verify --no-activate; logs at CertCentral's page size.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import { cliArgv, cliEnv, tempDir } from "../helpers/cli.js";
import { sleep } from "../helpers/wait.js";
import { createActive, expectExit, harness, oneJson } from "./lifecycle-support.js";

const INVALID_ACTION = JSON.stringify({
  errors: [
    {
      code: "webhook_invalid_action",
      message:
        "The webhook cannot be activated/deactivated. Make sure you have completed the verification challenge and try again.",
    },
  ],
});

/** The first attempt outlives the client's 1 s timeout (the least accepted); the sandbox still applies it
 * (at 1.5 s), before the retry (≥ 2 s, after the 1 s backoff) arrives. */
const SLOW = { delayMs: 1500 };
const SHORT_TIMEOUT = { CERTWH_REQUEST_TIMEOUT: "1" };

const count = (routes: string[], route: string) => routes.filter((r) => r === route).length;

test("activate: timed out but applied, the retry refused (activate-active-400) → read back active, exit 0", async (t) => {
  const h = await harness(t, { quirks: ["activate-active-400"] });
  await createActive(h);
  expectExit(await h.cli(["deactivate"]), 0);
  const before = count(h.routes(), "PUT /webhook/:id/activate");
  h.sandbox.inject("PUT /webhook/:id/activate", SLOW);
  const res = await h.cli(["activate", "--json"], { env: SHORT_TIMEOUT });
  expectExit(res, 0);
  assert.match(
    res.stderr,
    /refused to activate webhook \d+ \(400 webhook_invalid_action\), but reading it back shows it is active/,
  );
  assert.deepEqual(
    { status: oneJson(res).status, read_back: oneJson(res).read_back },
    { status: "active", read_back: true },
  );
  assert.equal(h.sandbox.webhook()?.status, "active");
  assert.equal(count(h.routes(), "PUT /webhook/:id/activate"), before + 2, "one retry after the timeout");
});

test("activate: the default profile's retry gets 204 (no read-back note)", async (t) => {
  const h = await harness(t);
  await createActive(h);
  expectExit(await h.cli(["deactivate"]), 0);
  h.sandbox.inject("PUT /webhook/:id/activate", SLOW);
  const res = await h.cli(["activate"], { env: SHORT_TIMEOUT });
  expectExit(res, 0);
  assert.doesNotMatch(res.stderr, /reading it back/);
  assert.match(res.stderr, /is active/);
});

test("activate: an unverified webhook is still refused after the read-back (exit 3)", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const res = await h.cli(["activate"]);
  expectExit(res, 3);
  assert.match(res.stderr, /cannot be activated yet/);
  assert.ok(h.routes().includes("GET /webhook"));
  // --json: the webhook as read back beside the error, as after a change that got no answer.
  const json = await h.cli(["activate", "--json"]);
  expectExit(json, 3);
  const doc = oneJson(json);
  assert.equal((doc.error as Record<string, unknown>).code, "webhook_invalid_action", json.stdout);
  assert.equal(doc.status, "pending", json.stdout);
  assert.equal(doc.id, h.sandbox.webhook()?.id, json.stdout);
});

test("deactivate: timed out but applied, the retry refused → read back inactive, exit 0", async (t) => {
  const h = await harness(t);
  await createActive(h);
  h.sandbox.inject("PUT /webhook/:id/deactivate", SLOW, { status: 400, body: INVALID_ACTION });
  const res = await h.cli(["deactivate", "--json"], { env: SHORT_TIMEOUT });
  expectExit(res, 0);
  assert.match(res.stderr, /refused to deactivate webhook \d+ .*but reading it back shows it is inactive/);
  assert.equal(oneJson(res).status, "inactive");
  assert.equal(h.sandbox.webhook()?.status, "inactive");
});

test("deactivate: refused and still active on read-back → exit 3", async (t) => {
  const h = await harness(t);
  await createActive(h);
  h.sandbox.inject("PUT /webhook/:id/deactivate", { status: 400, body: INVALID_ACTION });
  const res = await h.cli(["deactivate"]);
  expectExit(res, 3);
  assert.match(res.stderr, /CertCentral refused to deactivate webhook \d+ \(status active\)/);
});

test("deactivate on pending: CertCentral refuses (default profile) → exit 0, no events anyway", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const res = await h.cli(["deactivate", "--json"]);
  expectExit(res, 0);
  assert.ok(h.routes().includes("PUT /webhook/:id/deactivate"), "CertCentral is asked");
  assert.match(
    res.stderr,
    /stays pending, so CertCentral sends it no events anyway: a pending webhook receives no events until it is verified and activated/,
  );
  assert.deepEqual(
    { status: oneJson(res).status, changed: oneJson(res).changed },
    { status: "pending", changed: false },
  );
});

test("deactivate on pending: CertCentral answers 204 and it stays pending (deactivate-pending-204) → exit 0, said as read back", async (t) => {
  const h = await harness(t, { quirks: ["deactivate-pending-204"] });
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const res = await h.cli(["deactivate"]);
  expectExit(res, 0);
  assert.match(
    res.stderr,
    /Webhook \d+ stays pending \(CertCentral accepted the deactivate and changed nothing\)/,
  );
  assert.doesNotMatch(res.stderr, /Deactivated/);
  const json = oneJson(await h.cli(["deactivate", "--json"]));
  assert.deepEqual({ status: json.status, changed: json.changed }, { status: "pending", changed: false });
  // The README's idempotent CI recipe: a second run is fine too.
  expectExit(await h.cli(["deactivate"]), 0);
});

test("update-url with the same URL (settings only) on an active webhook: read back, no challenge, no token", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const before = count(h.routes(), "PUT /webhook/:id/send-challenge");
  const res = await h.cli(["update-url", "--url", h.receiver.url, "--chain", "--json"]);
  expectExit(res, 0);
  assert.equal(count(h.routes(), "PUT /webhook/:id/send-challenge"), before, "no challenge sent");
  assert.match(res.stderr, /is still active \(read back after the update\), so certwh sends no challenge/);
  const out = oneJson(res);
  assert.equal(out.status, "active");
  assert.equal(out.reverified, false);
  assert.equal(h.sandbox.webhook()?.webhook_settings?.webhook_send_certificate_chain, "1");
});

test("update-url to a new URL, update-stays-active: read back active, no verification", async (t) => {
  const h = await harness(t, { quirks: ["update-stays-active"] });
  await createActive(h);
  const before = count(h.routes(), "PUT /webhook/:id/send-challenge");
  const url = `${h.receiver.url}/v2`;
  const res = await h.cli(["update-url", "--url", url]);
  expectExit(res, 0);
  assert.equal(count(h.routes(), "PUT /webhook/:id/send-challenge"), before, "no challenge sent");
  assert.match(res.stderr, /still active/);
  assert.equal(h.sandbox.webhook()?.endpoint, url);
  assert.equal(h.sandbox.webhook()?.status, "active");
});

for (const [profile, quirks, path] of [
  ["default profile, same URL (settings only)", [], ""],
  ["update-stays-active, new URL", ["update-stays-active"], "/v2"],
] as const) {
  test(`update-url on an inactive webhook, ${profile}: read back inactive, no challenge, next is activate`, async (t) => {
    const h = await harness(t, { quirks: [...quirks] });
    await createActive(h);
    expectExit(await h.cli(["deactivate"]), 0);
    const before = count(h.routes(), "PUT /webhook/:id/send-challenge");
    const url = `${h.receiver.url}${path}`;
    const res = await h.cli(["update-url", "--url", url, "--chain", "--json"]);
    expectExit(res, 0);
    assert.equal(count(h.routes(), "PUT /webhook/:id/send-challenge"), before, "no challenge sent");
    assert.match(res.stderr, /is still inactive \(read back after the update\)/);
    assert.match(res.stderr, /`certwh activate`/);
    assert.doesNotMatch(res.stderr, /certwh verify/);
    assert.deepEqual(
      { status: oneJson(res).status, next: oneJson(res).next },
      { status: "inactive", next: "certwh activate" },
    );
    assert.deepEqual([h.sandbox.webhook()?.endpoint, h.sandbox.webhook()?.status], [url, "inactive"]);
    // The step it names works: no new verification needed.
    expectExit(await h.cli(["activate"]), 0);
    assert.equal(h.sandbox.webhook()?.status, "active");
  });
}

test("update-url --wait on an inactive webhook that times out says it stays inactive and names activate", async (t) => {
  const h = await harness(t);
  await createActive(h);
  expectExit(await h.cli(["deactivate"]), 0);
  // The receiver answers the challenge but never submits the token: the wait runs out.
  const res = await h.cli(["update-url", "--url", h.receiver.url, "--chain", "--wait", "2s"]);
  expectExit(res, 6);
  assert.match(res.stderr, /stays inactive; it kept its verification, so `certwh activate` turns it on/);
  assert.doesNotMatch(res.stderr, /stays pending/);
  assert.equal(h.sandbox.webhook()?.status, "inactive");
});

test("update-url to a new URL, default profile: pending, so the challenge is sent as before", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const before = count(h.routes(), "PUT /webhook/:id/send-challenge");
  const res = await h.cli(["update-url", "--url", `${h.receiver.url}/v2`, "--json"]);
  expectExit(res, 0);
  assert.equal(count(h.routes(), "PUT /webhook/:id/send-challenge"), before + 1);
  assert.equal(oneJson(res).status, "pending");
});

test("verify on an active webhook with activate-active-400: the refused activate is read back, exit 0", async (t) => {
  const h = await harness(t, { quirks: ["activate-active-400"] });
  await createActive(h);
  expectExit(await h.cli(["challenge"]), 0);
  const token = await h.latestToken();
  const res = await h.cli(["verify", "--token", token]);
  expectExit(res, 0);
  assert.match(res.stderr, /refused to activate .* but reading it back shows it is active/);
  assert.match(res.stderr, /Verified: CertCentral accepted the challenge token/);
  assert.match(res.stderr, /is active: CertCentral now sends the subscribed events/);
});

test("status after verify --no-activate suggests certwh activate, not a new challenge", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"], { configHome }), 0);
  const fresh = await h.cli(["status"], { configHome });
  expectExit(fresh, 0);
  assert.match(fresh.stderr, /`certwh challenge` sends a token/);
  expectExit(await h.cli(["challenge"], { configHome }), 0);
  // A token is out: the next step is verify, not another challenge.
  const challenged = await h.cli(["status"], { configHome });
  assert.match(challenged.stderr, /certwh sent a challenge token to the endpoint, valid until \d\d:\d\d/);
  assert.match(challenged.stderr, /Next: `certwh verify --token <token>`/);
  const token = await h.latestToken();
  expectExit(await h.cli(["verify", "--token", token, "--no-activate"], { configHome }), 0);
  const res = await h.cli(["status"], { configHome });
  expectExit(res, 0);
  assert.match(res.stderr, /Next: `certwh activate`/);
  assert.doesNotMatch(res.stderr, /`certwh challenge` sends a token/);
  assert.equal(oneJson(await h.cli(["status", "--json"], { configHome })).next, "certwh activate");
  expectExit(await h.cli(["activate"], { configHome }), 0);
  assert.equal(
    oneJson(await h.cli(["status", "--json"], { configHome })).next,
    undefined,
    "active: no next step",
  );
});

test("status right after a create that sent the challenge names verify as the next step", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-input"], { configHome }), 0);
  const res = await h.cli(["status"], { configHome });
  assert.match(
    res.stderr,
    /Next: `certwh verify --token <token>` with data\.token of that challenge_webhook_endpoint event/,
  );
  const json = oneJson(await h.cli(["status", "--json"], { configHome }));
  assert.equal(json.next, "certwh verify --token <token>");
  assert.match(String(json.challenge_expires_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(
    oneJson(await h.cli(["status", "--json"], { configHome: tempDir() })).next,
    "certwh challenge",
  );
  assert.doesNotMatch(res.stderr, /`certwh challenge` sends a token/);
  // Another computer (no note) is told the general way.
  const elsewhere = await h.cli(["status"], { configHome: tempDir() });
  assert.match(elsewhere.stderr, /`certwh challenge` sends a token/);
});

test("while a token certwh sent is valid, a wrong token and activate point at that token, not a new challenge", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-input"], { configHome }), 0);
  const tokenOut = /certwh sent a challenge token to .*, valid until \d\d:\d\d.*voids it\./s;
  const wrong = await h.cli(["verify", "--token", "not-the-token"], { configHome });
  expectExit(wrong, 3);
  assert.match(wrong.stderr, tokenOut);
  assert.doesNotMatch(wrong.stderr, /Send a new one with `certwh challenge`/);
  const activate = await h.cli(["activate"], { configHome });
  expectExit(activate, 3);
  assert.match(activate.stderr, tokenOut);
  // Another computer (no note) is told the general way.
  const elsewhere = await h.cli(["verify", "--token", "not-the-token"], { configHome: tempDir() });
  expectExit(elsewhere, 3);
  assert.doesNotMatch(elsewhere.stderr, tokenOut);
  assert.match(elsewhere.stderr, /Send a new one with `certwh challenge`/);
  // The token it points at still works.
  expectExit(await h.cli(["verify", "--token", await h.latestToken()], { configHome }), 0);
});

test("a token the endpoint already used: verify's refusal, status and update-url --wait all name activate", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-input"], { configHome }), 0);
  const token = await h.latestToken();
  // The endpoint submits the token itself (another computer, no activate): certwh's token is spent.
  expectExit(await h.cli(["verify", "--token", token, "--no-activate"], { configHome: tempDir() }), 0);
  const used =
    /If that token was already accepted \(your endpoint submitted it, or a verify whose answer was lost\), `certwh activate` finishes instead\./;
  const again = await h.cli(["verify", "--token", token], { configHome });
  expectExit(again, 3);
  assert.match(again.stderr, used);
  const status = await h.cli(["status"], { configHome });
  assert.match(status.stderr, /If the token was already submitted .*`certwh activate` finishes\./);
  expectExit(await h.cli(["activate"], { configHome }), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");

  // --wait that runs out on a pending webhook: activate is named beside verify.
  const waited = await h.cli(["update-url", "--url", `${h.receiver.url}/moved`, "--wait", "2s"], {
    configHome,
  });
  expectExit(waited, 6);
  assert.match(
    waited.stderr,
    /submitted the token but did not activate, the token is spent: `certwh activate` finishes/,
  );
});

test("test-required with update-stays-active: activate on the re-pointed inactive webhook names `certwh test`, not a challenge", async (t) => {
  const h = await harness(t, { quirks: ["test-required", "update-stays-active"] });
  await createActive(h);
  expectExit(await h.cli(["deactivate"]), 0);
  expectExit(await h.cli(["update-url", "--url", `${h.receiver.url}/q3`]), 0);
  assert.equal(h.sandbox.webhook()?.status, "inactive");
  const activate = await h.cli(["activate"]);
  expectExit(activate, 3);
  assert.match(activate.stderr, /was verified, but CertCentral will not activate it \(status inactive\)/);
  assert.match(activate.stderr, /run `certwh test`, then `certwh activate`/);
  assert.doesNotMatch(activate.stderr, /certwh challenge/);
  expectExit(await h.cli(["test"]), 0);
  expectExit(await h.cli(["activate"]), 0);
});

test("a token verify used, or one a later update-url voided, is not named by status again", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  const url = h.receiver.url;
  expectExit(await h.cli(["create", "--url", url, "--no-input"], { configHome }), 0);
  expectExit(await h.cli(["verify", "--token", await h.latestToken()], { configHome }), 0);
  assert.equal(
    existsSync(join(configHome, "certwh", "challenged.json")),
    false,
    "verify forgets the used token",
  );
  // Away and back to the same endpoint: pending again, and the token from create is spent.
  expectExit(await h.cli(["update-url", "--url", `${url}/elsewhere`, "--no-verify"], { configHome }), 0);
  expectExit(await h.cli(["update-url", "--url", url, "--no-verify"], { configHome }), 0);
  const res = await h.cli(["status"], { configHome });
  expectExit(res, 0);
  assert.equal(h.sandbox.webhook()?.status, "pending");
  assert.doesNotMatch(res.stderr, /certwh sent a challenge token|valid until/);
  assert.match(res.stderr, /`certwh challenge` sends a token/);
});

test("logs --offset past the end says how many the log holds, not that nothing was logged", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const total = (oneJson(await h.cli(["logs", "--json"])).page as { total: number }).total;
  assert.ok(total > 0);
  const res = await h.cli(["logs", "--offset", "50"]);
  expectExit(res, 0);
  assert.match(
    res.stderr,
    new RegExp(
      `No deliveries from --offset 50: the log of webhook \\d+ holds ${total} \\(offsets 0 to ${total - 1}\\)`,
    ),
  );
  assert.doesNotMatch(res.stderr, /No deliveries logged/);
});

test("logs --all that fails on a later page keeps what it read and names the command for the rest", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const logs = "GET /webhook/:id/event-logs";
  const failing = Array.from({ length: API_ATTEMPTS }, () => ({ status: 500 }));
  h.sandbox.inject(logs, { delayMs: 0 }, ...failing); // the first page passes, every try of the second fails
  const json = await h.cli(["logs", "--all", "--limit", "1", "--json"]);
  expectExit(json, 3);
  const doc = oneJson(json) as { events: unknown[]; error: { code: string } };
  assert.equal(doc.events.length, 1, "the first page is kept");
  assert.equal(doc.error.code, "internal_error");
  assert.match(
    json.stderr,
    /The 1 entry read before it is shown; the rest: `certwh logs --all --offset 1 --limit 1`/,
  );
  h.sandbox.inject(logs, { delayMs: 0 }, ...failing);
  const table = await h.cli(["logs", "--all", "--limit", "1"]);
  expectExit(table, 3);
  assert.equal(table.stdout.trim().split("\n").length, 2, "header and the row read");
});

test("logs: a page that says the log holds entries but sends none is not called empty", async (t) => {
  const h = await harness(t);
  await createActive(h);
  h.sandbox.inject("GET /webhook/:id/event-logs", {
    status: 200,
    body: JSON.stringify({ events: [], page: { total: 100, limit: 1000, offset: 0 } }),
  });
  const res = await h.cli(["logs"]);
  expectExit(res, 0);
  assert.match(res.stderr, /holds 100, but it sent no entries/);
  assert.doesNotMatch(res.stderr, /No deliveries logged/);
});

test("logs --all with big-logs: explicit limit and offset, a full 1,000-entry page with chains, --sort sent", async (t) => {
  const h = await harness(t, { quirks: ["big-logs"] });
  await createActive(h);
  // The table: what is printed stays small (the --json answer has its own test below).
  const res = await h.cli(["logs", "--all", "--sort", "-request_sent_time"], { timeoutMs: 30_000 });
  expectExit(res, 0);
  const rows = res.stdout.trim().split("\n").slice(1);
  assert.ok(rows.length > 1000, `rows: ${rows.length}`);
  assert.equal(rows.filter((r) => r.includes("certificate_issued")).length >= 1000, true);
  const pages = h.sandbox.requests.filter((r) => r.route === "GET /webhook/:id/event-logs");
  assert.deepEqual(
    pages.map((r) => [r.query.limit, r.query.offset, r.query.sort]),
    [
      ["1000", "0", "-request_sent_time"],
      ["1000", "1000", "-request_sent_time"],
    ],
  );
});

test("a multi-MB --json answer to a reader that starts late arrives whole (the exit waits for stdout)", {
  timeout: 60_000,
}, async (t) => {
  const h = await harness(t, { quirks: ["big-logs"] });
  await createActive(h);
  const [node, ...args] = cliArgv(["logs", "--all", "--json"]);
  const env = cliEnv({ CERTWH_BASE_URL: h.sandbox.url, CERTWH_API_KEY: h.sandbox.apiKey });
  const child = spawn(node as string, args, { env, stdio: ["ignore", "pipe", "ignore"] });
  t.after(() => child.kill("SIGKILL"));
  const closed = once(child, "close");
  // Like `| less`: nothing is read for longer than the CLI's 1.5 s grace for stray handles.
  child.stdout.pause();
  await sleep(3000);
  const chunks: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  child.stdout.resume();
  const [code] = (await closed) as [number];
  assert.equal(code, 0);
  const text = Buffer.concat(chunks).toString("utf8");
  assert.ok(text.endsWith("}\n"), `stdout was cut short after ${text.length} characters`);
  assert.ok((JSON.parse(text) as { events: unknown[] }).events.length > 1000);
});

test("logs without flags sends limit=1000 and offset=0", async (t) => {
  const h = await harness(t);
  await createActive(h);
  expectExit(await h.cli(["logs"]), 0);
  const page = h.sandbox.requests.find((r) => r.route === "GET /webhook/:id/event-logs");
  assert.deepEqual({ limit: page?.query.limit, offset: page?.query.offset }, { limit: "1000", offset: "0" });
});

test("test-required: a failed test, then challenge and verify → the refusal to activate points at `certwh test`, which fixes it", async (t) => {
  const h = await harness(t, { quirks: ["test-required"] });
  const home = { configHome: tempDir() }; // one computer: verify's note is seen by status and activate
  const cli = (args: string[]) => h.cli(args, home);
  h.receiver.script.push(200, 500); // create's probe passes, its test event fails
  expectExit(await cli(["create", "--url", h.receiver.url, "--generate-secret", "--no-input"]), 3);
  const challenge = await cli(["challenge"]);
  expectExit(challenge, 0);
  // CertCentral answers 204 whether or not the delivery worked: certwh does not promise it arrived.
  assert.match(
    challenge.stderr,
    /CertCentral does not say whether it was delivered: if nothing arrives, `certwh logs`/,
  );
  const verify = await cli(["verify", "--token", await h.latestToken()]);
  expectExit(verify, 3);
  assert.match(verify.stderr, /CertCentral accepted the token but refused to activate webhook \d+\./);
  assert.match(verify.stderr, /run `certwh test`, then `certwh activate`/);
  assert.doesNotMatch(verify.stderr, /certwh challenge/, "a new challenge would not help");
  assert.match((await cli(["status"])).stderr, /certwh activate/, "status: activate next, not a challenge");
  const activate = await cli(["activate"]);
  expectExit(activate, 3);
  assert.match(activate.stderr, /was verified, but CertCentral will not activate it[\s\S]*`certwh test`/);
  const tested = await cli(["test"]);
  expectExit(tested, 0);
  // certwh knows what it sent, not what the delivery carried (handshake-no-key drops the key).
  assert.match(tested.stderr, /certwh sent the webhook's secret with the request, for X-WEBHOOK-KEY/);
  expectExit(await cli(["activate"]), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");
});
