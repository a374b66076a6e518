// login, logout and config through the built CLI (run `npx tsc -p .` first), each run with its own
// XDG_CONFIG_HOME. The key check of `login` talks to a strict fake CertCentral on 127.0.0.1.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { type CliResult, runCli, tempDir } from "../helpers/cli.js";
import { type Loopback, startLoopback } from "../helpers/loopback.js";
import { withSandbox } from "../helpers/sandbox.js";

const dirs: string[] = [];
const servers: Loopback[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function home(): string {
  const d = tempDir("certwh-e2e-config-");
  dirs.push(d);
  return d;
}

const canary = () => `canary-${randomBytes(16).toString("hex")}`;
const mode = (p: string) => statSync(p).mode & 0o777;
const cfgFile = (h: string) => join(h, "certwh", "config.json");
const stored = (h: string) => JSON.parse(readFileSync(cfgFile(h), "utf8"));

function cli(
  h: string,
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<CliResult> {
  return runCli(args, { configHome: h, env, input });
}

function assertNoLeak(r: CliResult, secret: string): void {
  assert.ok(!r.stdout.includes(secret), `secret on stdout: ${r.stdout}`);
  assert.ok(!r.stderr.includes(secret), `secret on stderr: ${r.stderr}`);
}

/**
 * A strict stand-in for CertCentral's GET /webhook: answers with the given status and body, records
 * every request; anything else gets a 500 and fails the test through the record.
 */
async function fakeCertCentral(status: number, body: unknown) {
  const server = await startLoopback((req, res) => {
    const expected = req.method === "GET" && req.path === "/services/v2/webhook";
    res.writeHead(expected ? status : 500, { "content-type": "application/json" });
    res.end(
      expected ? JSON.stringify(body) : '{"errors":[{"code":"unexpected","message":"unexpected request"}]}',
    );
  });
  servers.push(server);
  return { baseUrl: `${server.origin}/services/v2`, seen: server.requests };
}

test("login --with-key --no-check stores the stdin key 0600 in a 0700 dir under XDG_CONFIG_HOME, never printing it", async () => {
  const h = home();
  const key = canary();
  const r = await cli(h, ["login", "--with-key", "--no-check"], {}, `${key}\n`);
  assert.equal(r.code, 0, r.stderr);
  assertNoLeak(r, key);
  assert.match(r.stderr, /Stored the API key/);
  assert.equal(stored(h).profiles.default.api_key, key);
  assert.equal(mode(cfgFile(h)), 0o600);
  assert.equal(mode(join(h, "certwh")), 0o700);

  const list = await cli(h, ["--json", "config", "list"]);
  assert.equal(list.code, 0, list.stderr);
  assertNoLeak(list, key);
  const doc = JSON.parse(list.stdout);
  assert.equal(doc.config_path, cfgFile(h));
  assert.equal(doc.settings.api_key.value, `${key.slice(0, 4)}…${key.slice(-4)}`);
  assert.equal(doc.settings.api_key.source, "profile");

  const human = await cli(h, ["config", "list"]);
  assertNoLeak(human, key);
  assert.match(human.stdout, /api_key\s+cana…/);

  const get = await cli(h, ["config", "get", "api_key"]);
  assertNoLeak(get, key);
  assert.equal(get.stdout.trim(), `${key.slice(0, 4)}…${key.slice(-4)}`);
});

test("login checks the key with GET /webhook: webhook_invalid_account proves it works", async () => {
  const h = home();
  const key = canary();
  const fake = await fakeCertCentral(400, {
    errors: [{ code: "webhook_invalid_account", message: "No webhook exists for the account." }],
  });
  const r = await cli(h, ["--verbose", "login", "--with-key"], { CERTWH_BASE_URL: fake.baseUrl }, key);
  assert.equal(r.code, 0, r.stderr);
  assertNoLeak(r, key);
  assert.match(r.stderr, /\[debug\] → GET/, "the --verbose trace ran");
  assert.equal(fake.seen.length, 1);
  assert.equal(fake.seen[0]!.path, "/services/v2/webhook");
  assert.equal(fake.seen[0]!.headers["x-dc-devkey"], key);
  assert.match(String(fake.seen[0]!.headers["user-agent"]), /^certwh\/\d/);
  assert.equal(stored(h).profiles.default.api_key, key);
});

test("status --show-secret shows the webhook's secret and nothing else: an API key the server echoes stays masked", async () => {
  const h = home();
  const key = canary();
  const secret = `secret-${randomBytes(20).toString("hex")}`;
  const fake = await fakeCertCentral(200, {
    webhooks: [
      {
        id: 7,
        endpoint: `https://hooks.example/in?echo=${key}`,
        status: "active",
        secret,
        settings: { events: ["certificate_issued"] },
      },
    ],
  });
  for (const args of [
    ["status", "--show-secret"],
    ["status", "--show-secret", "--json"],
  ]) {
    const r = await cli(h, args, { CERTWH_BASE_URL: fake.baseUrl, CERTWH_API_KEY: key });
    assert.equal(r.code, 0, r.stderr);
    assertNoLeak(r, key);
    assert.ok(r.stdout.includes(secret), `the secret in full: ${r.stdout}`);
    assert.ok(r.stdout.includes(`${key.slice(0, 4)}…${key.slice(-4)}`), "the echoed key, masked");
  }
  assert.equal(fake.seen.length, 2);
});

test("a key CertCentral refuses (401) under --profile: the hint's login keeps the profile", async () => {
  const h = home();
  const fake = await fakeCertCentral(401, {
    errors: [{ code: "access_denied|invalid_api_key", message: "bad key" }],
  });
  const env = { CERTWH_BASE_URL: fake.baseUrl, CERTWH_API_KEY: canary() };
  // Profiles that exist (an unknown one is refused before any call).
  for (const p of ["staging", "ci"]) {
    assert.equal((await cli(h, ["--profile", p, "config", "set", "region", "us"])).code, 0);
  }
  const flag = await cli(h, ["--profile", "staging", "status"], env);
  assert.equal(flag.code, 4, flag.stderr);
  assert.match(flag.stderr, /run `certwh --profile staging login`/);
  const fromEnv = await cli(h, ["status"], { ...env, CERTWH_PROFILE: "ci" });
  assert.match(fromEnv.stderr, /run `certwh --profile ci login`/);
  const plain = await cli(h, ["status"], env);
  assert.match(plain.stderr, /run `certwh login`/);
});

test("login with a key CertCentral refuses (401) → exit 4, nothing stored, nothing created", async () => {
  const h = home();
  const key = canary();
  const fake = await fakeCertCentral(401, {
    errors: [{ code: "access_denied|invalid_api_key", message: `bad ${key}` }],
  });
  const r = await cli(h, ["--verbose", "login", "--with-key"], { CERTWH_BASE_URL: fake.baseUrl }, key);
  assert.equal(r.code, 4, r.stderr);
  assertNoLeak(r, key);
  assert.match(r.stderr, /nothing was stored/);
  assert.equal(fake.seen.length, 1);
  assert.equal(existsSync(join(h, "certwh")), false);
});

test("login that cannot check the key: nothing stored, and the --no-check command keeps the user's own flags", async () => {
  const h = home();
  const key = canary();
  const closed = await startLoopback(() => undefined);
  const base = `${closed.origin}/services/v2`;
  await closed.close();
  const r = await cli(h, ["--profile", "eu-prod", "--base-url", base, "login", "--with-key"], {}, key);
  assert.notEqual(r.code, 0, r.stderr);
  assertNoLeak(r, key);
  assert.ok(
    r.stderr.includes(
      `Store it without checking: \`certwh --profile eu-prod --base-url ${base} login --with-key --no-check\` (with the key on stdin again).`,
    ),
    r.stderr,
  );
  assert.equal(existsSync(join(h, "certwh")), false);
});

test("login into a named profile; the key never goes to argv; logout removes it and notes env keys", async () => {
  const h = home();
  const key = canary();
  const r = await cli(
    h,
    ["--profile", "eu.prod", "--region", "eu", "login", "--with-key", "--no-check"],
    {},
    key,
  );
  assert.equal(r.code, 0, r.stderr);
  // --region given to login is stored with the key, so the profile reaches the EU instance by itself.
  assert.deepEqual(stored(h).profiles, { "eu.prod": { region: "eu", api_key: key } });
  assert.match(r.stderr, /and region eu for profile "eu\.prod"/);

  const other = await cli(h, ["--json", "config", "get", "api_key"]);
  assert.equal(JSON.parse(other.stdout).value, null, "the default profile has no key");

  const viaEnv = await cli(h, ["--json", "config", "get", "api_key"], { CERTWH_PROFILE: "eu.prod" });
  assert.equal(JSON.parse(viaEnv.stdout).source, "profile");

  const out = await cli(h, ["--profile", "eu.prod", "logout"], { CERTWH_API_KEY: canary() });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /Removed the stored API key/);
  assert.match(out.stderr, /CERTWH_API_KEY is still set/);
  assert.deepEqual(stored(h).profiles, { "eu.prod": { region: "eu" } });
  assert.equal(mode(cfgFile(h)), 0o600);

  const again = await cli(h, ["--profile", "eu.prod", "--json", "logout"]);
  assert.equal(again.code, 0);
  assert.equal(JSON.parse(again.stdout).removed, false);
});

test("login without a TTY and without --with-key → exit 2 naming --with-key; empty stdin → exit 2", async () => {
  const h = home();
  const r = await cli(h, ["login", "--no-check"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--with-key/);
  const empty = await cli(h, ["login", "--with-key", "--no-check"], {}, "\n");
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty/);
  assert.equal(existsSync(join(h, "certwh")), false);
});

test("config set/get/unset: values validated, file 0600, env overrides reported", async () => {
  const h = home();
  assert.equal((await cli(h, ["config", "set", "region", "eu"])).code, 0);
  assert.equal(mode(cfgFile(h)), 0o600);
  assert.equal(mode(join(h, "certwh")), 0o700);
  assert.equal((await cli(h, ["config", "get", "region"])).stdout.trim(), "eu");
  assert.equal(
    (await cli(h, ["config", "get", "base_url"])).stdout.trim(),
    "https://certcentral.digicert.eu/services/v2",
  );
  assert.equal((await cli(h, ["config", "get", "region"], { CERTWH_REGION: "us" })).stdout.trim(), "us");
  assert.equal((await cli(h, ["--region", "us", "config", "get", "region"])).stdout.trim(), "us");

  const shadowed = await cli(h, ["config", "set", "request_timeout", "60"], { CERTWH_REQUEST_TIMEOUT: "5" });
  assert.equal(shadowed.code, 0);
  assert.match(shadowed.stderr, /CERTWH_REQUEST_TIMEOUT takes precedence/);
  assert.deepEqual(stored(h).profiles.default, { region: "eu", request_timeout: 60 });

  const badUrl = await cli(h, ["config", "set", "base_url", "http://example.com/services/v2"]);
  assert.equal(badUrl.code, 2);
  assert.match(badUrl.stderr, /https/);
  const badKey = await cli(h, ["config", "set", "colour", "red"]);
  assert.equal(badKey.code, 2);
  assert.match(badKey.stderr, /Unknown setting "colour"/);

  const secret = canary();
  const apiKey = await cli(h, ["config", "set", "api_key", secret]);
  assert.equal(apiKey.code, 2);
  assert.match(apiKey.stderr, /certwh login/);
  assertNoLeak(apiKey, secret);
  assert.equal(readFileSync(cfgFile(h), "utf8").includes(secret), false);

  assert.equal((await cli(h, ["config", "unset", "region"])).code, 0);
  assert.deepEqual(stored(h).profiles.default, { request_timeout: 60 });
  const json = JSON.parse((await cli(h, ["--json", "config", "unset", "region"])).stdout);
  assert.equal(json.removed, false);
});

test("config with a mistyped sub-command: exit 2 and commander's suggestion, as text and under --json", async () => {
  const h = home();
  const typo = await cli(h, ["config", "lst"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^✗ Unknown command 'lst' \(did you mean list\?\)\n/);
  const json = await cli(h, ["config", "lst", "--json"]);
  assert.equal(json.code, 2);
  assert.equal(JSON.parse(json.stdout).error.message, "Unknown command 'lst' (did you mean list?)");
});

test("config path honours XDG_CONFIG_HOME and creates nothing", async () => {
  const h = home();
  const r = await cli(h, ["config", "path"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `${cfgFile(h)}\n`);
  assert.equal(existsSync(join(h, "certwh")), false);
});

test("a 0644 config file → a warning with chmod 600 on stderr, exit 0", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  writeFileSync(cfgFile(h), JSON.stringify({ profiles: { default: { region: "eu" } } }), { mode: 0o644 });
  chmodSync(cfgFile(h), 0o644);
  const r = await cli(h, ["config", "get", "region"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "eu");
  assert.ok(r.stderr.includes(`chmod 600 ${cfgFile(h)}`), r.stderr);
});

test("broken JSON → exit 2 naming the path, the file untouched, also for set", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  writeFileSync(cfgFile(h), '{"profiles": ', { mode: 0o600 });
  for (const args of [["config", "list"], ["config", "set", "region", "eu"], ["logout"]]) {
    const r = await cli(h, args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(cfgFile(h)), r.stderr);
  }
  assert.equal(readFileSync(cfgFile(h), "utf8"), '{"profiles": ');
});

test("an empty or blank config file is no config: commands run, config set and login write it", async () => {
  for (const text of ["", " \n\t\n"]) {
    const h = home();
    mkdirSync(join(h, "certwh"), { mode: 0o700 });
    writeFileSync(cfgFile(h), text, { mode: 0o600 });
    const list = await cli(h, ["config", "get", "region", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(JSON.parse(list.stdout).value, "us");
    const status = await cli(h, ["status"]);
    assert.equal(status.code, 4, status.stderr);
    assert.match(status.stderr, /No CertCentral API key is configured/);
    const set = await cli(h, ["config", "set", "region", "eu"]);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(stored(h).profiles, { default: { region: "eu" } });
    writeFileSync(cfgFile(h), text, { mode: 0o600 });
    const key = canary();
    const login = await cli(h, ["login", "--with-key", "--no-check"], {}, key);
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(stored(h).profiles, { default: { api_key: key } });
  }
});

test("a FIFO at the config file's path is named as not a regular file, not as broken JSON", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  execFileSync("mkfifo", [cfgFile(h)]);
  for (const args of [["status"], ["config", "set", "region", "eu"]]) {
    const r = await cli(h, args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(
      r.stderr.includes(
        `Cannot read the config file ${cfgFile(h)}: it is a FIFO, not a regular file (ENOTREG).`,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /JSON/);
  }
});

test("help texts carry real examples", async () => {
  const h = home();
  for (const [cmd, example] of [
    [["login", "--help"], "$ certwh login --with-key <"],
    [["logout", "--help"], "$ certwh logout"],
    [["config", "--help"], "$ certwh config list"],
    [["config", "set", "--help"], "$ certwh config set region eu"],
  ] as const) {
    const r = await cli(h, [...cmd]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.includes(example), `${cmd.join(" ")}: ${r.stdout}`);
  }
});

test("login against the sandbox: its key is accepted and stored, a wrong key is refused (exit 4)", async (t) => {
  const sandbox = await withSandbox(t);
  const good = await cli(home(), ["login", "--with-key"], { CERTWH_BASE_URL: sandbox.url }, sandbox.apiKey);
  assert.equal(good.code, 0, good.stderr);
  assertNoLeak(good, sandbox.apiKey);

  const h = home();
  const wrong = canary();
  const bad = await cli(h, ["login", "--with-key"], { CERTWH_BASE_URL: sandbox.url }, wrong);
  assert.equal(bad.code, 4, bad.stderr);
  assertNoLeak(bad, wrong);
  assert.equal(existsSync(join(h, "certwh")), false);
  assert.deepEqual(
    sandbox.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /services/v2/webhook", "GET /services/v2/webhook"],
  );
});

test("login --base-url stores the base URL with the key: the next command needs no flag or env", async (t) => {
  const sandbox = await withSandbox(t);
  const h = home();
  const r = await cli(h, ["--base-url", sandbox.url, "login", "--with-key", "--json"], {}, sandbox.apiKey);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).base_url, sandbox.url);
  assert.match(r.stderr, new RegExp(`and base_url ${sandbox.url.replace(/[.]/g, "\\.")} for profile`));
  assert.deepEqual(stored(h).profiles.default, { base_url: sandbox.url, api_key: sandbox.apiKey });
  const before = sandbox.requests.length;
  const status = await cli(h, ["status"]);
  assert.equal(status.code, 5, status.stderr); // the sandbox has no webhook yet: it was reached
  assert.equal(sandbox.requests.length, before + 1);

  // --region later replaces the stored base URL (which would otherwise still win over it).
  const eu = await cli(h, ["--region", "eu", "login", "--with-key", "--no-check"], {}, sandbox.apiKey);
  assert.equal(eu.code, 0, eu.stderr);
  assert.deepEqual(stored(h).profiles.default, { region: "eu", api_key: sandbox.apiKey });

  // From the environment nothing is stored (only flags are), and login says so.
  const h2 = home();
  const env = await cli(h2, ["login", "--with-key"], { CERTWH_BASE_URL: sandbox.url }, sandbox.apiKey);
  assert.equal(env.code, 0, env.stderr);
  assert.deepEqual(stored(h2).profiles.default, { api_key: sandbox.apiKey });
  assert.match(env.stderr, /CERTWH_BASE_URL is not stored/);
});

test("config list and get warn about a profile the file does not hold (every other command refuses it)", async () => {
  const h = home();
  for (const args of [
    ["--profile", "nope", "config", "list"],
    ["--profile", "nope", "config", "get", "region"],
  ]) {
    const r = await cli(h, args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Profile "nope" \(from --profile\) is not in /);
  }
});

test("parallel login and config set in separate processes: every change is in the file, no lock left", async () => {
  const h = home();
  const keys = Array.from({ length: 6 }, () => canary());
  const runs = [
    ...keys.map((key, i) => cli(h, ["--profile", `p${i}`, "login", "--with-key", "--no-check"], {}, key)),
    ...[1, 2, 3, 4].map((i) => cli(h, ["--profile", `q${i}`, "config", "set", "request_timeout", `${i}`])),
  ];
  const results = await Promise.all(runs);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const profiles = stored(h).profiles;
  for (const [i, key] of keys.entries()) assert.equal(profiles[`p${i}`]?.api_key, key, `profile p${i} lost`);
  for (const i of [1, 2, 3, 4]) assert.deepEqual(profiles[`q${i}`], { request_timeout: i }, `profile q${i}`);
  assert.deepEqual(readdirSync(join(h, "certwh")), ["config.json"]);
  assert.equal(mode(cfgFile(h)), 0o600);
});

test("a bad value in the active profile is a problem of the file: exit 2, code file, naming file and key, no help pointer", async () => {
  // Every profile has a loopback base_url, so nothing could reach the internet even if resolution went on.
  const local = "http://127.0.0.1:9/services/v2";
  for (const [profile, key, hint] of [
    [{ region: "mars", base_url: local }, "region", /certwh config set region <value>/],
    [{ api_key: "short", base_url: local }, "api_key", /`certwh login`/],
  ] as const) {
    const h = home();
    mkdirSync(join(h, "certwh"), { mode: 0o700 });
    writeFileSync(cfgFile(h), JSON.stringify({ profiles: { default: profile } }), { mode: 0o600 });
    const r = await cli(h, ["status", "--json"]);
    assert.equal(r.code, 2, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.error.code, "file");
    assert.equal(doc.error.exit_code, 2);
    assert.ok(doc.error.message.includes(cfgFile(h)), doc.error.message);
    assert.ok(doc.error.message.startsWith(`${key} in profile "default"`), doc.error.message);
    assert.match(r.stderr, hint);
    assert.doesNotMatch(r.stderr, /certwh help/);
    assert.doesNotMatch(r.stderr, /config set api_key|config set <key>/);
    assert.ok(!r.stderr.includes("short") && !r.stdout.includes("short"), "the stored key is not quoted");
  }
});

test('--profile "" is a usage error for every command; an empty CERTWH_PROFILE means "default"', async () => {
  const h = home();
  assert.equal((await cli(h, ["--profile", "p1", "config", "set", "region", "eu"])).code, 0);
  for (const args of [
    ["--profile", "", "config", "set", "region", "us"],
    ["--profile=", "config", "list"],
    ["--profile", "", "logout"],
  ]) {
    const r = await cli(h, ["--json", ...args], { CERTWH_PROFILE: "p1" });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).error.code, "usage");
    assert.match(r.stderr, /--profile is empty/);
  }
  assert.deepEqual(stored(h).profiles, { p1: { region: "eu" } }, "nothing changed");
  const unset = await cli(h, ["--json", "config", "list"], { CERTWH_PROFILE: "" });
  assert.equal(unset.code, 0, unset.stderr);
  assert.equal(JSON.parse(unset.stdout).profile, "default");
});

/**
 * A stand-in proxy on 127.0.0.1 that records every request line and refuses it (403): set as HTTPS_PROXY and
 * HTTP_PROXY, a request meant for a DigiCert instance ends here instead of on the internet.
 */
async function guardProxy() {
  const hits: string[] = [];
  const server = createNetServer((socket) => {
    socket.once("data", (d) => {
      hits.push(d.toString("latin1").split("\r\n")[0] ?? "");
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) } as Loopback);
  return { env: { HTTPS_PROXY: url, HTTP_PROXY: url, NO_PROXY: "" }, hits };
}

test("a base URL from any source wins over a region from any source, with one warning naming both", async () => {
  const fake = await fakeCertCentral(400, {
    errors: [{ code: "webhook_invalid_account", message: "No webhook configured" }],
  });
  const guard = await guardProxy();
  const h = home();
  const key = canary();
  const login = await cli(
    h,
    ["--profile", "sbx", "--base-url", fake.baseUrl, "login", "--with-key", "--no-check"],
    {},
    key,
  );
  assert.equal(login.code, 0, login.stderr);

  // The profile's base URL beats CERTWH_REGION: the profile's key goes to its own instance.
  const viaProfile = await cli(h, ["--profile", "sbx", "--verbose", "status"], {
    ...guard.env,
    CERTWH_REGION: "eu",
  });
  assert.equal(fake.seen.length, 1, viaProfile.stderr);
  assert.equal(fake.seen[0]?.headers["x-dc-devkey"], key);
  assert.equal(
    viaProfile.stderr.split(
      `CERTWH_REGION=eu is ignored: the base URL ${fake.baseUrl} (from profile sbx) is used.`,
    ).length - 1,
    1,
    viaProfile.stderr,
  );

  // CERTWH_BASE_URL beats --region (the README's "overrides the region").
  const viaEnv = await cli(h, ["--region", "eu", "status"], {
    ...guard.env,
    CERTWH_BASE_URL: fake.baseUrl,
    CERTWH_API_KEY: key,
  });
  assert.equal(fake.seen.length, 2, viaEnv.stderr);
  assert.match(viaEnv.stderr, /--region eu is ignored: the base URL .* \(from CERTWH_BASE_URL\) is used\./);
  assert.deepEqual(guard.hits, [], "nothing was sent towards a DigiCert instance");

  // config list shows that the base_url, not the region, is used; --json adds settings.region.used.
  const human = await cli(h, ["--profile", "sbx", "config", "list"]);
  assert.match(human.stdout, /^region\s+us\s+default \(not used: base_url from profile sbx wins\)$/m);
  const json = JSON.parse((await cli(h, ["--profile", "sbx", "--json", "config", "list"])).stdout);
  assert.deepEqual(json.settings.region, { value: "us", source: "default", origin: "default", used: false });
  assert.equal(json.settings.base_url.value, fake.baseUrl);
  const plain = JSON.parse((await cli(h, ["--json", "config", "list"])).stdout);
  assert.equal(plain.settings.region.used, true);
  const get = await cli(h, ["--profile", "sbx", "config", "get", "region"]);
  assert.match(get.stderr, /not used: base_url from profile sbx wins/);

  // login --region alone replaces the profile's base_url, so its check goes to that region's instance
  // (here: to the guard proxy, which refuses), not to the base URL about to be dropped.
  const relogin = await cli(h, ["--profile", "sbx", "--region", "eu", "login", "--with-key"], guard.env, key);
  assert.equal(relogin.code, 3, relogin.stderr);
  assert.doesNotMatch(relogin.stderr, /is ignored/);
  assert.equal(fake.seen.length, 2, "the old base URL was not asked");
  const hits: string[] = guard.hits;
  assert.ok(
    hits.length > 0 && hits.every((l) => l.startsWith("CONNECT certcentral.digicert.eu:443")),
    JSON.stringify(hits),
  );
  assert.deepEqual(stored(h).profiles.sbx, { base_url: fake.baseUrl, api_key: key }, "nothing stored");
});

test("a base URL without /services/v2 is warned about once (flag, env or profile), and still used", async () => {
  // CertCentral's API under /services/v2; anything else is a 404, as on a real host.
  const server = await startLoopback((req, res) => {
    const api = req.path === "/services/v2/webhook";
    res.writeHead(api ? 400 : 404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        errors: [api ? { code: "webhook_invalid_account", message: "No webhook" } : { code: "not_found" }],
      }),
    );
  });
  servers.push(server);
  const fake = { baseUrl: `${server.origin}/services/v2`, seen: server.requests };
  const bare = server.origin;
  const h = home();
  const env = { CERTWH_API_KEY: canary() };
  const warning = (from: string) =>
    `! The base URL ${bare} (from ${from}) does not end in /services/v2, where CertCentral's API is: API calls ` +
    `will likely fail with 404. Did you mean ${bare}/services/v2?`;
  const viaFlag = await cli(h, ["--base-url", bare, "status"], env);
  assert.equal(viaFlag.stderr.split(warning("--base-url")).length, 2, `once: ${viaFlag.stderr}`);
  assert.equal(viaFlag.code, 3, viaFlag.stderr);
  assert.match(viaFlag.stderr, /HTTP 404/, "the 404 the warning foretold");
  assert.deepEqual(
    fake.seen.map((r) => r.path),
    ["/webhook"],
    "a warning, not a refusal: the call went to the bare host",
  );
  const viaEnv = await cli(h, ["status"], { ...env, CERTWH_BASE_URL: bare });
  assert.ok(viaEnv.stderr.includes(warning("CERTWH_BASE_URL")), viaEnv.stderr);
  const set = await cli(h, ["config", "set", "base_url", bare]);
  assert.equal(set.code, 0, set.stderr);
  assert.ok(set.stderr.includes(warning("profile default")), `said when set: ${set.stderr}`);
  const viaProfile = await cli(h, ["config", "get", "base_url"]);
  assert.equal(viaProfile.code, 0, viaProfile.stderr);
  assert.ok(viaProfile.stderr.includes(warning("profile default")), viaProfile.stderr);
  // A base URL that ends in /services/v2 (a sandbox's): nothing to say.
  const quiet = await cli(h, ["status"], { ...env, CERTWH_BASE_URL: fake.baseUrl });
  assert.equal(quiet.code, 5, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /does not end in/);
});
