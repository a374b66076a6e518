// The README's library examples run as written: examples/receiver.mjs completes CertCentral's challenge
// by itself when `certwh create` points a webhook at it (against the sandbox standing in for CertCentral).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli, tempDir, watch } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";
import { poll } from "../helpers/wait.js";

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const SECRET = "example-secret-0123456789abcdefghijklmnop";

test("examples/receiver.mjs verifies and activates the webhook unattended", {
  timeout: 30_000,
}, async (t) => {
  const sandbox = await withSandbox(t);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    DIGICERT_BASE_URL: sandbox.url,
    DIGICERT_API_KEY: sandbox.apiKey,
    DIGICERT_WEBHOOK_SECRET: SECRET,
    DIGICERT_WEBHOOK_ID: "12345", // the sandbox's first webhook id
  };
  const app = watch(
    process.execPath,
    [example("receiver.mjs")],
    { env, cwd: tempDir(), killAfterMs: 30_000 },
    t,
  );
  await poll(() => app.stdout().includes("listening"), { timeoutMs: 5000, intervalMs: 50 });
  assert.match(app.stdout(), /listening/);

  const create = await runCli(
    ["create", "--url", `http://127.0.0.1:${port}/digicert/hook`, "--secret-env", "WEBHOOK_SECRET"],
    { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey, WEBHOOK_SECRET: SECRET } },
  );
  assert.equal(create.code, 0, create.stderr);
  await poll(() => sandbox.webhook()?.status === "active", { timeoutMs: 5000, intervalMs: 50 });
  assert.equal(sandbox.webhook()?.id, 12345);
  assert.equal(sandbox.webhook()?.status, "active", app.stdout());
  // The example prints its line just after the activate call returns: wait for it, do not race it.
  await app.until(() => app.stdout().includes("challenge activated"), "the example's activated line", 5000);
  assert.match(app.stdout(), /challenge activated/);

  // A settings-only update-url (same URL) leaves the webhook active: read back, no new challenge.
  const cli = { env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey } };
  const update = await runCli(
    ["update-url", "--url", `http://127.0.0.1:${port}/digicert/hook`, "--chain"],
    cli,
  );
  assert.equal(update.code, 0, update.stderr);
  assert.match(update.stderr, /still active/);
  const checks = () => sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge").length;
  assert.equal(checks(), 1);
  // A later challenge: the long-running receiver completes that one too.
  const challenge = await runCli(["challenge"], cli);
  assert.equal(challenge.code, 0, challenge.stderr);
  await poll(() => checks() >= 2, { timeoutMs: 5000, intervalMs: 50 });
  assert.equal(checks(), 2, app.stdout());
});

test("examples/sandbox.test.mjs passes as a user would run it", { timeout: 30_000 }, async () => {
  // Without NODE_TEST_CONTEXT the child reports as a top-level run, in TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = watch(process.execPath, ["--test", example("sandbox.test.mjs")], { env, killAfterMs: 30_000 });
  const { code } = await run.exit;
  const result = { code, out: run.stdout() + run.stderr() };
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /# pass 1/);
});
