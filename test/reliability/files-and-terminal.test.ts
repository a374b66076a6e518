// Files certwh is told to use, and text from the network, through the built CLI (run `npm run build` first):
// file-system failures are sentences naming the path and the cause (exit 2), a config file that cannot be
// read is skipped with a warning when nothing from it is needed, reads are bounded and stop on SIGTERM, and
// text from the API never drives the terminal while --json keeps it exact.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { StoreData } from "../../src/sandbox/state.js";
import { runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { call, withSandbox } from "../helpers/sandbox.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = tempDir("certwh-files-");
  dirs.push(d);
  return d;
}

// What a hostile CertCentral (or anyone who can set the endpoint) could put in text certwh prints.
const OSC_TITLE = "\u001b]0;pwned\u0007";
const CLEAR = "\u001b[2J";
const RLO = "\u202e";
const LRI = "\u2066";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them raw in the output is the point.
const RAW = /[\u001b\u0007\u202e\u2066]/;

test("a config location that cannot be read: a warning and success when the environment has everything", async (t) => {
  const sandbox = await withSandbox(t, { probe: { create: false } });
  const created = await call(sandbox, "POST", "/webhook", {
    endpoint: "https://hooks.example.com/c",
    events: ["certificate_issued"],
  });
  assert.equal(created.status, 201, created.text);
  // Credentials and instance from the environment: nothing is needed from the config file.
  const ENV_ONLY = { CERTWH_API_KEY: sandbox.apiKey, CERTWH_BASE_URL: sandbox.url };
  const home = dir();
  const aFile = join(home, "a-file");
  writeFileSync(aFile, "");
  const folderConfig = dir();
  mkdirSync(join(folderConfig, "certwh", "config.json"), { recursive: true });
  const cases: [string, Record<string, string>, RegExp][] = [
    ["XDG_CONFIG_HOME is a file", { XDG_CONFIG_HOME: aFile }, /a-file is a file, not a folder \(ENOTDIR\)/],
    ["config.json is a folder", { XDG_CONFIG_HOME: folderConfig }, /it is a folder, not a file \(EISDIR\)/],
  ];
  for (const [name, env, cause] of cases) {
    // `config path` needs nothing from the file at all.
    const path = await runCli(["config", "path"], { env });
    assert.equal(path.code, 0, `${name}: ${path.stderr}`);
    // event-types reads the config for nothing either; status needs it only for the key and instance.
    const sandbox = await runCli(["event-types", "--json"], { env: { ...env, ...ENV_ONLY } });
    assert.equal(sandbox.code, 0, `${name}: ${sandbox.stderr}`);
    // With the key and the base URL in the environment: a warning naming the cause, then the work.
    const withEnv = await runCli(["status"], { env: { ...env, ...ENV_ONLY } });
    assert.equal(withEnv.code, 0, `${name}: ${withEnv.stderr}`);
    assert.match(withEnv.stderr, /Cannot read the config file .*config\.json: /, name);
    assert.match(withEnv.stderr, cause, name);
    assert.match(withEnv.stderr, /continues without it/, name);
    assert.match(withEnv.stdout, /hooks\.example\.com\/c/, name);
    // Without them the file is needed: the same sentence as an error, exit 2, json code "file".
    const needed = await runCli(["status", "--json"], { env });
    assert.equal(needed.code, 2, `${name}: ${needed.stderr}`);
    assert.match(needed.stderr, cause, name);
    const doc = JSON.parse(needed.stdout) as { error: { code: string; message: string } };
    assert.equal(doc.error.code, "file", name);
    assert.match(doc.error.message, cause, name);
    // Writing the config (login) fails the same way, not as a bug.
    const login = await runCli(["login", "--with-key"], { env, input: `${"k".repeat(32)}\n` });
    assert.equal(login.code, 2, `${name}: ${login.stderr}`);
    assert.match(login.stderr, /config\.json: /, name);
    assert.doesNotMatch(login.stderr, /bug/, name);
  }
});

test("--journal under a file: the sentence says ENOTDIR and names the file in the way (exit 2)", async () => {
  const home = dir();
  const aFile = join(home, "afile");
  writeFileSync(aFile, "");
  const r = await runCli(["listen", "--sandbox", "--journal", join(aFile, "j.ndjson")], { configHome: home });
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /Could not write the journal .*afile\/j\.ndjson: .*afile is a file, not a folder \(ENOTDIR\)/,
  );
  assert.doesNotMatch(r.stderr, /EEXIST|free some space/i);
});

