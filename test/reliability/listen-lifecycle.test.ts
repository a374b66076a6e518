// How long-running commands stop, through the built CLI against a sandbox this test started: a closed stdout,
// the parent process going away, --timeout counted from ready, a stop during the webhook's create, kill -INT
// at the token prompt and during update-url --wait, a stop with forwards pending, and the order of the
// chain_saved and until lines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { TimeoutError } from "../../src/errors.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { BIN, cliArgv, cliEnv, isState, type JsonLine, spawnCli, tempDir, watch } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { waitUntil } from "../helpers/wait.js";
import { startSession } from "../integration/listen-support.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });
const hasScript = spawnSync("script", ["--version"]).status === 0;

async function tunnelArgs(): Promise<string[]> {
  const port = await freePort();
  return ["--port", String(port), "--public-url", `http://127.0.0.1:${port}`];
}

async function startListening(t: TestContext, sandbox: Sandbox, extra: string[]) {
  return spawnCli(t, ["listen", ...(await tunnelArgs()), ...extra], { env: envFor(sandbox) });
}

const sent = (sandbox: Sandbox, route: string) => sandbox.requests.some((r) => r.route === route);
const journalOrders = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(JSON.parse(line).body) as { event: string; data?: { order_id?: number } })
    .filter((e) => e.event === "certificate_issued")
    .map((e) => e.data?.order_id);

describe("a closed stdout stops listen like a signal", () => {
  test("--json: exit 141, what arrived is journaled, later deliveries get 503, on-exit deactivates", async (t) => {
    const sandbox = await withSandbox(t);
    const journal = join(tempDir(), "events.ndjson");
    const l = await startListening(t, sandbox, ["--json", "--journal", journal]);
    await l.line((x) => x.type === "ready");
    // The on-exit deactivate is slow, so a delivery during the stop can be observed.
    sandbox.inject("PUT /webhook/:id/deactivate", { delayMs: 2000 });
    l.child.stdout.destroy(); // the reader goes away, as `| head` does

    const first = await sandbox.emit("certificate_issued", { order_id: 1 });
    assert.equal(first?.status, 200, "the event that found the pipe closed is journaled and acknowledged");
    await waitUntil(() => sent(sandbox, "PUT /webhook/:id/deactivate"), "the on-exit deactivate", {
      timeoutMs: 10_000,
    });
    const later = await sandbox.emit("certificate_issued", { order_id: 2 });
    assert.equal(later?.status, 503, "a delivery after the stop is refused, not acknowledged and dropped");

    const exit = await l.exit;
    assert.equal(exit.code, 141, l.stderr());
    assert.match(l.stderr(), /stdout was closed/);
    assert.doesNotMatch(l.stderr(), /SIGPIPE|EPIPE|bug in certwh/);
    assert.deepEqual(journalOrders(journal), [1]);
    assert.equal(sandbox.webhook()?.status, "inactive", "the on-exit action ran");
  });

  test("human mode with a forward in flight: exit 141, the stop says what is pending and counts it", async (t) => {
    const sandbox = await withSandbox(t);
    const app = await startReceiver(t, "/app");
    app.script.push("hang", "hang", "hang");
    const l = await startListening(t, sandbox, ["--no-journal", "--forward-to", app.url]);
    await l.stderrIncludes("(Ctrl-C to stop)");
    await sandbox.emit("certificate_issued", { order_id: 10 });
    await app.waitFor(1);
    l.child.stdout.destroy();
    await sandbox.emit("certificate_issued", { order_id: 11 }); // its line meets the closed pipe
    const exit = await l.exit;
    const stderr = l.stderr();
    assert.equal(exit.code, 141, stderr);
    assert.match(stderr, /Stopped: stdout was closed/);
    assert.match(stderr, /Stopping… 2 forward\(s\) still pending; waiting up to 3 s/);
    assert.match(stderr, /2 forwards to \S+ did not finish, and there is no journal \(--no-journal\)/);
    assert.match(stderr, /Deactivated webhook/);
    // Activating it would post to the closed session: the way back is listen again, or update-url.
    assert.match(stderr, /`certwh listen` takes it again; `certwh update-url --url https:\/\/…` points it/);
    assert.equal(sandbox.webhook()?.status, "inactive");
  });
});

test("certwh sandbox stops when its stderr is closed: exit 141", async (t) => {
  const run = spawnCli(t, ["sandbox", "--port", "0", "--json"]);
  const started = await run.line((x) => typeof x.base_url === "string");
  run.child.stderr.destroy();
  // Each API request is logged on stderr: the first one after the close meets the closed pipe, and the
  // sandbox stops (the request may be cut short by the stop).
  const headers = { "X-DC-DEVKEY": String(started.api_key) };
  await fetch(`${started.base_url}/webhook`, { headers }).then(
    (res) => res.arrayBuffer(),
    () => undefined,
  );
  const exit = await run.exit;
  assert.equal(exit.code, 141);
});

