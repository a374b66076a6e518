// What a `certwh listen` receiver leaves in the account when its on-exit deactivate fails: the webhook stays
// active at the closed tunnel. listen names `certwh deactivate`, status says CertCentral may be posting into
// a closed tunnel, deactivate does not steer toward activate, and activate warns (and still activates).
import assert from "node:assert/strict";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, runCli, spawnCli } from "../helpers/cli.js";
import { loopbackPublicArgs } from "../helpers/port.js";
import { withSandbox } from "../helpers/sandbox.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });
const unavailable = Array.from({ length: API_ATTEMPTS }, () => ({ status: 503, retryAfter: "0" }));

/** A listen session on the sandbox that creates the webhook, ready. */
async function listening(t: Parameters<typeof withSandbox>[0], sandbox: Sandbox) {
  const args = ["listen", ...(await loopbackPublicArgs()), "--json", "--no-journal"];
  const listen = spawnCli(t, args, { env: envFor(sandbox) });
  const ready = await listen.line((x) => x.type === "ready");
  return { listen, ready };
}

test("a failed on-exit deactivate names `certwh deactivate`; status, deactivate and activate speak of the listen receiver", async (t) => {
  const sandbox = await withSandbox(t);
  const { listen, ready } = await listening(t, sandbox);
  sandbox.inject("PUT /webhook/:id/deactivate", ...unavailable);
  listen.child.kill("SIGINT");
  assert.equal((await listen.exit).code, 130, listen.stderr());

  const onExit = listen.lines.find(isState("on_exit"));
  assert.equal(onExit?.outcome, "failed", JSON.stringify(onExit));
  assert.equal(onExit?.command, "certwh deactivate");
  assert.match(
    String(onExit?.message),
    /HTTP 503.*`certwh deactivate` stops CertCentral posting into this closed session/,
  );
  const left = sandbox.webhook();
  assert.equal(left?.status, "active", "the deactivate failed: still active at the closed tunnel");
  assert.equal(left?.endpoint, ready.public_url);

  // status: active there, and what that means if no listen session runs; exit 0.
  const status = await runCli(["status"], { env: envFor(sandbox) });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stderr, /Active: CertCentral sends the subscribed events/);
  assert.match(
    status.stderr,
    /points at a `certwh listen` receiver\. If no listen session is running now, CertCentral is posting into a closed tunnel: stop that with `certwh deactivate`, or point it at your endpoint with `certwh update-url --url <https-url>`/,
  );
  assert.match(status.stderr, /If a `listen --on-exit restore` failed, it printed the whole command/);

  // deactivate: does not recommend activate.
  const deactivate = await runCli(["deactivate"], { env: envFor(sandbox) });
  assert.equal(deactivate.code, 0, deactivate.stderr);
  assert.doesNotMatch(deactivate.stderr, /`certwh activate` resumes/);
  assert.match(
    deactivate.stderr,
    /is inactive: no events are sent\. It points at a `certwh listen` receiver: `certwh listen` takes it again; `certwh update-url --url <https-url>`/,
  );
  assert.equal(sandbox.webhook()?.status, "inactive");

  // status for the inactive one: the restore sentence only as an "if".
  const inactive = await runCli(["status"], { env: envFor(sandbox) });
  assert.equal(inactive.code, 0, inactive.stderr);
  assert.doesNotMatch(inactive.stderr, /A failed `listen --on-exit restore` printed/);
  assert.match(inactive.stderr, /Inactive, and it points at a `certwh listen` receiver/);

  // activate: activates (exit 0), with a warning line.
  const activate = await runCli(["activate"], { env: envFor(sandbox) });
  assert.equal(activate.code, 0, activate.stderr);
  assert.equal(sandbox.webhook()?.status, "active");
  assert.match(
    activate.stderr,
    /^! Webhook \d+ points at a `certwh listen` receiver: its events go nowhere unless that listen session is running\./m,
  );
  // Already active there: nothing to do, and the same warning (it may be posting into a closed session).
  const again = await runCli(["activate"], { env: envFor(sandbox) });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /is already active; nothing to do/);
  assert.match(again.stderr, /^! Webhook \d+ points at a `certwh listen` receiver/m);
});

test("an on-exit deactivate whose account read fails also names `certwh deactivate`", async (t) => {
  const sandbox = await withSandbox(t);
  const { listen } = await listening(t, sandbox);
  sandbox.inject("GET /webhook", ...unavailable);
  listen.child.kill("SIGINT");
  assert.equal((await listen.exit).code, 130, listen.stderr());
  const onExit = listen.lines.find(isState("on_exit"));
  assert.equal(onExit?.outcome, "failed", JSON.stringify(onExit));
  assert.equal(onExit?.command, "certwh deactivate");
  assert.match(String(onExit?.message), /If it is still active, `certwh deactivate` stops/);
  assert.equal(sandbox.webhook()?.status, "active");
});
