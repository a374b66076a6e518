// Failures of the lifecycle commands through the built CLI: what is left behind (a --secret-out file),
// what the user is told after an ambiguous create/update/check-challenge, and the wording of API errors.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { createActive, expectExit, harness, oneJson } from "./lifecycle-support.js";

const posts = (routes: string[]) => routes.filter((r) => r === "POST /webhook").length;

test("create --secret-out: a definite refusal removes the file, so the same command works again", async (t) => {
  const h = await harness(t);
  const file = join(tempDir(), "s.secret");
  const args = ["create", "--url", h.receiver.url, "--generate-secret", "--secret-out", file, "--no-verify"];
  h.sandbox.inject("POST /webhook", { status: 400 });
  const refused = await h.cli(args);
  expectExit(refused, 3);
  assert.ok(!existsSync(file), "the secret file of a refused create is removed");
  assert.match(refused.stderr, /Removed .*s\.secret/);

  const again = await h.cli(args);
  expectExit(again, 0);
  assert.ok(existsSync(file));
  assert.equal(readFileSync(file, "utf8").trim(), h.sandbox.webhook()?.secret);
});

test("create --secret-out: an ambiguous failure keeps the file and says to check status; a rerun says what to do", async (t) => {
  const h = await harness(t);
  const file = join(tempDir(), "s.secret");
  const args = ["create", "--url", h.receiver.url, "--generate-secret", "--secret-out", file, "--no-verify"];
  h.sandbox.inject("POST /webhook", { status: 503 });
  const failed = await h.cli(args);
  expectExit(failed, 3);
  assert.equal(posts(h.routes()), 1, "create is never repeated");
  assert.ok(existsSync(file), "kept: CertCentral may have set that secret");
  assert.match(failed.stderr, /may have created the webhook/);
  assert.match(failed.stderr, /certwh status/);
  assert.match(failed.stderr, /s\.secret was kept/);

  const rerun = await h.cli(args);
  expectExit(rerun, 2);
  assert.match(rerun.stderr, /already exists/);
  assert.match(rerun.stderr, /Remove .*s\.secret|choose another path/);
  assert.match(rerun.stderr, /another path with --secret-out/);
  assert.equal(posts(h.routes()), 1, "nothing sent for the rerun");
});

test("update-url --secret-out: a refused PUT removes the file; an ambiguous one keeps it", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const dir = tempDir();
  const file = join(dir, "new.secret");
  const args = [
    "update-url",
    "--url",
    h.receiver.url,
    "--generate-secret",
    "--secret-out",
    file,
    "--no-verify",
  ];
  h.sandbox.inject("PUT /webhook/:id", { status: 400 });
  const refused = await h.cli(args);
  expectExit(refused, 3);
  assert.ok(!existsSync(file));

  h.sandbox.inject("PUT /webhook/:id", { drop: true });
  const dropped = await h.cli(args);
  expectExit(dropped, 3);
  assert.ok(existsSync(file));
  assert.match(dropped.stderr, /may have applied the update/);
  assert.match(dropped.stderr, /certwh status/);
});

test("create after a timeout: the webhook CertCentral was still creating is found by the second look", async (t) => {
  const h = await harness(t);
  // The POST is answered after 2 s; certwh gives up after 1 s and reads the account back.
  h.sandbox.inject("POST /webhook", { delayMs: 2000 });
  const res = await h.cli([
    "--request-timeout",
    "1",
    "create",
    "--url",
    h.receiver.url,
    "--no-verify",
    "--json",
  ]);
  expectExit(res, 0);
  const created = h.sandbox.webhook();
  assert.ok(created);
  assert.equal(oneJson(res).id, created.id);
  assert.equal(posts(h.routes()), 1);
});

test("create with no answer and no webhook to be found: exit 3, 'may have created it, check status'", async (t) => {
  const h = await harness(t);
  h.sandbox.inject("POST /webhook", { drop: true });
  const res = await h.cli(["create", "--url", h.receiver.url, "--no-verify"]);
  expectExit(res, 3);
  assert.match(res.stderr, /may have created the webhook anyway: check `certwh status` before retrying/);
  assert.equal(posts(h.routes()), 1);
  assert.equal(h.routes().filter((r) => r === "GET /webhook").length, 3, "one check first, two looks after");
});

test("verify: a dropped check-challenge says the token may have been accepted (never resent)", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const token = await h.latestToken();
  h.sandbox.inject("PUT /webhook/:id/check-challenge", { drop: true });
  const res = await h.cli(["verify", "--token", token]);
  expectExit(res, 3);
  assert.match(res.stderr, /may have accepted the token; certwh does not send it again by itself/);
  assert.match(res.stderr, /Run `certwh activate`: it works only if the token was accepted/);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/check-challenge").length, 1);
});

