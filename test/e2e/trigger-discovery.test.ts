// `certwh trigger <event>` with no --to or --sandbox-url finds the running `listen --sandbox` or `sandbox`
// of this user through its runtime file (built CLI, isolated HOME, real signals).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { activeWebhook } from "../helpers/active-webhook.js";
import { type Running, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { startLoopback } from "../helpers/loopback.js";
import { freePort } from "../helpers/port.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { waitUntil } from "../helpers/wait.js";

const runtimeDir = (home: string) => join(home, ".local", "state", "certwh");

function runtimeFiles(home: string): string[] {
  const dir = runtimeDir(home);
  return existsSync(dir) ? readdirSync(dir).map((n) => join(dir, n)) : [];
}

/** The runtime file of this process, once it is there. */
function announcedBy(home: string, run: Running): Promise<string> {
  return waitUntil(
    () => runtimeFiles(home).find((f) => f.endsWith(`-${run.child.pid}.json`)),
    "the runtime file",
    { timeoutMs: 15_000, intervalMs: 50 },
  );
}

async function startListen(t: TestContext, home: string): Promise<Running> {
  const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"], { configHome: home });
  await l.line((x) => x.type === "ready", 20_000);
  return l;
}

test("listen --sandbox, then trigger with no flags: the event reaches listen; SIGINT removes the file", async (t) => {
  const home = tempDir();
  const l = await startListen(t, home);
  const file = await announcedBy(home, l);
  assert.equal(statSync(file).mode & 0o777, 0o600, "the file is 0600");
  assert.equal(statSync(runtimeDir(home)).mode & 0o777, 0o700, "in a 0700 folder");
  const ready = l.lines.find((x) => x.type === "ready") ?? {};
  const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  assert.equal(saved.kind, "listen-sandbox");
  assert.equal(saved.pid, l.child.pid);
  assert.equal(saved.url, ready.sandbox_url);
  assert.equal(saved.apiKey, ready.sandbox_api_key);
  assert.equal(
    l.child.spawnargs.some((a) => a.includes(String(saved.apiKey))),
    false,
    "the key is in no argv",
  );

  const sent = await runCli(["trigger", "certificate_issued", "--order-id", "5151"], { configHome: home });
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(
    sent.stderr,
    /Using the sandbox of `certwh listen --sandbox` \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+/,
  );
  assert.match(
    sent.stderr,
    /The sandbox sent certificate_issued to http:\/\/127\.0\.0\.1:\d+\/hook\/\S+: 200/,
  );
  assert.equal(sent.stderr.includes(String(saved.apiKey)), false, "the key is not printed");
  const event = await l.line((x) => x.type === "event" && x.event === "certificate_issued");
  assert.equal((event.data as { order_id?: number }).order_id, 5151);

  const json = await runCli(["trigger", "certificate_revoked", "--json"], { configHome: home });
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.deepEqual(doc.found, { kind: "listen-sandbox", pid: l.child.pid });
  assert.equal(doc.sandbox_url, ready.sandbox_url);
  assert.equal(json.stdout.includes(String(saved.apiKey)), false);

  // --with-chain: the update-url it prints names this sandbox; its key is never printed, only asked for.
  const chain = await runCli(["trigger", "certificate_issued", "--with-chain"], { configHome: home });
  assert.equal(chain.code, 0, chain.stderr);
  const printed =
    chain.stderr
      .split("\n")
      .find((line) => line.includes("update-url --url"))
      ?.trim() ?? "";
  assert.equal(printed.startsWith(`certwh --base-url ${saved.url} update-url --url `), true, chain.stderr);
  assert.match(chain.stderr, /with that sandbox's API key in CERTWH_API_KEY/);
  assert.equal(chain.stderr.includes(String(saved.apiKey)), false, "the announced key is not printed");

  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130, l.stderr());
  assert.equal(existsSync(file), false, "SIGINT removes the file");
});

test("sandbox, then trigger with no flags: delivered to its webhook; the newest of two wins; SIGTERM removes the file", async (t) => {
  const home = tempDir();
  const sb = spawnCli(t, ["sandbox", "--json"], { configHome: home });
  const info = await sb.line((x) => typeof x.base_url === "string");
  const sbFile = await announcedBy(home, sb);
  assert.equal(statSync(sbFile).mode & 0o777, 0o600);

  // An active webhook at a loopback receiver, set up through the CLI.
  const rx = await startReceiver(t);
  const env = { CERTWH_BASE_URL: String(info.base_url), CERTWH_API_KEY: String(info.api_key) };
  const created = await runCli(["create", "--url", rx.url], { configHome: home, env });
  assert.equal(created.code, 0, created.stderr);
  const token = await waitUntil(
    () =>
      (
        rx.received.find((r) => (r.json as { event?: string })?.event === "challenge_webhook_endpoint")
          ?.json as { data: { token: string } } | undefined
      )?.data.token,
    "the challenge token",
    { timeoutMs: 5000, intervalMs: 50 },
  );
  assert.equal((await runCli(["verify", "--token", token], { configHome: home, env })).code, 0);

  const sent = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stderr, /Using the sandbox of `certwh sandbox`/);
  const events = () =>
    rx.received.filter((r) => (r.json as { event?: string })?.event === "certificate_issued");
  await waitUntil(() => events().length === 1, "the event at the receiver");

  // --sandbox-url with no key configured takes the key of the sandbox announced at that address.
  const byUrl = await runCli(["trigger", "certificate_issued", "--sandbox-url", String(info.base_url)], {
    configHome: home,
  });
  assert.equal(byUrl.code, 0, byUrl.stderr);
  await waitUntil(() => events().length === 2, "the second event at the receiver");
  // The same sandbox named as localhost: any loopback name is the same host.
  const asLocalhost = String(info.base_url).replace("127.0.0.1", "localhost");
  const byName = await runCli(["trigger", "certificate_issued", "--sandbox-url", asLocalhost], {
    configHome: home,
  });
  assert.equal(byName.code, 0, byName.stderr);
  await waitUntil(() => events().length === 3, "the third event at the receiver");

  // A listen --sandbox started later is the newest: trigger goes there and names the other.
  const l = await startListen(t, home);
  await announcedBy(home, l);
  const newest = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(newest.code, 0, newest.stderr);
  assert.match(newest.stderr, /Using the sandbox of `certwh listen --sandbox`/);
  assert.ok(
    newest.stderr.includes(
      `2 are running; this is the newest. Pick another with --sandbox-url: ${info.base_url}`,
    ),
    newest.stderr,
  );
  const heard = () => l.lines.filter((x) => x.type === "event" && x.event === "certificate_issued").length;
  await waitUntil(() => heard() === 1, "the event at listen");
  assert.equal(events().length, 3, "the older sandbox's webhook got nothing more");

  // CERTWH_BASE_URL on loopback names the sandbox every other command uses: trigger goes there too.
  const configured = await runCli(["trigger", "certificate_issued"], { configHome: home, env });
  assert.equal(configured.code, 0, configured.stderr);
  assert.match(
    configured.stderr,
    /Using the sandbox at http:\/\/127\.0\.0\.1:\d+\/services\/v2 \(CERTWH_BASE_URL\)/,
  );
  await waitUntil(() => events().length === 4, "the event at the configured sandbox's webhook");
  // --sandbox-url of the other one takes that sandbox's own key, not the configured key of the first.
  const listenSandbox = String(l.lines.find((x) => x.type === "ready")?.sandbox_url);
  const other = await runCli(["trigger", "certificate_issued", "--sandbox-url", listenSandbox], {
    configHome: home,
    env,
  });
  assert.equal(other.code, 0, other.stderr);
  await waitUntil(() => heard() === 2, "the second event at listen");
  assert.equal(events().length, 4);

  sb.child.kill("SIGTERM");
  const exit = await sb.exit;
  assert.equal(exit.code, 143, sb.stderr());
  assert.equal(existsSync(sbFile), false, "SIGTERM removes the file");
  l.child.kill("SIGTERM");
  assert.equal((await l.exit).code, 143);
  assert.deepEqual(runtimeFiles(home), []);
});

