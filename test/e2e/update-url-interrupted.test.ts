// update-url stopped while its PUT /webhook/{id} is out (or while its answer is being checked) reads the account
// back once: where the webhook now points (the new URL, pending again, with the next step; the old one; or
// unknown) is said, and carried by the --json error document. The exit code stays the interruption's. Against
// a strict scripted CertCentral that holds the PUT (or the read-back after a timeout) open until certwh is stopped.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { type ScriptedAnswer, type ScriptedApi, scriptedApi } from "../helpers/scripted-api.js";
import { expectExit, oneJson, stopAtRequest, stopTwiceAtRequests } from "./lifecycle-support.js";

const OLD = "https://hooks.example.com/old";
const NEW = "https://hooks.example.com/new";
/** Longer than any test: the answer never comes before certwh is stopped. */
const HELD = 60_000;
const hook = (endpoint: string, status: string) => ({
  webhooks: [{ id: 7, endpoint, status, events: ["certificate_issued"] }],
});
const GET_OLD: ScriptedAnswer = { route: "GET /webhook", status: 200, body: hook(OLD, "active") };
const HELD_PUT: ScriptedAnswer = { route: "PUT /webhook/7", status: 204, delayMs: HELD };

/** Stops the command with `signal` once the `n`th request reached the scripted CertCentral. */
const stopAt = (
  t: TestContext,
  api: ScriptedApi,
  n: number,
  args: string[],
  signal: NodeJS.Signals = "SIGINT",
  env: Record<string, string> = {},
) => stopAtRequest(t, api, ["update-url", "--url", NEW, ...args], n, signal, env);

/** Ctrl-C once the change is out, and again during the read-back after it. */
const stopTwice = (t: TestContext, api: ScriptedApi, args: string[]) =>
  stopTwiceAtRequests(t, api, ["update-url", "--url", NEW, ...args]);

