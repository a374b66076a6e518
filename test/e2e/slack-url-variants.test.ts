// Spelling a Slack URL differently (upper case, trailing dot) must not get past any Slack check.
// Run `npx tsc -p .` first: these spawn the built CLI.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { withSandbox } from "../helpers/sandbox.js";

const VARIANT = "https://HOOKS.SLACK.COM./services/T0/B0/xyz";

test("listen refuses a trailing-dot, upper-case Slack URL as --public-url and as --forward-to; nothing is sent", async (t) => {
  const sandbox = await withSandbox(t);
  const env = { CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey };
  for (const args of [
    ["listen", "--public-url", VARIANT, "--port", "0", "--no-journal"],
    ["listen", "--sandbox", "--forward-to", VARIANT, "--no-journal"],
  ]) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /Slack/);
    assert.match(r.stderr, /JSON events/);
  }
  assert.deepEqual(sandbox.requests, []);
});
