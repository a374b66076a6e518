// create stopped while its POST /webhook is out (or while its answer is being checked) reads the account back
// once: the webhook CertCentral created anyway is named with its state and the next step (and carried by the
// --json error document), so a CI script does not retry into "one webhook per account". Against a strict
// scripted CertCentral that holds the POST (or the read-back after a timeout) open until certwh is stopped.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";
import { type ScriptedAnswer, type ScriptedApi, scriptedApi } from "../helpers/scripted-api.js";
import { expectExit, oneJson, stopAtRequest, stopTwiceAtRequests } from "./lifecycle-support.js";

const URL = "https://hooks.example.com/certcentral";
/** Longer than any test: the answer never comes before certwh is stopped. */
const HELD = 60_000;
const none = { webhooks: [] };
const created = (endpoint = URL) => ({
  webhooks: [{ id: 7, endpoint, status: "pending", events: ["certificate_issued"] }],
});
const GET_NONE: ScriptedAnswer = { route: "GET /webhook", status: 200, body: none };
const HELD_POST: ScriptedAnswer = { route: "POST /webhook", status: 201, body: { id: 7 }, delayMs: HELD };

/** Stops the command with `signal` once the `n`th request reached the scripted CertCentral. */
const stopAt = (
  t: TestContext,
  api: ScriptedApi,
  n: number,
  args: string[],
  signal: NodeJS.Signals = "SIGINT",
  env: Record<string, string> = {},
) => stopAtRequest(t, api, ["create", "--url", URL, "--no-verify", ...args], n, signal, env);

/** Ctrl-C once the change is out, and again during the read-back after it. */
const stopTwice = (t: TestContext, api: ScriptedApi, args: string[]) =>
  stopTwiceAtRequests(t, api, ["create", "--url", URL, "--no-verify", ...args]);

test("create --json interrupted mid-POST, the webhook created anyway: the error document carries id, endpoint and status (exit 130)", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual(doc.error, { exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." });
  assert.deepEqual(
    { id: doc.id, endpoint: doc.endpoint, status: doc.status },
    { id: 7, endpoint: URL, status: "pending" },
  );
  assert.match(
    res.stderr,
    /Webhook 7 now exists for https:\/\/hooks\.example\.com\/certcentral \(status pending\)/,
  );
  assert.match(res.stderr, /do not run create again/);
  assert.match(res.stderr, /`certwh challenge` and `certwh verify --token <token>`/);
  assert.match(res.stderr, /`certwh delete` removes it/);
});

test("create interrupted mid-POST by SIGTERM (no --json): the message names the webhook, its state and the next steps (exit 143)", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await stopAt(t, api, 2, [], "SIGTERM");
  expectExit(res, 143);
  assert.equal(res.stdout, "");
  assert.match(res.stderr, /Interrupted by SIGTERM\./);
  assert.match(res.stderr, /Webhook 7 now exists .* \(status pending\)/);
  assert.match(res.stderr, /`certwh delete` removes it/);
  assert.doesNotMatch(res.stderr, /may have created the webhook anyway/);
});

test("create --json timed out, stopped while the account was being read back: the webhook created anyway is in the error document", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    // The look after the timeout gets no answer before the stop; the look after the stop does.
    { route: "GET /webhook", status: 200, body: none, delayMs: HELD },
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await stopAt(t, api, 3, ["--json"], "SIGINT", { CERTWH_REQUEST_TIMEOUT: "1" });
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.deepEqual({ id: doc.id, status: doc.status }, { id: 7, status: "pending" });
  assert.match(res.stderr, /Webhook 7 now exists/);
});