test("a sandbox with no webhook: exit 5 (not found), as for every other command", async (t) => {
  const sandbox = await withSandbox(t);
  const res = await runCli(["trigger", "certificate_issued", "--sandbox-url", sandbox.url, "--json"], {
    env: { CERTWH_API_KEY: sandbox.apiKey },
  });
  assert.equal(res.code, 5, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { error: { code: string } }).error.code, "not_found");
  assert.match(res.stderr, /no webhook is configured[\s\S]*certwh --base-url \S+ create --url/);
  const wrongKey = await runCli(["trigger", "certificate_issued", "--sandbox-url", sandbox.url], {
    env: { CERTWH_API_KEY: "not-this-sandbox-key-0123" },
  });
  assert.equal(wrongKey.code, 4, wrongKey.stderr);
  assert.match(wrongKey.stderr, /The sandbox refused the API key \(from CERTWH_API_KEY\)/);
});

test("nothing running: exit 5 and what to start; stale files are ignored and removed", async (t) => {
  const home = tempDir();
  const none = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(none.code, 5, none.stderr);
  assert.match(none.stderr, /start `certwh listen --sandbox` \(or `certwh sandbox`\) in another shell first/);
  const json = await runCli(["trigger", "certificate_issued", "--json"], { configHome: home });
  assert.equal(json.code, 5);
  assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, "no_sandbox_running");

  // Stale: a process that has exited; a live process (this test) where nothing answers; a port whose
  // server does not know the key; a file that is not an entry. None may be sent anything but the probe.
  const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number;
  const closed = await startLoopback(() => undefined);
  const closedUrl = `${closed.origin}/services/v2`;
  await closed.close();
  const other = await startLoopback((_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end('{"errors":[{"code":"access_denied|invalid_api_key","message":"no"}]}');
  }, t);
  const dir = runtimeDir(home);
  const write = (name: string, value: unknown) =>
    writeFileSync(join(dir, name), typeof value === "string" ? value : JSON.stringify(value), {
      mode: 0o600,
    });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = { kind: "sandbox", apiKey: "stale-file-key-0123456789", startedAt: new Date().toISOString() };
  write(`sandbox-${gone}.json`, { ...base, pid: gone, url: "http://127.0.0.1:9/services/v2" });
  write(`sandbox-${process.pid}.json`, { ...base, pid: process.pid, url: closedUrl });
  write("listen-sandbox-1.json", {
    ...base,
    kind: "listen-sandbox",
    pid: process.pid,
    url: `${other.origin}/services/v2`,
  });
  write("sandbox-2.json", "{not json");

  const stale = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(stale.code, 5, stale.stderr);
  assert.match(stale.stderr, /Nothing to send the event to/);
  assert.deepEqual(runtimeFiles(home), [], "stale files are removed");
  assert.deepEqual(
    other.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /sandbox/v1/quirks"],
    "only the probe reached the unknown server",
  );
});

