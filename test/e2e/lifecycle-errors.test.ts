// Error paths of the lifecycle commands through the built CLI: exit codes, JSON error objects, hints,
// "no request on bad input", and the retry rules as they show at command level.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/cli.js";
import { createActive, expectExit, harness, oneJson } from "./lifecycle-support.js";

test("no webhook: every command that needs one exits 5 with a plain sentence", async (t) => {
  const h = await harness(t);
  for (const args of [
    ["status"],
    ["show"],
    ["activate"],
    ["deactivate"],
    ["challenge"],
    ["verify", "--token", "abc"],
    ["logs"],
    ["test"],
    ["delete", "--yes"],
    ["update-url", "--url", h.receiver.url],
  ]) {
    const res = await h.cli(args);
    expectExit(res, 5);
    assert.match(res.stderr, /No webhook is configured/, args.join(" "));
    assert.equal(res.stdout, "", args.join(" "));
  }
  const json = await h.cli(["status", "--json"]);
  expectExit(json, 5);
  assert.deepEqual((oneJson(json).error as { exit_code: number }).exit_code, 5);
  assert.ok(!h.routes().some((r) => r.startsWith("PUT") || r.startsWith("POST") || r.startsWith("DELETE")));
});

test("bad input is a usage error (exit 2) and sends no request", async (t) => {
  const h = await harness(t);
  const dir = tempDir();
  const shortFile = join(dir, "short");
  writeFileSync(shortFile, "too-short\n");
  const url = h.receiver.url;
  const cases: [string[], RegExp, Record<string, string>?][] = [
    [["create", "--url", "http://hooks.example.com/certcentral"], /https:\/\//],
    [
      ["create", "--url", "hooks.example.com/certcentral"],
      /Did you mean --url https:\/\/hooks\.example\.com\/certcentral\?/,
    ],
    [["create", "--url", "https://user:pw@hooks.example.com/x"], /user name or password/],
    [["create", "--url", url, "--secret-file", shortFile], /too short/],
    [["create", "--url", url, "--secret-file", join(dir, "missing")], /Cannot read the secret file/],
    [["create", "--url", url, "--secret-env", "WH_SECRET"], /not set or empty/],
    [
      ["create", "--url", url, "--secret-env", "WH_SECRET"],
      /whitespace/,
      { WH_SECRET: `${"a".repeat(32)} b` },
    ],
    [["create", "--url", url, "--generate-secret", "--secret-env", "X"], /only one of/],
    [["create", "--url", url, "--frequency", "90,45"], /--frequency/],
    [["create", "--url", url, "--events", "certificate_issued,,domain_expired"], /empty/],
    [["create", "--url", url, "--remove-secret"], /Unknown option/],
    [["update-url", "--url", "ftp://x.example.com/"], /https:\/\//],
    [["test", "--url", "http://example.com/hook"], /https:\/\//],
    [["verify", "--token", "   "], /--token is empty: give the token/],
    [["verify"], /--token/],
    [["logs", "--limit", "0"], /--limit/],
    [["logs", "--limit", "1001"], /--limit/],
    [["logs", "--offset", "-1"], /--offset/],
    [["delete"], /--yes/],
  ];
  for (const [args, message, env] of cases) {
    const res = await h.cli(args, { env });
    expectExit(res, 2);
    assert.match(res.stderr, message, args.join(" "));
  }
  assert.deepEqual(h.sandbox.requests, [], "no request reached the sandbox");
});

test("create refuses when a webhook exists: shows it, suggests update-url, exit 3, no second POST", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const before = h.routes().filter((r) => r === "POST /webhook").length;
  const res = await h.cli(["create", "--url", "https://hooks.example.com/other", "--json"]);
  expectExit(res, 3);
  assert.equal((oneJson(res).error as { code: string }).code, "webhook_configured_already");
  assert.match(res.stderr, /already has a webhook/);
  assert.match(res.stderr, new RegExp(`Endpoint\\s+${h.receiver.url}`));
  assert.match(res.stderr, /certwh update-url --url https:\/\/hooks\.example\.com\/other/);
  assert.equal(h.routes().filter((r) => r === "POST /webhook").length, before);
});

test("503 on send-challenge: exactly one send-challenge, exit 3, resume hint; status explains pending", async (t) => {
  const h = await harness(t);
  h.sandbox.inject("PUT /webhook/:id/send-challenge", { status: 503 });
  const res = await h.cli(["create", "--url", h.receiver.url]);
  expectExit(res, 3);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/send-challenge").length, 1);
  assert.match(res.stderr, /certwh challenge/);
  assert.match(res.stderr, /certwh verify --token <token>/);
  assert.equal(h.sandbox.webhook()?.status, "pending");
  const status = await h.cli(["status"]);
  expectExit(status, 0);
  assert.match(status.stdout, /Status\s+pending/);
  assert.match(status.stderr, /certwh challenge/);
});

test("endpoint errors: the test step fails with exit 3 and leaves a pending webhook", async (t) => {
  const h = await harness(t, { probe: { create: false } });
  h.receiver.script.push(500);
  const res = await h.cli(["create", "--url", h.receiver.url, "--json"]);
  expectExit(res, 3);
  assert.equal((oneJson(res).error as { code: string }).code, "webhook_endpoint_error");
  assert.match(res.stderr, /certwh test/);
  assert.ok(!h.routes().includes("PUT /webhook/:id/send-challenge"), "no challenge after a failed test");
  assert.equal(h.sandbox.webhook()?.status, "pending");

  h.receiver.script.push(503);
  const direct = await h.cli(["test"]);
  expectExit(direct, 3);
  assert.match(direct.stderr, /could not deliver/i);
});

test("wrong token → exit 3 webhook_invalid_token; one check-challenge; the webhook stays pending", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const res = await h.cli(["verify", "--token", "not-the-token", "--json"]);
  expectExit(res, 3);
  assert.equal((oneJson(res).error as { code: string }).code, "webhook_invalid_token");
  assert.match(res.stderr, /certwh challenge/);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/check-challenge").length, 1);
  assert.ok(!h.routes().includes("PUT /webhook/:id/activate"));
  assert.equal(h.sandbox.webhook()?.status, "pending");
});

test("activate before verification explains the challenge flow (exit 3); deactivate when pending asks, exit 0", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const on = await h.cli(["activate", "--json"]);
  expectExit(on, 3);
  assert.equal((oneJson(on).error as { code: string }).code, "webhook_invalid_action");
  assert.match(on.stderr, /certwh challenge/);
  assert.match(on.stderr, /certwh verify --token/);

  // CertCentral is asked (spec §17 #14); its refusal leaves a webhook that sends nothing anyway.
  const off = await h.cli(["deactivate"]);
  expectExit(off, 0);
  assert.match(off.stderr, /stays pending, so CertCentral sends it no events anyway/);
  assert.ok(h.routes().includes("PUT /webhook/:id/deactivate"), "CertCentral is asked");
});

