// Ctrl-C at an interactive prompt is an interruption (exit 130), not a bug. Needs a real terminal:
// util-linux `script` gives the CLI a pseudo-terminal, and \x03 written to it is the Ctrl-C keypress.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import { BIN, cliEnv, tempDir } from "../helpers/cli.js";
import { startReceiver, withSandbox } from "../helpers/sandbox.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("Ctrl-C at the token prompt of create exits 130 and says how to resume", {
  timeout: 20_000,
}, async (t) => {
  assert.ok(hasScript, "util-linux `script` is needed for this terminal test");
  const sandbox = await withSandbox(t);
  const rx = await startReceiver(t);
  const command = `${process.execPath} ${BIN} create --url ${rx.url} --no-color`;
  const child = spawn("script", ["-qefc", command, "/dev/null"], {
    env: cliEnv({ CI: undefined, CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  let screen = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    screen += d;
    if (/Challenge token .*left/.test(screen) && !child.stdin.writableEnded) child.stdin.end("\x03");
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, screen);
  assert.match(screen, /Cancelled at the prompt/);
  assert.match(screen, /certwh verify --token/);
  assert.doesNotMatch(screen, /bug in certwh/);
  assert.equal(sandbox.webhook()?.status, "pending");
});

test("one SIGINT during an API call is one interruption, even after conf re-raises it", async (t) => {
  const sandbox = await withSandbox(t);
  const home = tempDir();
  const env = cliEnv({ CERTWH_BASE_URL: sandbox.url }, home);
  // A stored key makes certwh load conf, whose writer re-raises signals it sees.
  const login = spawnSync(process.execPath, [BIN, "login", "--with-key", "--no-check"], {
    env,
    input: sandbox.apiKey,
  });
  assert.equal(login.status, 0, String(login.stderr));
  sandbox.inject("GET /webhook", { delayMs: 3000 });
  const child = spawn(process.execPath, [BIN, "status"], { env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const deadline = Date.now() + 5000;
  while (!sandbox.requests.some((r) => r.route === "GET /webhook") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 130, stderr);
  assert.doesNotMatch(stderr, /Interrupted again/);
  assert.match(stderr, /Interrupted by SIGINT/);
});
