// Ctrl-C at an interactive prompt is an interruption (exit 130), not a bug. Needs a real terminal:
// util-linux `script` gives the CLI a pseudo-terminal, and \x03 written to it is the Ctrl-C keypress.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { cliArgv, cliEnv, runCli, spawnCli, spawnCliHolding, tempDir, watch } from "../helpers/cli.js";
import { startReceiver, withSandbox } from "../helpers/sandbox.js";
import { poll, sleep } from "../helpers/wait.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("Ctrl-C at the token prompt of create exits 130 and says how to resume", {
  timeout: 20_000,
}, async (t) => {
  assert.ok(hasScript, "util-linux `script` is needed for this terminal test");
  const sandbox = await withSandbox(t);
  const rx = await startReceiver(t);
  const command = cliArgv(["create", "--url", rx.url, "--no-color"]).join(" ");
  const home = tempDir();
  const run = watch(
    "script",
    ["-qefc", command, "/dev/null"],
    {
      // Only --no-color asks for no colour (no NO_COLOR), in a terminal that has colours.
      env: cliEnv(
        {
          CI: undefined,
          NO_COLOR: undefined,
          TERM: "xterm-256color",
          CERTWH_BASE_URL: sandbox.url,
          CERTWH_API_KEY: sandbox.apiKey,
        },
        home,
      ),
      killAfterMs: 20_000,
      keepStdin: true,
    },
    t,
  );
  await run.until(() => /Challenge token .*left/.test(run.stdout()), "the token prompt", 15_000);
  run.child.stdin.end("\x03");
  const { code } = await run.exit;
  const screen = run.stdout();
  assert.equal(code, 130, screen);
  assert.match(screen, /Cancelled at the prompt/);
  assert.match(screen, /certwh verify --token/);
  // --no-color reaches the prompt too: no colour or bold (cursor movement is the prompt's own).
  const colourOrBold = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);
  assert.doesNotMatch(screen, colourOrBold);
  assert.doesNotMatch(screen, /bug in certwh/);
  assert.equal(sandbox.webhook()?.status, "pending");
  // status on this computer names the token that went out, not a new challenge that would void it.
  const status = await runCli(["status"], {
    env: { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey },
    configHome: home,
  });
  assert.match(status.stderr, /certwh sent a challenge token to the endpoint, valid until/);
});

test("one SIGINT during an API call is one interruption, even after conf re-raises it", async (t) => {
  const sandbox = await withSandbox(t);
  const home = tempDir();
  // A stored key makes certwh load conf, whose writer re-raises signals it sees.
  const login = await runCli(["login", "--with-key", "--no-check"], {
    env: { CERTWH_BASE_URL: sandbox.url },
    configHome: home,
    input: sandbox.apiKey,
  });
  assert.equal(login.code, 0, login.stderr);
  sandbox.inject("GET /webhook", { delayMs: 3000 });
  const run = spawnCli(t, ["status"], { env: { CERTWH_BASE_URL: sandbox.url }, configHome: home });
  await poll(() => sandbox.requests.some((r) => r.route === "GET /webhook"), { timeoutMs: 5000 });
  run.child.kill("SIGINT");
  const { code } = await run.exit;
  const stderr = run.stderr();
  assert.equal(code, 130, stderr);
  assert.doesNotMatch(stderr, /Interrupted again/);
  assert.match(stderr, /Interrupted by SIGINT/);
});

// Ctrl-C while certwh is still loading (its first ~200 ms) is the same interruption as later: the launcher
// holds it until main handles it, and main until the command would start, which then never starts.
for (const held of ["cli/main.js", "commands/listen.js"]) {
  test(`SIGINT while certwh loads ${held} exits 130 with the error line, and nothing reaches the account`, async (t) => {
    const sandbox = await withSandbox(t);
    const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey };
    const run = spawnCliHolding(t, ["listen", "--json"], held, { env });
    await run.holding();
    run.child.kill("SIGINT");
    // Delivered while the module is still held (a signal reaches the process asynchronously).
    await sleep(200);
    run.release();
    const { code, signal } = await run.exit;
    assert.deepEqual({ code, signal }, { code: 130, signal: null }, run.stderr());
    assert.deepEqual(run.lines, [
      { type: "error", exit_code: 130, code: "interrupted", message: "Interrupted by SIGINT." },
    ]);
    assert.match(run.stderr(), /Interrupted by SIGINT\./);
    assert.deepEqual(sandbox.requests, []);
  });
}
