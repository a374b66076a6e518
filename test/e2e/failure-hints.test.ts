// Failures that say what is wrong: nothing answers at a loopback base URL (start the sandbox), an https://
// URL that reached a plain-HTTP server (use http://), a receiver that refuses trigger with 401 (the secret).
// Built CLI against strict loopback servers; every server records what reached it.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { freePort } from "../helpers/port.js";
import { createActive, harness } from "./lifecycle-support.js";

const KEY = "failure-hints-api-key-0123456789";
const SECRET = "failure-hints-webhook-secret-0123456789abcdef";

test("a refused loopback base URL: Nothing answers at <url>: is `certwh sandbox` running? (exit 3)", async () => {
  const base = `http://127.0.0.1:${await freePort()}/services/v2`;
  const status = await runCli(["status", "--base-url", base], { env: { CERTWH_API_KEY: KEY } });
  assert.equal(status.code, 3, status.stderr);
  assert.ok(
    status.stderr.includes(`Nothing answers at ${base}: is \`certwh sandbox\` running?`),
    status.stderr,
  );
  assert.match(status.stderr, /Start it with `certwh sandbox`/);
  assert.doesNotMatch(status.stderr, /Check the network, a proxy/);

  const trigger = await runCli(["trigger", "certificate_issued", "--sandbox-url", base], {
    env: { CERTWH_API_KEY: KEY },
  });
  assert.equal(trigger.code, 3, trigger.stderr);
  assert.ok(
    trigger.stderr.includes(`Nothing answers at ${base}: is \`certwh sandbox\` running?`),
    trigger.stderr,
  );
  for (const out of [status.stderr, trigger.stderr]) assert.equal(out.includes(KEY), false);
});

test("an https:// URL to a plain-HTTP server: <url> speaks plain HTTP; use http://… (exit 3, not retried)", async (t) => {
  const plain = await startLoopback(undefined, t);
  const https = `https://127.0.0.1:${plain.port}`;
  const status = await runCli(["status", "--base-url", `${https}/services/v2`], {
    env: { CERTWH_API_KEY: KEY },
  });
  assert.equal(status.code, 3, status.stderr);
  assert.ok(
    status.stderr.includes(
      `${https}/services/v2 speaks plain HTTP; use http://127.0.0.1:${plain.port}/services/v2.`,
    ),
    status.stderr,
  );
  assert.doesNotMatch(status.stderr, /retrying/, "the same answer comes every time");

  const trigger = await runCli(["trigger", "certificate_issued", "--to", `${https}/hook`]);
  assert.equal(trigger.code, 3, trigger.stderr);
  assert.ok(
    trigger.stderr.includes(`${https}/hook speaks plain HTTP; use http://127.0.0.1:${plain.port}/hook.`),
    trigger.stderr,
  );
  assert.deepEqual(plain.requests, [], "no HTTP request was made: only TLS bytes arrived");
});

test("trigger --to answered 401: a hint about the webhook secret, with and without one sent", async (t) => {
  const rx = await startLoopback((_req, res) => res.writeHead(401).end("no key"), t);
  const url = `${rx.origin}/hook`;
  const bare = await runCli(["trigger", "certificate_issued", "--to", url]);
  assert.equal(bare.code, 3, bare.stderr);
  assert.match(bare.stderr, /answered 401 to certificate_issued/);
  assert.match(
    bare.stderr,
    /wants the webhook secret in X-WEBHOOK-KEY; send it with --secret-env <VAR> or --secret-file <file>/,
  );

  const dir = tempDir();
  writeFileSync(join(dir, "secret"), SECRET, { mode: 0o600 });
  const keyed = await runCli([
    "trigger",
    "certificate_issued",
    "--to",
    url,
    "--secret-file",
    join(dir, "secret"),
  ]);
  assert.equal(keyed.code, 3, keyed.stderr);
  assert.match(keyed.stderr, /is the secret in --secret-file\/--secret-env the one the receiver expects\?/);
  assert.equal(keyed.stderr.includes(SECRET), false);
  assert.equal(rx.requests.length, 2);
  assert.equal(rx.requests[0]!.headers["x-webhook-key"], undefined);
  assert.equal(rx.requests[1]!.headers["x-webhook-key"], SECRET);
});

test("trigger through a sandbox whose receiver answers 401: a hint to give the webhook the right secret", async (t) => {
  const h = await harness(t);
  await createActive(h);
  h.receiver.script.push(401);
  const res = await h.cli(["trigger", "certificate_issued", "--sandbox-url", h.sandbox.url]);
  assert.equal(res.code, 3, res.stderr);
  assert.match(res.stderr, /which answered 401/);
  assert.ok(res.stderr.includes(`certwh update-url --url ${h.receiver.url} --secret-env <VAR>`), res.stderr);
});

test("create, update-url and test to a dead endpoint on this computer, against a sandbox: the sandbox could not deliver there (exit 3)", async (t) => {
  const h = await harness(t);
  const dead = `http://127.0.0.1:${await freePort()}/hook`;
  const created = await h.cli(["create", "--url", dead, "--no-input"]);
  const id = await createActive(h);
  const updated = await h.cli(["update-url", "--url", dead, "--no-input"]);
  const tested = await h.cli(["test", "--url", dead]);
  for (const res of [created, updated, tested]) {
    assert.equal(res.code, 3, res.stderr);
    assert.ok(res.stderr.includes(`The sandbox could not deliver to ${dead}`), res.stderr);
    assert.match(res.stderr, /Is a receiver running on this computer/);
    assert.doesNotMatch(res.stderr, /reachable from the internet/);
    assert.doesNotMatch(res.stderr, /test-exactly-200/, "the quirk is off");
  }
  assert.equal(h.sandbox.webhook()?.id, id, "the refused update left the webhook as it was");
  assert.equal(h.sandbox.webhook()?.endpoint, h.receiver.url);
});