test("update-url --json interrupted mid-PUT, the change applied: the error document carries id, new endpoint and status pending, with the next steps (exit 130)", async (t) => {
  const api = await scriptedApi(t, [
    GET_OLD,
    HELD_PUT,
    { route: "GET /webhook", status: 200, body: hook(NEW, "pending") },
  ]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual(doc.error, { exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." });
  assert.deepEqual(
    { id: doc.id, endpoint: doc.endpoint, status: doc.status },
    { id: 7, endpoint: NEW, status: "pending" },
  );
  assert.match(
    res.stderr,
    /Webhook 7 now points at https:\/\/hooks\.example\.com\/new \(status pending\): CertCentral applied the update/,
  );
  assert.match(res.stderr, /`certwh challenge` and `certwh verify --token <token>`/);
  assert.doesNotMatch(res.stderr, /may have applied the update anyway/);
});

test("update-url interrupted mid-PUT by SIGTERM, not applied: the webhook still points at the old URL, said so (exit 143)", async (t) => {
  const api = await scriptedApi(t, [GET_OLD, HELD_PUT, GET_OLD]);
  const res = await stopAt(t, api, 2, [], "SIGTERM");
  expectExit(res, 143);
  assert.equal(res.stdout, "");
  assert.match(res.stderr, /Interrupted by SIGTERM\./);
  assert.match(
    res.stderr,
    /Webhook 7 still points at https:\/\/hooks\.example\.com\/old \(status active\): CertCentral did not apply the update/,
  );
  assert.match(res.stderr, /`certwh status`/);
  assert.doesNotMatch(res.stderr, /now points at/);
});

test("update-url --json interrupted mid-PUT, not applied: the document carries the webhook at the old endpoint", async (t) => {
  const api = await scriptedApi(t, [GET_OLD, HELD_PUT, GET_OLD]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.deepEqual(
    { id: doc.id, endpoint: doc.endpoint, status: doc.status },
    { id: 7, endpoint: OLD, status: "active" },
  );
});

test("update-url interrupted mid-PUT, the read-back fails: the state is unknown and `certwh status` is named", async (t) => {
  const api = await scriptedApi(t, [
    GET_OLD,
    HELD_PUT,
    // An answer certwh cannot read (not retried): where the webhook points stays unknown.
    { route: "GET /webhook", status: 200, body: { webhooks: "unreadable" } },
  ]);
  const res = await stopAt(t, api, 2, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.equal(doc.id, undefined);
  assert.match(
    res.stderr,
    /The account could not be read back, so whether CertCentral applied the update is unknown: check `certwh status`/,
  );
});

test("update-url --json timed out, stopped while the account was being read back: the applied change is in the error document", async (t) => {
  const api = await scriptedApi(t, [
    GET_OLD,
    HELD_PUT,
    // The look after the timeout gets no answer before the stop; the look after the stop does.
    { route: "GET /webhook", status: 200, body: hook(OLD, "active"), delayMs: HELD },
    { route: "GET /webhook", status: 200, body: hook(NEW, "pending") },
  ]);
  const res = await stopAt(t, api, 3, ["--json"], "SIGINT", { CERTWH_REQUEST_TIMEOUT: "1" });
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.deepEqual(
    { id: doc.id, endpoint: doc.endpoint, status: doc.status },
    { id: 7, endpoint: NEW, status: "pending" },
  );
  assert.match(res.stderr, /Webhook 7 now points at/);
});

const HELD_READ_BACK: ScriptedAnswer = {
  route: "GET /webhook",
  status: 200,
  body: hook(NEW, "pending"),
  delayMs: HELD,
};

test("update-url --json, a second Ctrl-C while the account is read back: the read-back ends at once and one error document says the state is unknown (exit 130)", async (t) => {
  const api = await scriptedApi(t, [GET_OLD, HELD_PUT, HELD_READ_BACK]);
  const res = await stopTwice(t, api, ["--json"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual(doc.error, { exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." });
  assert.equal(doc.id, undefined);
  assert.match(res.stderr, /Interrupted again: not waiting any longer/);
  assert.match(
    res.stderr,
    /The account was not read back \(cut short\), so whether CertCentral applied the update is unknown: check `certwh status`/,
  );
});

test("update-url, a second Ctrl-C while the account is read back (no --json): nothing on stdout, the state unknown with `certwh status` (exit 130)", async (t) => {
  const api = await scriptedApi(t, [GET_OLD, HELD_PUT, HELD_READ_BACK]);
  const res = await stopTwice(t, api, []);
  expectExit(res, 130);
  assert.equal(res.stdout, "");
  assert.match(res.stderr, /Interrupted by SIGINT\./);
  assert.match(
    res.stderr,
    /The account was not read back \(cut short\), so whether CertCentral applied the update is unknown: check `certwh status`/,
  );
  assert.doesNotMatch(res.stderr, /exiting now/);
});

test("update-url --json --generate-secret interrupted mid-PUT, the change applied: the document carries the generated secret in full, changed true", async (t) => {
  const api = await scriptedApi(t, [
    GET_OLD,
    HELD_PUT,
    { route: "GET /webhook", status: 200, body: hook(NEW, "pending") },
  ]);
  const res = await stopAt(t, api, 2, ["--json", "--generate-secret"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.equal((doc.error as Record<string, unknown>).code, "interrupted");
  assert.deepEqual(
    { id: doc.id, endpoint: doc.endpoint, status: doc.status, changed: doc.changed },
    { id: 7, endpoint: NEW, status: "pending", changed: true },
  );
  const sent = (api.requests[1]?.json as { secret?: string } | undefined)?.secret;
  assert.ok(sent, "update-url sent a generated secret");
  assert.equal(doc.secret, sent);
  assert.ok(!res.stderr.includes(sent), "the secret is on stdout only");
  assert.match(res.stderr, /Webhook 7 now points at/);
  assert.match(res.stderr, /`certwh status --show-secret` shows it/);
  assert.doesNotMatch(res.stderr, /If it did/);
});

test("update-url --json --generate-secret interrupted mid-PUT, not applied: no secret in the document, and the note keeps its may", async (t) => {
  const api = await scriptedApi(t, [GET_OLD, HELD_PUT, GET_OLD]);
  const res = await stopAt(t, api, 2, ["--json", "--generate-secret"]);
  expectExit(res, 130);
  const doc = oneJson(res);
  assert.deepEqual({ id: doc.id, endpoint: doc.endpoint }, { id: 7, endpoint: OLD });
  assert.equal(doc.secret, undefined);
  assert.match(res.stderr, /If it did, `certwh status --show-secret` shows the generated secret/);
});
