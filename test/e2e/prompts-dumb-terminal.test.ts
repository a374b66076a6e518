// Under TERM=dumb (a terminal that prints cursor movement as text) certwh's questions are plain lines: no
// escape code reaches the screen, the answer is a line typed after the question, a secret is not echoed.
// util-linux `script` gives the CLI a pseudo-terminal.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { test } from "node:test";
import { activeWebhook } from "../helpers/active-webhook.js";
import { cliArgv, cliEnv, type Running, tempDir, watch } from "../helpers/cli.js";
import { withSandbox } from "../helpers/sandbox.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;
const ESC = String.fromCharCode(27);

/** certwh in a pseudo-terminal with TERM=dumb; what it shows arrives on script's stdout. */
function inDumbTerminal(t: TestContext, args: string[], env: Record<string, string> = {}): Running {
  assert.ok(hasScript, "util-linux `script` is needed for this terminal test");
  return watch(
    "script",
    ["-qefc", cliArgv(args).join(" "), "/dev/null"],
    {
      env: cliEnv({ CI: undefined, NO_COLOR: undefined, TERM: "dumb", ...env }, tempDir()),
      killAfterMs: 20_000,
      keepStdin: true,
    },
    t,
  );
}

test("TERM=dumb: login asks for the key on one plain line and does not echo it", async (t) => {
  const run = inDumbTerminal(t, ["login", "--no-check"]);
  await run.until(() => run.stdout().includes("? CertCentral API key: "), "the question");
  run.child.stdin.write("dumb-terminal-key-0123456789\r");
  const { code } = await run.exit;
  const screen = run.stdout();
  assert.equal(code, 0, screen);
  assert.ok(!screen.includes(ESC), `no escape code: ${JSON.stringify(screen)}`);
  assert.ok(!screen.includes("dumb-terminal-key"), "the key is not echoed");
  assert.match(screen, /Stored the API key/);
});

test("TERM=dumb: listen's takeover question is a plain (y/N) line, and n refuses it (exit 2)", async (t) => {
  const sandbox = await withSandbox(t);
  const hook = await activeWebhook(sandbox, t);
  const run = inDumbTerminal(t, ["listen", "--no-inspect", "--no-journal"], {
    CERTWH_BASE_URL: sandbox.url,
    CERTWH_API_KEY: sandbox.apiKey,
  });
  await run.until(() => /\? .*\(y\/N\) $/.test(run.stdout()), "the takeover question", 15_000);
  run.child.stdin.write("n\r");
  const { code } = await run.exit;
  const screen = run.stdout();
  assert.equal(code, 2, screen);
  assert.ok(!screen.includes(ESC), `no escape code: ${JSON.stringify(screen)}`);
  assert.equal(sandbox.webhook()?.endpoint, hook.rx.url, "the webhook was left alone");
});