test("a configured sandbox that does not answer: the hint names where its URL came from", async () => {
  const closed = await startLoopback(() => undefined);
  const url = `${closed.origin}/services/v2`;
  await closed.close();
  const env = { CERTWH_API_KEY: "configured-key-0123456789" };
  const viaEnv = await runCli(["trigger", "certificate_issued"], { env: { ...env, CERTWH_BASE_URL: url } });
  assert.equal(viaEnv.code, 3, viaEnv.stderr);
  assert.match(viaEnv.stderr, /Is CERTWH_BASE_URL the base URL `certwh sandbox` printed\?/);
  assert.doesNotMatch(viaEnv.stderr, /--sandbox-url/);
  const viaFlag = await runCli(["trigger", "certificate_issued", "--sandbox-url", url], { env });
  assert.equal(viaFlag.code, 3, viaFlag.stderr);
  assert.match(viaFlag.stderr, /Is --sandbox-url the base URL `certwh sandbox` printed\?/);
});

test("trigger --sandbox-url at an address where no sandbox announced itself, with no key: says no sandbox is there", async () => {
  const port = await freePort();
  const res = await runCli(
    ["trigger", "certificate_issued", "--sandbox-url", `http://127.0.0.1:${port}/services/v2`],
    {
      configHome: tempDir(),
    },
  );
  assert.equal(res.code, 5, res.stderr);
  assert.match(res.stderr, new RegExp(`No sandbox of yours announced itself at 127\\.0\\.0\\.1:${port}`));
  assert.match(res.stderr, /Is `certwh sandbox` running at that address\?/);
});