test("create --json answered 502 but created anyway: the read-back finds it and create carries on with its id (exit 0)", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    { route: "POST /webhook", status: 502, body: { errors: [{ code: "bad_gateway", message: "upstream" }] } },
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await runCli(["create", "--url", URL, "--no-verify", "--json"], { env: api.env });
  expectExit(res, 0);
  const doc = oneJson(res);
  assert.deepEqual({ id: doc.id, status: doc.status }, { id: 7, status: "pending" });
  assert.match(
    res.stderr,
    /CertCentral answered HTTP 502; reading the account back shows webhook 7 was created/,
  );
});

test("create interrupted mid-POST, the account shows another webhook: named with the update-url, in the document too", async (t) => {
  const other = "https://hooks.example.com/other";
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created(other) },
  ]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual({ id: doc.id, endpoint: doc.endpoint }, { id: 7, endpoint: other });
  assert.match(
    res.stderr,
    /now has webhook 7 at https:\/\/hooks\.example\.com\/other \(status pending\), not at/,
  );
  assert.ok(res.stderr.includes(`\`certwh update-url --url ${URL} --no-verify\``), res.stderr);
});

test("create interrupted mid-POST, the account shows no webhook: said so, status named, no webhook in the document", async (t) => {
  const api = await scriptedApi(t, [GET_NONE, HELD_POST, GET_NONE]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.equal(doc.id, undefined);
  assert.match(res.stderr, /Reading the account back shows no webhook/);
  assert.match(res.stderr, /`certwh status`/);
});

test("create interrupted mid-POST, the read-back fails: the state is unknown and `certwh status` is named", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    // An answer certwh cannot read (not retried): the account's state stays unknown.
    { route: "GET /webhook", status: 200, body: { webhooks: "unreadable" } },
  ]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.equal(doc.id, undefined);
  assert.match(
    res.stderr,
    /The account could not be read back, so whether CertCentral created the webhook is unknown: check `certwh status`/,
  );
});

test("create --json, a second Ctrl-C while the account is read back: the read-back ends at once and one error document says the state is unknown (exit 130)", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created(), delayMs: HELD },
  ]);
  const res = await stopTwice(t, api, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual(doc.error, { exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." });
  assert.equal(doc.id, undefined);
  assert.match(res.stderr, /Interrupted again: not waiting any longer/);
  assert.match(
    res.stderr,
    /The account was not read back \(cut short\), so whether CertCentral created the webhook is unknown: check `certwh status`/,
  );
});

test("create --json --generate-secret interrupted mid-POST, the webhook created anyway: the document carries the generated secret in full, changed true", async (t) => {
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await stopAt(t, api, 2, ["--json", "--generate-secret"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.deepEqual(
    { id: doc.id, status: doc.status, changed: doc.changed },
    { id: 7, status: "pending", changed: true },
  );
  const sent = (api.requests[1]?.json as { secret?: string } | undefined)?.secret;
  assert.ok(sent, "create sent a generated secret");
  assert.equal(doc.secret, sent);
  assert.ok(!res.stderr.includes(sent), "the secret is on stdout only");
  assert.match(res.stderr, /Webhook 7 now exists/);
  assert.match(res.stderr, /`certwh status --show-secret` shows it/);
  assert.doesNotMatch(res.stderr, /If it did/);
});

test("create --generate-secret --secret-out interrupted mid-POST, the webhook created anyway: the webhook uses the secret in the file, said as certain", async (t) => {
  const file = join(tempDir(), "secret.txt");
  const api = await scriptedApi(t, [
    GET_NONE,
    HELD_POST,
    { route: "GET /webhook", status: 200, body: created() },
  ]);
  const res = await stopAt(t, api, 2, ["--json", "--generate-secret", "--secret-out", file]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual(
    { id: doc.id, secret_file: doc.secret_file, changed: doc.changed },
    { id: 7, secret_file: file, changed: true },
  );
  assert.notEqual(doc.secret, readFileSync(file, "utf8").trim(), "masked: the file holds it");
  assert.ok(res.stderr.includes(`The webhook uses the secret in ${file}.`), res.stderr);
  assert.doesNotMatch(res.stderr, /may already use/);
});