test("delete: unsupported by CertCentral (404 not_found|route) → exit 3 suggesting deactivate", async (t) => {
  const h = await harness(t, { deleteExtension: false });
  await createActive(h);
  const res = await h.cli(["delete", "--yes", "--json"]);
  expectExit(res, 3);
  assert.equal((oneJson(res).error as { code: string }).code, "delete_not_supported");
  assert.match(res.stderr, /certwh deactivate/);
  assert.ok(h.sandbox.webhook(), "still there");
  const del = h.sandbox.requests.filter((r) => r.method === "DELETE");
  assert.deepEqual(
    del.map((r) => `${r.status} ${r.errorCode}`),
    ["404 not_found|route"],
    "exactly one DELETE, answered as an unknown route",
  );
});

test("delete refused with webhook_invalid_action: CertCentral's reason and deactivate, not a challenge", async (t) => {
  const h = await harness(t);
  await createActive(h);
  h.sandbox.inject("DELETE /webhook/:id", {
    status: 400,
    body: JSON.stringify({
      errors: [{ code: "webhook_invalid_action", message: "Deactivate the webhook first." }],
    }),
  });
  const res = await h.cli(["delete", "--yes", "--json"]);
  expectExit(res, 3);
  assert.equal((oneJson(res).error as { code: string }).code, "webhook_invalid_action");
  assert.match(
    res.stderr,
    /CertCentral will not delete webhook \d+ while it is active: Deactivate the webhook first\./,
  );
  assert.match(res.stderr, /run `certwh deactivate`, then `certwh delete`/);
  assert.doesNotMatch(res.stderr, /certwh challenge|verification challenge/);
  assert.ok(h.sandbox.webhook(), "still there");
});

test("authentication: a wrong key exits 4; a key without permission exits 4", async (t) => {
  const h = await harness(t);
  const wrong = await h.cli(["status", "--json"], { env: { CERTWH_API_KEY: "wrong-key-0123456789" } });
  expectExit(wrong, 4);
  assert.equal((oneJson(wrong).error as { exit_code: number }).exit_code, 4);
  assert.match(wrong.stderr, /CERTWH_API_KEY/);

  const none = await h.cli(["status"], { env: { CERTWH_API_KEY: undefined } });
  expectExit(none, 4);

  const f = await harness(t, { permission: "forbidden" });
  const forbidden = await f.cli(["create", "--url", f.receiver.url]);
  expectExit(forbidden, 4);
  assert.match(forbidden.stderr, /administrator/);
});

test("activate is retried on 503 (safe to repeat) and succeeds", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const token = await h.latestToken();
  expectExit(await h.cli(["verify", "--token", token, "--no-activate"]), 0);
  h.sandbox.inject("PUT /webhook/:id/activate", { status: 503 });
  const res = await h.cli(["activate"]);
  expectExit(res, 0);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/activate").length, 2);
  assert.equal(h.sandbox.webhook()?.status, "active");
});