test("API error wording: HTML 400 names the status once; an unreadable 2xx is not a refusal; 5xx shows the snippet", async (t) => {
  const h = await harness(t);
  h.sandbox.inject("GET /webhook", {
    status: 400,
    body: "<html><h1>400 Bad Request</h1><p>nginx</p></html>",
  });
  const html = await h.cli(["status"]);
  expectExit(html, 3);
  assert.equal(html.stderr.match(/HTTP 400/g)?.length, 1, html.stderr);
  assert.match(html.stderr, /400 Bad Request nginx/);

  h.sandbox.inject("GET /webhook", { status: 200, body: "<html>Sign in</html>" });
  const unreadable = await h.cli(["status"]);
  expectExit(unreadable, 3);
  assert.doesNotMatch(unreadable.stderr, /refused/);
  assert.match(unreadable.stderr, /\(HTTP 200\) is not JSON: Sign in/);
  assert.match(unreadable.stderr, /Sign in/);

  const page = "<html><body>Upstream maintenance</body></html>";
  h.sandbox.inject(
    "GET /webhook",
    ...Array.from({ length: API_ATTEMPTS }, () => ({ status: 503, body: page })),
  );
  const down = await h.cli(["status"]);
  expectExit(down, 3);
  assert.match(down.stderr, new RegExp(`after ${API_ATTEMPTS} attempts: Upstream maintenance`));
  assert.match(down.stderr, /retrying in \d\.\ds/, "the wait is shown with one decimal");
  assert.doesNotMatch(down.stderr, /retries where they are safe/);

  h.sandbox.inject("POST /webhook", { status: 502, body: page });
  const create = await h.cli(["create", "--url", h.receiver.url, "--no-verify"]);
  expectExit(create, 3);
  assert.match(create.stderr, /CertCentral failed \(HTTP 502\) on POST \/webhook: Upstream maintenance/);
  assert.doesNotMatch(create.stderr, /retrying in|attempts|retries/);
  assert.match(create.stderr, /may have created the webhook anyway/);
});

test("the retry notice shows one decimal (a 1.0–1.25 s wait is not 'retrying in 2s')", async (t) => {
  const h = await harness(t);
  h.sandbox.inject("GET /webhook", { status: 503 });
  const res = await h.cli(["status"]);
  expectExit(res, 5);
  assert.match(res.stderr, /retrying in 1\.[0-3]s/);
});

test("status that keeps getting 5xx says to try again later, not to run status", async (t) => {
  const h = await harness(t);
  for (let i = 0; i < API_ATTEMPTS; i++) h.sandbox.inject("GET /webhook", { status: 503 });
  const res = await h.cli(["status"]);
  expectExit(res, 3);
  assert.match(
    res.stderr,
    new RegExp(`kept failing \\(HTTP 503 internal_error\\) on GET /webhook after ${API_ATTEMPTS} attempts`),
  );
  assert.match(res.stderr, /Try again later\.\n/);
  assert.doesNotMatch(res.stderr, /`certwh status` shows/);
});

test("--request-timeout 0 or under a second: the message states the rule it enforces, nothing is sent", async (t) => {
  const h = await harness(t);
  for (const value of ["0", "0.001", "0.999"]) {
    const res = await h.cli(["--request-timeout", value, "status"]);
    expectExit(res, 2);
    assert.doesNotMatch(res.stderr, /between 0/);
    assert.ok(
      res.stderr.includes(`--request-timeout must be a number of seconds from 1 to 3600, not "${value}".`),
      res.stderr,
    );
  }
  // The same rule for the variable and the profile's key (which `config set` refuses to store).
  const env = await h.cli(["status"], { env: { CERTWH_REQUEST_TIMEOUT: "0.5" } });
  expectExit(env, 2);
  assert.match(env.stderr, /CERTWH_REQUEST_TIMEOUT must be a number of seconds from 1 to 3600, not "0\.5"\./);
  const home = tempDir();
  const set = await h.cli(["config", "set", "request_timeout", "0.2"], { configHome: home });
  expectExit(set, 2);
  assert.match(set.stderr, /request_timeout must be a number of seconds from 1 to 3600, not "0\.2"\./);
  assert.equal(existsSync(join(home, "certwh", "config.json")), false, "nothing stored");
  assert.deepEqual(h.sandbox.requests, [], "nothing sent");
  // One second is enough, and decimals above it are kept.
  expectExit(await h.cli(["--request-timeout", "1", "status"]), 5);
  expectExit(await h.cli(["status"], { env: { CERTWH_REQUEST_TIMEOUT: "1.5" } }), 5);
});

