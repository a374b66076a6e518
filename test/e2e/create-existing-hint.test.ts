// create on an account that already has its webhook: the hint's update-url carries every flag update-url
// also takes (never a secret value), and says so when the webhook already points at that URL; a secret
// refused on update-url suggests update-url's own --generate-secret. Against a strict scripted CertCentral.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";
import { scriptedApi } from "../helpers/scripted-api.js";
import { expectExit } from "./lifecycle-support.js";

const OLD = "https://hooks.example.com/old";
const NEW = "https://hooks.example.com/new";
const SECRET = "env-secret-CANARY-0123456789abcdefghijklmnop";
const existing = { webhooks: [{ id: 7, endpoint: OLD, status: "active", events: ["certificate_issued"] }] };

test("create with a webhook present: the suggested update-url keeps --event, settings, secret source and --wait", async (t) => {
  const api = await scriptedApi(t, [{ route: "GET /webhook", status: 200, body: existing }]);
  const out = join(tempDir(), "webhook.secret");
  const args = [
    "create",
    "--url",
    NEW,
    "--event",
    "certificate_issued",
    "--event",
    "certificate_revoked",
    "--generate-secret",
    "--secret-out",
    out,
    "--no-chain",
    "--instant",
    "--frequency",
    "30,7",
    "--wait",
    "5m",
  ];
  const res = await runCli(args, { env: api.env });
  expectExit(res, 3);
  const line =
    `certwh update-url --url ${NEW} --event certificate_issued --event certificate_revoked ` +
    `--generate-secret --secret-out ${out} --no-chain --instant --frequency 30,7 --wait 5m`;
  assert.ok(res.stderr.includes(`Point it at the new URL with \`${line}\``), res.stderr);
});

test("create with a webhook present: --secret-env, --events and --no-verify carried, the value never", async (t) => {
  const api = await scriptedApi(t, [{ route: "GET /webhook", status: 200, body: existing }]);
  const args = [
    "create",
    "--url",
    NEW,
    "--events",
    "certificate_issued,domain_expired",
    "--secret-env",
    "HOOK_SECRET",
    "--chain",
    "--no-verify",
  ];
  const res = await runCli(args, { env: { ...api.env, HOOK_SECRET: SECRET } });
  expectExit(res, 3);
  const line = `certwh update-url --url ${NEW} --events certificate_issued,domain_expired --secret-env HOOK_SECRET --chain --no-verify`;
  assert.ok(res.stderr.includes(line), res.stderr);
  assert.equal(res.stderr.includes(SECRET), false);
  assert.equal(res.stdout.includes(SECRET), false);
});

test("create with the webhook already at that URL: says it already points there, not 'Point it at the new URL'", async (t) => {
  const api = await scriptedApi(t, [{ route: "GET /webhook", status: 200, body: existing }]);
  const res = await runCli(["create", "--url", OLD, "--chain"], { env: api.env });
  expectExit(res, 3);
  assert.match(res.stderr, /already points at https:\/\/hooks\.example\.com\/old/);
  assert.doesNotMatch(res.stderr, /Point it at the new URL/);
  assert.ok(res.stderr.includes(`certwh update-url --url ${OLD} --chain`), res.stderr);
});

test("update-url with a refused --secret-file: the hint generates one with update-url, before any request", async (t) => {
  const api = await scriptedApi(t, []);
  const file = join(tempDir(), "short.secret");
  writeFileSync(file, "too-short\n", { mode: 0o600 });
  const res = await runCli(["update-url", "--url", NEW, "--secret-file", file], { env: api.env });
  expectExit(res, 2);
  assert.ok(
    res.stderr.includes(`Generate one with \`certwh update-url --url ${NEW} --generate-secret\``),
    res.stderr,
  );
  assert.doesNotMatch(res.stderr, /certwh create --generate-secret/);
});
