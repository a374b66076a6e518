// Ctrl-C at an interactive prompt is an interruption (exit 130), not a bug. Needs a real terminal:
// util-linux `script` gives the CLI a pseudo-terminal, and \x03 written to it is the Ctrl-C keypress.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import { BIN, cliEnv } from "../helpers/cli.js";
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