test("the parent process going away stops listen as SIGTERM does, on-exit included", async (t) => {
  const sandbox = await withSandbox(t);
  const dir = tempDir();
  const out = join(dir, "listen.out");
  const args = [...(await tunnelArgs()), "--json", "--no-journal"];
  // A shell starts listen and is then killed, as a CI runner or an IDE may be.
  const command = `${cliArgv(["listen", ...args]).join(" ")} > ${out} 2> ${out}.err & echo started; wait`;
  const parent = watch("sh", ["-c", command], { env: cliEnv(envFor(sandbox)), killAfterMs: 30_000 }, t);
  await waitUntil(() => existsSync(out) && readFileSync(out, "utf8").includes('"type":"ready"'), "ready", {
    timeoutMs: 15_000,
  });
  parent.child.kill("SIGKILL");
  const lines = () =>
    readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((x) => JSON.parse(x) as JsonLine);
  const last = await waitUntil(
    () => lines().find((x) => x.type === "interrupted"),
    "listen's interrupted line",
    { timeoutMs: 15_000 },
  );
  assert.equal(last.signal, "SIGTERM", "stopped as on SIGTERM (exit 143)");
  assert.equal(last.cause, "parent_exited");
  assert.equal(lines().find(isState("on_exit"))?.outcome, "done");
  assert.equal(sandbox.webhook()?.status, "inactive");
  assert.match(readFileSync(`${out}.err`, "utf8"), /the process that started certwh went away/);
});

describe("--until with --timeout counts from ready", () => {
  test("a slow create does not use up --timeout: the event after ready still ends listen with 0", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.inject("POST /webhook", { delayMs: 2500 });
    const l = await startListening(t, sandbox, [
      "--json",
      "--no-journal",
      "--until",
      "certificate_revoked",
      "--timeout",
      "2s",
    ]);
    await l.line((x) => x.type === "ready", 20_000);
    await sandbox.emit("certificate_revoked", { order_id: 5, certificate_id: 6 });
    const exit = await l.exit;
    assert.equal(exit.code, 0, l.stderr());
    assert.ok(l.lines.some((x) => x.type === "until"));
  });

  test("one 503 on create is reported as CertCentral's failure (exit 3), not as a missing event", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.inject("POST /webhook", { status: 503 });
    const l = await startListening(t, sandbox, [
      "--json",
      "--no-journal",
      "--until",
      "certificate_revoked",
      "--timeout",
      "2s",
    ]);
    const exit = await l.exit;
    assert.equal(exit.code, 3, l.stderr());
    const error = l.lines.at(-1);
    assert.equal(error?.type, "error");
    assert.match(String(error?.message), /503/);
    assert.doesNotMatch(l.stderr(), /event arrived/);
    assert.equal(
      sandbox.requests.filter((r) => r.route === "POST /webhook").length,
      1,
      "the create is not repeated",
    );
  });
});

test("getting ready has its own limit and words; --timeout never started", async (t) => {
  const s = await startSession(t, {
    options: { until: { event: "order_rejected" }, timeoutMs: 60_000, setupTimeoutMs: 1500 },
  });
  s.sandbox.holdChallenges(true); // the verification never completes
  const { error } = await s.outcome;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /not ready within 1500 ms of starting .* --timeout never started/);
  const stopping = s.events.find((e) => e.type === "state" && e.stage === "stopping");
  assert.equal(stopping?.type === "state" && stopping.stage === "stopping" && stopping.reason, "timeout");
  const onExit = s.events.find((e) => e.type === "state" && e.stage === "on_exit");
  assert.ok(onExit, "the on-exit action ran");
});

test("Ctrl-C during listen's create: the create settles, the webhook is read back and reported", async (t) => {
  const sandbox = await withSandbox(t);
  sandbox.inject("POST /webhook", { delayMs: 1500 });
  const l = await startListening(t, sandbox, ["--json", "--no-journal"]);
  await waitUntil(() => sent(sandbox, "POST /webhook"), "the create request", { timeoutMs: 15_000 });
  l.child.kill("SIGINT");
  const exit = await l.exit;
  assert.equal(exit.code, 130, l.stderr());
  const hook = sandbox.webhook();
  assert.ok(hook, `CertCentral created the webhook\n${l.stdout()}\n${l.stderr()}`);
  assert.equal(l.lines.find(isState("webhook_created"))?.webhook_id, hook.id);
  const onExit = l.lines.find(isState("on_exit"));
  assert.equal(onExit?.webhook_id, hook.id, l.stdout());
  assert.match(String(onExit?.message), /stays pending .* closed receiver/);
  assert.equal(l.lines.at(-1)?.type, "interrupted");
  assert.equal(l.lines.at(-1)?.webhook_id, hook.id);
  assert.match(l.stderr(), /Run `certwh listen` again/);
});