test("test --url on loopback against the sandbox: a failed delivery does not talk about the internet", async (t) => {
  const h = await harness(t);
  const res = await h.cli(["test", "--url", "http://127.0.0.1:9/hook"]);
  expectExit(res, 3);
  assert.match(res.stderr, /127\.0\.0\.1:9\/hook/);
  assert.doesNotMatch(res.stderr, /internet/);
  assert.match(res.stderr, /receiver running on this computer/);
});

test("a failed test step of create at a loopback endpoint does not talk about the internet either", async (t) => {
  const h = await harness(t, { probe: { create: false } });
  h.receiver.script.push(500);
  const res = await h.cli(["create", "--url", h.receiver.url]);
  expectExit(res, 3);
  assert.doesNotMatch(res.stderr, /internet/);
  assert.match(res.stderr, /certwh test/);
});

test("--url http:// on a non-loopback host against a sandbox mentions the loopback exception", async (t) => {
  const h = await harness(t);
  const res = await h.cli(["create", "--url", "http://10.0.0.1/hook"]);
  expectExit(res, 2);
  assert.match(res.stderr, /must start with https:\/\//);
  assert.match(res.stderr, /loopback/);
  assert.deepEqual(h.sandbox.requests, []);
});

test("--profile / CERTWH_PROFILE naming a profile the file does not hold: refused (exit 2) naming the known ones, nothing sent", async (t) => {
  const h = await harness(t);
  const home = tempDir();
  expectExit(await runCli(["--profile", "work", "config", "set", "region", "eu"], { configHome: home }), 0);
  // A key in the environment: going on with the defaults would act with it on the wrong account.
  const env = { CERTWH_BASE_URL: h.sandbox.url, CERTWH_API_KEY: h.sandbox.apiKey };
  const res = await runCli(["--profile", "nosuch", "status", "--json"], { configHome: home, env });
  expectExit(res, 2);
  assert.equal((oneJson(res).error as { code: string }).code, "unknown_profile");
  assert.match(
    res.stderr,
    /✗ Profile "nosuch" \(from --profile\) is not in .*config\.json \(known profiles: work\)\./,
  );
  assert.match(
    res.stderr,
    /Create it with `certwh --profile nosuch login` or `certwh --profile nosuch config set <key> <value>`/,
  );
  const fromEnv = await runCli(["create", "--url", h.receiver.url], {
    configHome: home,
    env: { ...env, CERTWH_PROFILE: "nosuch" },
  });
  expectExit(fromEnv, 2);
  assert.match(fromEnv.stderr, /Profile "nosuch" \(from CERTWH_PROFILE\)[\s\S]*or unset CERTWH_PROFILE\./);
  // trigger goes on without settings it cannot use (a broken file), but not past a mistyped profile.
  const triggered = await runCli(["--profile", "nosuch", "trigger", "certificate_issued"], {
    configHome: home,
    env,
  });
  expectExit(triggered, 2);
  assert.match(triggered.stderr, /Profile "nosuch" \(from --profile\) is not in/);
  assert.deepEqual(h.sandbox.requests, [], "nothing sent under an unknown profile");
  const known = await runCli(["--profile", "work", "status"], { configHome: home, env });
  expectExit(known, 5);
  assert.doesNotMatch(known.stderr, /is not in/);
  // No config file at all: said so, rather than "it has no profiles".
  const noFile = await runCli(["--profile", "nosuch", "status"], { configHome: tempDir(), env });
  expectExit(noFile, 2);
  assert.match(
    noFile.stderr,
    /Profile "nosuch" \(from --profile\) is not in .*config\.json \(no config file exists there yet\)\./,
  );
  // "default" always exists, even before the file does.
  expectExit(await runCli(["--profile", "default", "status"], { configHome: tempDir(), env }), 5);
});

test("a Slack incoming-webhook URL is masked like a secret: stderr, --json results and status", async (t) => {
  const probe = await harness(t);
  const h = await harness(t, { slackHost: new URL(probe.receiver.url).host });
  const secretPart = "S3cr3tSlackPathPart0123456";
  const slackUrl = `https://hooks.slack.com/services/T0000/B0000/${secretPart}`;
  const created = await h.cli(["create", "--url", slackUrl, "--no-verify", "--json"]);
  expectExit(created, 0);
  const status = await h.cli(["status", "--json"]);
  expectExit(status, 0);
  const human = await h.cli(["status"]);
  const tested = await h.cli(["test"]);
  for (const res of [created, status, human, tested]) {
    assert.ok(!`${res.stdout}${res.stderr}`.includes(secretPart), `${res.stdout}${res.stderr}`);
  }
  assert.match(
    String(oneJson(status).endpoint),
    /^https:\/\/hooks\.slack\.com\/services\/T0000\/B0000\/S3cr…3456$/,
  );
  assert.equal(h.sandbox.webhook()?.endpoint, slackUrl, "CertCentral still gets the real URL");
});
