// update-url reads the webhook back after the PUT: when CertCentral still reports the old endpoint, it says
// so and fails (exit 3) instead of "now points at"; a read-back that differs only in spelling (host case, a
// default port) is the same URL. Against a strict scripted CertCentral on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli, spawnCli } from "../helpers/cli.js";
import { scriptedApi } from "../helpers/scripted-api.js";
import { poll } from "../helpers/wait.js";
import { expectExit, oneJson } from "./lifecycle-support.js";

const OLD = "https://hooks.example.com/old";
const NEW = "https://hooks.example.com/new";
const hook = (endpoint: string, status = "active") => ({
  webhooks: [{ id: 7, endpoint, status, events: ["certificate_issued"] }],
});

test("update-url: the read-back still shows the old endpoint → exit 3, no 'now points at', nothing verified", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: hook(OLD) },
  ]);
  const res = await runCli(["update-url", "--url", NEW], { env: api.env });
  expectExit(res, 3);
  assert.match(res.stderr, /still reports the old endpoint https:\/\/hooks\.example\.com\/old after it/);
  assert.match(res.stderr, /certwh status/);
  assert.doesNotMatch(res.stderr, /now points at/);
});

test("update-url --json: the same failure is endpoint_not_updated, with the id", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: hook(OLD) },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--json"], { env: api.env });
  expectExit(res, 3);
  const doc = oneJson(res);
  assert.deepEqual(doc.error, {
    exit_code: 3,
    code: "endpoint_not_updated",
    message: `CertCentral accepted the update, but still reports the old endpoint ${OLD} after it, not ${NEW}.`,
  });
  assert.equal(doc.id, 7);
  // The document describes the webhook as CertCentral reports it, not as it was asked to be.
  assert.equal(doc.endpoint, OLD);
  assert.equal(doc.changed, false);
  assert.match(res.stderr, /then `certwh update-url --url https:\/\/hooks\.example\.com\/new` again/);
});

test("update-url --generate-secret --json, not applied: the document carries no secret the webhook does not use", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: hook(OLD) },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--generate-secret", "--json"], { env: api.env });
  expectExit(res, 3);
  const doc = oneJson(res);
  assert.equal(doc.endpoint, OLD);
  assert.equal("secret" in doc, false, JSON.stringify(doc));
  assert.match(res.stderr, /The generated secret was not applied either/);
});

test("update-url: a read-back in another spelling of the same URL (host case, :443) counts as moved", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: hook("https://HOOKS.example.com:443/new") },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--json"], { env: api.env });
  expectExit(res, 0);
  assert.match(res.stderr, /now points at https:\/\/hooks\.example\.com\/new/);
  assert.equal(oneJson(res).status, "active");
});

test("update-url --generate-secret --json, interrupted during the read-back: exit 130, the secret kept, nothing claimed", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: hook(NEW, "pending"), delayMs: 3000 },
  ]);
  const run = spawnCli(t, ["update-url", "--url", NEW, "--generate-secret", "--json"], { env: api.env });
  await poll(() => api.requests.length === 3, { timeoutMs: 10_000 });
  run.child.kill("SIGINT");
  const { code } = await run.exit;
  const stderr = run.stderr();
  assert.equal(code, 130, stderr);
  const lines = run.stdout().trim().split("\n");
  assert.equal(lines.length, 1, run.stdout());
  const doc = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
  assert.equal((doc.error as { code: string }).code, "interrupted");
  // CertCentral accepted the update, so the secret it now sends is in the document, once.
  assert.equal(doc.id, 7);
  assert.equal(typeof doc.secret, "string");
  assert.ok((doc.secret as string).length >= 32);
  // Not read back: stderr says what is known and how to find out the rest, not "now points at".
  assert.doesNotMatch(stderr, /now points at/);
  assert.match(
    stderr,
    /accepted the update of webhook 7 to https:\/\/hooks\.example\.com\/new; certwh stopped before reading it back/,
  );
  assert.match(stderr, /certwh status/);
});

test("update-url refused by CertCentral: the webhook is unchanged, said on stderr and in the --json document", async (t) => {
  const refusal = { errors: [{ code: "webhook_endpoint_error", message: "The endpoint did not answer." }] };
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 400, body: refusal },
    { route: "GET /webhook", status: 200, body: hook(OLD) },
    { route: "PUT /webhook/7", status: 400, body: refusal },
  ]);
  const human = await runCli(["update-url", "--url", NEW], { env: api.env });
  expectExit(human, 3);
  assert.match(
    human.stderr,
    /Webhook 7 is unchanged: it still points at https:\/\/hooks\.example\.com\/old \(active\)\./,
  );
  const res = await runCli(["update-url", "--url", NEW, "--json"], { env: api.env });
  expectExit(res, 3);
  const doc = oneJson(res);
  assert.equal((doc.error as { code: string }).code, "webhook_endpoint_error");
  assert.equal(doc.id, 7);
  assert.equal(doc.endpoint, OLD);
  assert.equal(doc.changed, false);
});