test("a running sandbox with no webhook: the create hint aims at that sandbox (--base-url), never showing its key", async (t) => {
  const home = tempDir();
  const sb = spawnCli(t, ["sandbox", "--json"], { configHome: home });
  const info = await sb.line((x) => typeof x.base_url === "string");
  await announcedBy(home, sb);
  const base = String(info.base_url).replace(/\/$/, "");
  for (const argv of [
    ["trigger", "certificate_issued"],
    ["trigger", "certificate_issued", "--sandbox-url", base],
  ]) {
    const r = await runCli(argv, { configHome: home });
    assert.equal(r.code, 5, `${argv.join(" ")}: ${r.stderr}`);
    assert.ok(
      r.stderr.includes(`certwh --base-url ${base} create --url <your endpoint>`),
      `${argv.join(" ")}: ${r.stderr}`,
    );
    assert.match(r.stderr, /CERTWH_API_KEY set to the key that sandbox printed/);
    assert.equal(r.stderr.includes(String(info.api_key)), false, "the key is not printed");
  }
  // Aimed at by CERTWH_BASE_URL: certwh create already goes there, so the hint stays short.
  const env = { CERTWH_BASE_URL: base, CERTWH_API_KEY: String(info.api_key) };
  const configured = await runCli(["trigger", "certificate_issued"], { configHome: home, env });
  assert.equal(configured.code, 5, configured.stderr);
  assert.match(configured.stderr, /Create one first: `certwh create --url <your endpoint>`/);
});

/**
 * A loopback stand-in in front of `sandbox` that forwards every request, holding the probe (GET
 * /sandbox/v1/quirks) for `probeDelayMs` first: a sandbox on a machine too busy to answer it in time.
 */
async function slowToProbe(t: TestContext, sandbox: { url: string }, probeDelayMs: number) {
  const target = new URL(sandbox.url).origin;
  return startLoopback((req, res) => {
    const forward = async () => {
      const answer = await fetch(`${target}${req.path}`, {
        method: req.method,
        headers: Object.fromEntries(
          ["x-dc-devkey", "content-type"].flatMap((h) =>
            req.headers[h] ? [[h, String(req.headers[h])]] : [],
          ),
        ),
        body: req.method === "GET" || req.method === "HEAD" ? undefined : req.text,
      });
      const body = await answer.text();
      if (res.destroyed) return; // the prober gave up
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
      res.end(body);
    };
    const delay = req.path.startsWith("/sandbox/v1/quirks") ? probeDelayMs : 0;
    setTimeout(() => void forward().catch(() => res.destroy()), delay);
  }, t);
}

test("the newest announced sandbox too slow to answer the probe is still the one used, never an older one", async (t) => {
  const home = tempDir();
  const older = await withSandbox(t);
  const newer = await withSandbox(t);
  const olderHook = await activeWebhook(older, t);
  const newerHook = await activeWebhook(newer, t);
  const proxy = await slowToProbe(t, newer, 4000); // past discovery's 3 s probe timeout
  const dir = runtimeDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const announce = (name: string, url: string, apiKey: string, startedAt: number) =>
    writeFileSync(
      join(dir, name),
      JSON.stringify({
        kind: "sandbox",
        pid: process.pid,
        url,
        apiKey,
        startedAt: new Date(startedAt).toISOString(),
      }),
      { mode: 0o600 },
    );
  announce("sandbox-1001.json", older.url, older.apiKey, Date.now() - 60_000);
  announce("sandbox-1002.json", `${proxy.origin}/services/v2`, newer.apiKey, Date.now());
  const issued = (hook: { rx: Receiver }) =>
    hook.rx.received.filter((r) => (r.json as { event?: string })?.event === "certificate_issued");

  const sent = await runCli(["trigger", "certificate_issued"], { configHome: home });
  assert.equal(sent.code, 0, sent.stderr);
  assert.ok(sent.stderr.includes(`at ${proxy.origin}/services/v2.`), sent.stderr);
  assert.ok(
    sent.stderr.includes(`2 are running; this is the newest. Pick another with --sandbox-url: ${older.url}`),
  );
  await waitUntil(() => issued(newerHook).length === 1, "the event at the newest sandbox's webhook");
  assert.equal(issued(olderHook).length, 0, "nothing sent through the older sandbox");
  assert.equal(runtimeFiles(home).length, 2, "a slow sandbox is not stale: its file stays");

  // One that never answers at all: the trigger's own request times out, with a sentence; still not the older.
  const hung = await startLoopback(() => undefined, t);
  announce("sandbox-1003.json", `${hung.origin}/services/v2`, newer.apiKey, Date.now());
  const timedOut = await runCli(["--request-timeout", "1", "trigger", "certificate_issued"], {
    configHome: home,
  });
  assert.equal(timedOut.code, 6, timedOut.stderr);
  assert.ok(timedOut.stderr.includes(`at ${hung.origin}/services/v2.`), timedOut.stderr);
  assert.match(
    timedOut.stderr,
    new RegExp(`The sandbox at 127\\.0\\.0\\.1:${hung.port} did not answer within 1s\\.`),
  );
  assert.equal(issued(olderHook).length, 0, "nothing sent through the older sandbox");
});
