// listen records the public endpoint it points the webhook at (certwh's state folder), so that a later
// command recognises that receiver on any domain; status then speaks of it as a listen leftover.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { loopbackPublicArgs } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });

test("a listen session records its endpoint in the state folder (0600); status names the kept webhook a listen receiver", async (t) => {
  const sandbox = await withSandbox(t);
  const home = tempDir();
  const args = ["listen", ...(await loopbackPublicArgs())];
  const listen = spawnCli(t, [...args, "--on-exit", "keep", "--json", "--no-journal"], {
    env: envFor(sandbox),
    configHome: home,
  });
  const ready = await listen.line((x) => x.type === "ready");
  listen.child.kill("SIGINT");
  assert.equal((await listen.exit).code, 130, listen.stderr());
  assert.equal(listen.lines.find(isState("on_exit"))?.outcome, "done");

  const record = join(home, ".local", "state", "certwh", "listen-endpoints.json");
  assert.deepEqual(JSON.parse(readFileSync(record, "utf8")), [ready.public_url]);
  assert.equal(statSync(record).mode & 0o777, 0o600);
  assert.equal(sandbox.webhook()?.endpoint, ready.public_url);

  const status = await runCli(["status"], { env: envFor(sandbox), configHome: home });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stderr, /points at a `certwh listen` receiver/);
});