test("a FIFO or a device as the journal: listen refuses before anything starts, replay names what it is (exit 2)", async () => {
  const home = dir();
  const fifo = join(home, "journal.fifo");
  execFileSync("mkfifo", [fifo]);
  for (const [journal, kind] of [
    [fifo, "a FIFO"],
    ["/dev/null", "a device"],
    ["/dev/full", "a device"],
  ] as const) {
    // An event answered 200 must be readable again (replay, the forward backlog): these would lose it.
    const l = await runCli(["listen", "--sandbox", "--no-inspect", "--journal", journal], {
      configHome: home,
    });
    assert.equal(l.code, 2, `${journal}: ${l.stderr}`);
    assert.ok(l.stderr.includes(`${journal}: it is ${kind}, not a regular file`), l.stderr);
    assert.doesNotMatch(l.stderr, /Created webhook|Public URL|Webhook URL/, "nothing started");
    const r = await runCli(["replay", "--journal", journal, "--to", "http://127.0.0.1:9/x"], {
      configHome: home,
    });
    assert.equal(r.code, 2, `${journal}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`it is ${kind}, not a regular file`), r.stderr);
    assert.doesNotMatch(r.stderr, /EISDIR/);
  }
});

test("sandbox --state-file on an endless device or a folder: exit 2 with a sentence, nothing read past the cap", async () => {
  const cases: [string, RegExp][] = [
    ["/dev/zero", /state file \(--state-file\) \/dev\/zero: it is larger than 64 MiB/],
    ["/dev/full", /state file \(--state-file\) \/dev\/full: it is larger than 64 MiB/],
    [dir(), /it is a folder, not a file \(EISDIR\)/],
  ];
  for (const [file, message] of cases) {
    const r = await runCli(["sandbox", "--state-file", file], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

/** Whether process `pid` comes to hold `path` open, looked at every 50 ms for at most 10 s. */
async function holdsOpen(pid: number, path: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => readlinkOrEmpty(`/proc/${pid}/fd/${fd}`) === path)) return true;
    } catch {
      return false; // the process is gone
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function readlinkOrEmpty(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return "";
  }
}

test("SIGTERM while certwh waits on a FIFO that a writer holds open stops it (exit 143)", async (t) => {
  const home = dir();
  const fifo = join(home, "state.fifo");
  execFileSync("mkfifo", [fifo]);
  // A writer that never writes: opened read-write so the open does not wait for a reader.
  const writer = openSync(fifo, "r+");
  t.after(() => closeSync(writer));
  const run = spawnCli(t, ["sandbox", "--state-file", fifo], { configHome: home, killAfterMs: 20_000 });
  // It prints nothing before the state is loaded: wait until it has the FIFO open (Linux's /proc).
  assert.ok(await holdsOpen(run.child.pid as number, fifo), "certwh opened the FIFO");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(run.child.exitCode, null, "still waiting for the FIFO");
  run.child.kill("SIGTERM");
  const exit = await run.exit;
  assert.equal(exit.code, 143, run.stderr());
});

/** A sandbox state whose webhook and event log hold terminal escapes and bidi controls. */
function hostileState(path: string): void {
  const data: StoreData = {
    nextId: 2,
    webhook: {
      id: 1,
      endpoint: `https://hooks.example.com/${OSC_TITLE}${RLO}gpj.exe`,
      events: [`certificate_issued${CLEAR}`, `${LRI}order_rejected`],
      status: "active",
      webhook_settings: {
        webhook_send_certificate_chain: "0",
        instant_issue_webhook_notification: "0",
        webhook_notification_frequency: [30],
      },
      verified: true,
      tokens: [],
    } as unknown as StoreData["webhook"],
    logs: [
      {
        event_name: `certificate_issued${OSC_TITLE}`,
        event_info: { order_id: `7${CLEAR}` },
        request_status: "success",
        request_sent_time: `2026-12-01T10:00:00Z${RLO}`,
        response_code: 200,
      },
    ],
  };
  writeFileSync(path, JSON.stringify(data));
}

test("status and logs: escapes and bidi controls from the API are shown escaped; --json keeps them exact", async (t) => {
  const home = dir();
  const stateFile = join(home, "state.json");
  hostileState(stateFile);
  const sandbox = await withSandbox(t, { stateFile, rateLimit: false });
  const env = { CERTWH_API_KEY: sandbox.apiKey, CERTWH_BASE_URL: sandbox.url };
  const hook = JSON.parse(readFileSync(stateFile, "utf8")).webhook;

  const status = await runCli(["status"], { env, configHome: home });
  assert.equal(status.code, 0, status.stderr);
  assert.doesNotMatch(status.stdout + status.stderr, RAW);
  assert.match(status.stdout, /\\u001b\]0;pwned\\u0007\\u202egpj\.exe/);
  assert.match(status.stdout, /certificate_issued\\u001b\[2J, \\u2066order_rejected/);

  const statusJson = await runCli(["status", "--json"], { env, configHome: home });
  assert.equal(statusJson.code, 0, statusJson.stderr);
  assert.doesNotMatch(statusJson.stdout, RAW, "the JSON text carries the characters as \\u escapes");
  const doc = JSON.parse(statusJson.stdout) as { endpoint: string; events: string[] };
  assert.equal(doc.endpoint, hook.endpoint);
  assert.deepEqual(doc.events, hook.events);

  const logs = await runCli(["logs"], { env, configHome: home });
  assert.equal(logs.code, 0, logs.stderr);
  assert.doesNotMatch(logs.stdout + logs.stderr, RAW);
  assert.match(logs.stdout, /certificate_issued\\u001b\]0;pwned\\u0007/);
  assert.match(logs.stdout, /order 7\\u001b\[2J/);

  const logsJson = await runCli(["logs", "--json"], { env, configHome: home });
  assert.equal(logsJson.code, 0, logsJson.stderr);
  const events = (JSON.parse(logsJson.stdout) as { events: { event_name: string }[] }).events;
  assert.equal(events[0]?.event_name, `certificate_issued${OSC_TITLE}`);
});

test("an API error message with escapes is shown escaped on stderr", async (t) => {
  const sandbox = await withSandbox(t);
  const body = JSON.stringify({ errors: [{ code: "odd", message: `no ${CLEAR}${RLO}way` }] });
  sandbox.inject("GET /webhook", { status: 400, body });
  const r = await runCli(["status"], {
    env: { CERTWH_API_KEY: sandbox.apiKey, CERTWH_BASE_URL: sandbox.url },
  });
  assert.equal(r.code, 3, r.stderr);
  assert.doesNotMatch(r.stderr, RAW);
  assert.match(r.stderr, /no \\u001b\[2J\\u202eway/);
});

test("--secret-out: an existing file is replaced only with --yes (0600, whole); otherwise refused before anything is sent", async (t) => {
  const sandbox = await withSandbox(t, { probe: { create: false } });
  const env = { CERTWH_API_KEY: sandbox.apiKey, CERTWH_BASE_URL: sandbox.url };
  const home = dir();
  const file = join(home, "webhook.secret");
  writeFileSync(file, "the old secret\n", { mode: 0o644 });
  const create = ["create", "--url", "https://hooks.example.com/c", "--no-verify", "--generate-secret"];

  const refused = await runCli([...create, "--secret-out", file], { env, configHome: home });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /webhook\.secret already exists/);
  assert.match(refused.stderr, /--yes/);
  assert.equal(readFileSync(file, "utf8"), "the old secret\n");
  assert.equal(sandbox.webhook(), null, "nothing was sent");

  const folder = await runCli([...create, "--secret-out", home], { env, configHome: home });
  assert.equal(folder.code, 2, folder.stderr);
  assert.match(folder.stderr, /it is a folder, not a regular file/);

  const replaced = await runCli(["--yes", ...create, "--secret-out", file], { env, configHome: home });
  assert.equal(replaced.code, 0, replaced.stderr);
  const secret = readFileSync(file, "utf8");
  assert.match(secret, /^[A-Za-z0-9_-]{43}\n$/);
  assert.equal(sandbox.webhook()?.secret, secret.trim());
  assert.equal(statSync(file).mode & 0o777, 0o600);
});
