// Smaller confusions a new user met, each through the built CLI: a login that creates a profile, create
// without a secret, and the two test_webhook_endpoint deliveries listen shows per verification.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { withSandbox } from "../helpers/sandbox.js";
import { expectExit, harness } from "./lifecycle-support.js";

test("login to a new profile stores it without warning that the profile is missing", async (t) => {
  const sandbox = await withSandbox(t);
  const home = tempDir();
  const res = await runCli(["login", "--with-key", "--profile", "staging", "--base-url", sandbox.url], {
    input: `${sandbox.apiKey}\n`,
    configHome: home,
  });
  expectExit(res, 0);
  assert.match(res.stderr, /for profile "staging"/);
  assert.doesNotMatch(res.stderr, /is not in/);
  // A profile named by mistake is refused by every other command.
  const typo = await runCli(["status", "--profile", "stagign"], { configHome: home });
  expectExit(typo, 2);
  assert.match(typo.stderr, /Profile "stagign" \(from --profile\) is not in .*\(known profiles: staging\)/);
});

test("create without a secret says so once, with the command that adds one; with a secret it does not", async (t) => {
  const h = await harness(t);
  const bare = await h.cli(["create", "--url", h.receiver.url, "--no-verify"]);
  expectExit(bare, 0);
  assert.match(bare.stderr, /No secret: deliveries carry no X-WEBHOOK-KEY/);
  assert.ok(bare.stderr.includes(`certwh update-url --url ${h.receiver.url} --generate-secret`), bare.stderr);

  const h2 = await harness(t);
  const out = `${tempDir()}/secret`;
  const withSecret = await h2.cli([
    "create",
    "--url",
    h2.receiver.url,
    "--no-verify",
    "--generate-secret",
    "--secret-out",
    out,
  ]);
  expectExit(withSecret, 0);
  assert.doesNotMatch(withSecret.stderr, /No secret/);
});

test("listen names the two test_webhook_endpoint deliveries: the reachability check, then the test event", async (t) => {
  const l = spawnCli(t, ["listen", "--sandbox", "--no-journal"]);
  await l.stderrIncludes("events now reach this computer");
  const lines = l
    .stdout()
    .split("\n")
    .filter((line) => line.includes("test_webhook_endpoint"));
  assert.equal(lines.length, 2, l.stdout());
  assert.match(lines[0], /\(reachability check of the saved URL\)$/);
  assert.match(lines[1], /\(the test event\)$/);
  l.child.kill("SIGINT");
  assert.equal((await l.exit).code, 130);
});