test("a password in a --to URL is used for basic auth and masked in every output", async (t) => {
  const app = await startLoopback(undefined, t);
  const password = "basic-auth-password-42";
  const url = `http://hook-user:${password}@127.0.0.1:${app.port}/hook`;
  for (const args of [["--json"], []]) {
    const res = await runCli(["trigger", "certificate_issued", "--to", url, ...args]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(`${res.stdout}${res.stderr}`.includes(password), false, "the password is masked");
  }
  const auth = app.requests[0]?.headers.authorization;
  assert.equal(auth, `Basic ${Buffer.from(`hook-user:${password}`).toString("base64")}`);
  // However short: masked where it stands in the URL, and the URL still names its user and host.
  const short = `http://hook-user:pw7@127.0.0.1:${app.port}/hook`;
  for (const args of [["--json"], []]) {
    const res = await runCli(["trigger", "certificate_issued", "--to", short, ...args]);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(`${res.stdout}${res.stderr}`, /pw7/);
    assert.match(`${res.stdout}${res.stderr}`, /hook-user:\*\*\*\*@127\.0\.0\.1/);
  }
  const bad = await runCli(["trigger", "certificate_issued", "--sandbox-url", "notaurl"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /e\.g\. --sandbox-url http:\/\/127\.0\.0\.1:8443\/services\/v2/,
    "a sandbox base URL",
  );
});

test("trigger --to and replay show why the app refused (the start of its answer); a reset connection is said as such", async (t) => {
  const refusing = await startLoopback((_r, res) => res.writeHead(500).end("database is down\u001b[2J"), t);
  const sent = await runCli(["trigger", "certificate_issued", "--to", `${refusing.origin}/hook`]);
  assert.equal(sent.code, 3, sent.stderr);
  assert.match(sent.stderr, /answered 500 to certificate_issued .*\n\s+It said: database is down\\u001b\[2J/);

  // --json: the message is the one sentence; the answer stays under it on stderr, not in the message.
  const okSaid = await startLoopback((_r, res) => res.writeHead(500).end("ok"), t);
  const json = await runCli(["trigger", "certificate_issued", "--to", `${okSaid.origin}/x`, "--json"]);
  assert.equal(json.code, 3, json.stderr);
  const error = JSON.parse(json.stdout).error;
  assert.equal(error.exit_code, 3);
  assert.equal(error.code, "http_500");
  assert.match(
    error.message,
    /^127\.0\.0\.1:\d+ answered 500 to certificate_issued \(\d+ ms\); CertCentral counts that as a failed delivery\.$/,
  );
  assert.match(json.stderr, /failed delivery\.\n\s+It said: ok\n/);

  const resetting = await startLoopback((_r, res) => res.socket?.destroy(), t);
  const reset = await runCli(["trigger", "certificate_issued", "--to", `${resetting.origin}/hook`]);
  assert.equal(reset.code, 3, reset.stderr);
  assert.match(reset.stderr, /closed the connection without answering certificate_issued \(ECONNRESET\)/);
  assert.doesNotMatch(reset.stderr, /Could not reach/);

  // The same app through replay: the answer under the event's line.
  const home = tempDir();
  const journal = join(home, "journal.ndjson");
  const body = JSON.stringify({ event: "certificate_issued", data: { order_id: 1 } });
  writeFileSync(
    journal,
    `${JSON.stringify({ received_at: "2026-01-31T09:00:00.000Z", id: "a1b2c3d4e5f60718", event: "certificate_issued", body, headers: {}, key_present: false })}\n`,
  );
  const replayed = await runCli(["replay", "--journal", journal, "--to", `${refusing.origin}/hook`]);
  assert.equal(replayed.code, 3, replayed.stderr);
  assert.match(
    replayed.stderr,
    /\[500\] certificate_issued a1b2c3d4e5f60718 .*\n\s+\| database is down\\u001b\[2J/,
  );
});

test("no API key under --profile: the hint's login carries the profile, and run as printed it works", async (t) => {
  const { withSandbox } = await import("../helpers/sandbox.js");
  const sandbox = await withSandbox(t);
  const configHome = tempDir();
  const env = { CERTWH_API_KEY: undefined, DIGICERT_API_KEY: undefined };
  // A profile that exists but holds no key (one that does not exist is refused before the key is looked for).
  const made = await runCli(["--profile", "nope", "config", "set", "request_timeout", "30"], {
    env,
    configHome,
  });
  assert.equal(made.code, 0, made.stderr);
  const missing = await runCli(["--profile", "nope", "--base-url", sandbox.url, "status"], {
    env,
    configHome,
  });
  assert.equal(missing.code, 4, missing.stderr);
  const printed = /or run `(certwh [^`]+)`/.exec(missing.stderr)?.[1];
  assert.equal(printed, `certwh --profile nope --base-url ${sandbox.url} login`, missing.stderr);
  assert.equal(sandbox.requests.length, 0, "nothing sent without a key");

  // The printed command (with the key on stdin), then the command that failed: it finds the key now.
  const login = await runCli([...(printed as string).split(" ").slice(1), "--with-key"], {
    env,
    configHome,
    input: sandbox.apiKey,
  });
  assert.equal(login.code, 0, login.stderr);
  const again = await runCli(["--profile", "nope", "--base-url", sandbox.url, "status"], { env, configHome });
  assert.equal(again.code, 5, `no webhook yet, but the key was found: ${again.stderr}`);

  const plain = await runCli(["status"], { env, configHome: tempDir() });
  assert.match(plain.stderr, /or run `certwh login`\./, "the default profile needs no --profile");
});