describe("every interruption of a verification prints its resume hint", () => {
  test("kill -INT at create's token prompt", { timeout: 30_000 }, async (t) => {
    assert.ok(hasScript, "util-linux `script` is needed for this terminal test");
    const sandbox = await withSandbox(t);
    const rx = await startReceiver(t);
    // The shell prints its pid, then becomes certwh (exec), so the test can signal certwh itself.
    const command = `sh -c 'echo "PID=$$"; exec ${cliArgv(["create", "--url", rx.url, "--no-color"]).join(" ")}'`;
    const run = watch(
      "script",
      ["-qefc", command, "/dev/null"],
      {
        env: cliEnv({ CI: undefined, ...envFor(sandbox) }),
        killAfterMs: 30_000,
        keepStdin: true,
      },
      t,
    );
    await run.until(() => /Challenge token .*left/.test(run.stdout()), "the token prompt", 20_000);
    const pid = Number(/PID=(\d+)/.exec(run.stdout())?.[1]);
    assert.ok(pid > 0, run.stdout());
    process.kill(pid, "SIGINT");
    const { code } = await run.exit;
    const screen = run.stdout();
    assert.equal(code, 130, screen);
    assert.match(screen, /Interrupted by SIGINT/);
    assert.match(screen, /stays pending\. Use the token your endpoint received with `certwh verify --token/);
    assert.equal(sandbox.webhook()?.status, "pending");
  });

  test("SIGINT during update-url --wait", async (t) => {
    const sandbox = await withSandbox(t);
    const old = await startReceiver(t, "/old");
    const rx = await startReceiver(t, "/new");
    const created = await call(sandbox, "POST", "/webhook", {
      endpoint: old.url,
      events: ["certificate_issued"],
    });
    assert.equal(created.status, 201, created.text);
    const run = spawnCli(t, ["update-url", "--url", rx.url, "--wait", "5m"], { env: envFor(sandbox) });
    await run.stderrIncludes("Waiting up to", 15_000);
    run.child.kill("SIGINT");
    const exit = await run.exit;
    assert.equal(exit.code, 130, run.stderr());
    assert.match(run.stderr(), /Interrupted by SIGINT/);
    assert.match(run.stderr(), /stays pending.*`certwh status` shows whether/s);
  });
});

test("Ctrl-C with forwards retrying: says how many are pending, waits a bounded time, counts them", async (t) => {
  const sandbox = await withSandbox(t);
  const app = await startReceiver(t, "/app");
  app.script.push(...Array<number>(40).fill(500));
  const journal = join(tempDir(), "events.ndjson");
  const l = await startListening(t, sandbox, ["--json", "--journal", journal, "--forward-to", app.url]);
  await l.line((x) => x.type === "ready");
  await sandbox.emit("certificate_issued", { order_id: 21 });
  await sandbox.emit("certificate_issued", { order_id: 22 });
  // Both are failing and waiting out a retry backoff.
  await waitUntil(
    () =>
      new Set(l.lines.filter((x) => x.type === "forward" && x.final === false).map((x) => x.id)).size === 2,
    "both forwards retrying",
    { timeoutMs: 10_000 },
  );
  l.child.kill("SIGINT");
  const exit = await l.exit;
  assert.equal(exit.code, 130, l.stderr());
  const draining = l.lines.find(isState("draining"));
  assert.equal(draining?.forwards, 2, JSON.stringify(l.lines.slice(-8)));
  assert.equal(draining?.wait_ms, 3000);
  const unfinished = l.lines.find((x) => x.type === "unfinished") as
    | { forward?: { count: number }[] }
    | undefined;
  assert.equal(unfinished?.forward?.[0]?.count, 2, JSON.stringify(l.lines.slice(-4)));
  const stopAt = l.lines.findIndex(isState("stopping"));
  const laterNotices = l.lines
    .slice(stopAt)
    .filter((x) => x.type === "warning" && /keeps failing/.test(String(x.message)));
  assert.deepEqual(laterNotices, [], "no 'keeps failing' count after the stop");
});

test("--until with --save-chain: chain_saved comes before until", async (t) => {
  const sandbox = await withSandbox(t);
  const certs = join(tempDir(), "certs");
  const l = await startListening(t, sandbox, [
    "--json",
    "--no-journal",
    "--until",
    "certificate_issued",
    "--save-chain",
    certs,
  ]);
  await l.line((x) => x.type === "ready");
  await sandbox.emit("certificate_issued", { order_id: 31 });
  const exit = await l.exit;
  assert.equal(exit.code, 0, l.stderr());
  const saved = l.lines.findIndex((x) => x.type === "chain_saved");
  const until = l.lines.findIndex((x) => x.type === "until");
  assert.ok(saved >= 0 && until > saved, JSON.stringify(l.lines.map((x) => x.type)));
  assert.ok(existsSync(join(certs, "31", "fullchain.pem")));
});

// The launcher is the one users run; a path with spaces would need quoting in the shell commands above.
assert.ok(!BIN.includes(" "), "the test commands assume no spaces in the checkout path");
