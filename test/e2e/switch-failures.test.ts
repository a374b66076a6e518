// Lifecycle commands when a change fails or is interrupted: the user is told the state certwh last read (or
// that it may have changed) and the next step, through the built CLI against the sandbox.
import assert from "node:assert/strict";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import { spawnCli } from "../helpers/cli.js";
import { poll } from "../helpers/wait.js";
import { createActive, expectExit, type Harness, harness, oneJson } from "./lifecycle-support.js";

/** Runs `args`, interrupts it (SIGINT) once `route` has reached the sandbox, and returns its stderr. */
async function interruptAt(t: Parameters<typeof harness>[0], h: Harness, route: string, args: string[]) {
  h.sandbox.inject(route, { delayMs: 5000 });
  const env = { CERTWH_BASE_URL: h.sandbox.url, CERTWH_API_KEY: h.sandbox.apiKey };
  const run = spawnCli(t, args, { env });
  await poll(() => h.sandbox.requests.some((r) => r.route === route), { timeoutMs: 10_000 });
  run.child.kill("SIGINT");
  const { code } = await run.exit;
  assert.equal(code, 130, run.stderr());
  return run.stderr();
}

test("activate that keeps failing says the status it read back", async (t) => {
  const h = await harness(t);
  await createActive(h);
  expectExit(await h.cli(["deactivate"]), 0);
  h.sandbox.inject(
    "PUT /webhook/:id/activate",
    ...Array.from({ length: API_ATTEMPTS }, () => ({ status: 503 })),
  );
  const res = await h.cli(["activate"]);
  expectExit(res, 3);
  assert.match(
    res.stderr,
    /Reading it back shows webhook \d+ is still inactive; `certwh activate` is safe to run again once CertCentral answers\./,
  );
});

test("deactivate interrupted while CertCentral works: exit 130, it may have changed, how to check", async (t) => {
  const h = await harness(t);
  await createActive(h);
  const stderr = await interruptAt(t, h, "PUT /webhook/:id/deactivate", ["deactivate"]);
  assert.match(stderr, /Interrupted by SIGINT/);
  assert.match(stderr, /may have deactivated webhook \d+ before certwh stopped: `certwh status` shows it/);
  assert.match(stderr, /`certwh deactivate` is safe to run again/);
});

test("verify interrupted during check-challenge: the token may be used, so activate is the next step", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const token = await h.latestToken();
  const stderr = await interruptAt(t, h, "PUT /webhook/:id/check-challenge", ["verify", "--token", token]);
  assert.match(stderr, /Interrupted by SIGINT/);
  assert.match(stderr, /CertCentral may have accepted the token/);
  assert.match(stderr, /Run `certwh activate`/);
});

test("create interrupted during the test event: the endpoint is not blamed", async (t) => {
  const h = await harness(t);
  const stderr = await interruptAt(t, h, "POST /webhook/test-endpoint", ["create", "--url", h.receiver.url]);
  assert.match(
    stderr,
    /Webhook \d+ stays pending\. Check the endpoint with `certwh test`, then run `certwh challenge`/,
  );
  assert.doesNotMatch(stderr, /Fix the endpoint/);
});

test("create interrupted while the challenge is sent: a token may already be at the endpoint", async (t) => {
  const h = await harness(t);
  const stderr = await interruptAt(t, h, "PUT /webhook/:id/send-challenge", [
    "create",
    "--url",
    h.receiver.url,
  ]);
  assert.match(
    stderr,
    /A challenge token may already have reached the endpoint: use it with `certwh verify --token/,
  );
  assert.match(stderr, /if none arrived, run `certwh challenge` first/);
});

test("verify rate-limited (429): the token was not used, and the same verify works afterwards", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const token = await h.latestToken();
  h.sandbox.inject("PUT /webhook/:id/check-challenge", { status: 429 });
  const limited = await h.cli(["verify", "--token", token]);
  expectExit(limited, 3);
  assert.match(limited.stderr, /The token was not used: run the same `certwh verify --token …` again/);
  expectExit(await h.cli(["verify", "--token", token]), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");
});

test("--json: activate, deactivate and verify that keep failing put the status read back beside the error", async (t) => {
  const h = await harness(t);
  const failAll = (route: string) =>
    h.sandbox.inject(route, ...Array.from({ length: API_ATTEMPTS }, () => ({ status: 503 })));
  const readBack = (res: Awaited<ReturnType<Harness["cli"]>>, status: string) => {
    expectExit(res, 3);
    const doc = oneJson(res);
    const hook = h.sandbox.webhook();
    assert.deepEqual(
      { ...doc, error: undefined },
      { error: undefined, id: hook?.id, endpoint: hook?.endpoint, status },
      res.stdout,
    );
    assert.equal((doc.error as Record<string, unknown>).exit_code, 3, res.stdout);
    assert.match(String((doc.error as Record<string, unknown>).message), /.+/);
  };
  expectExit(await h.cli(["create", "--url", h.receiver.url]), 0);
  const token = await h.latestToken();
  failAll("PUT /webhook/:id/activate");
  readBack(await h.cli(["verify", "--token", token, "--json"]), "pending");
  failAll("PUT /webhook/:id/activate");
  readBack(await h.cli(["activate", "--json"]), "pending");
  expectExit(await h.cli(["activate"]), 0);
  failAll("PUT /webhook/:id/deactivate");
  readBack(await h.cli(["deactivate", "--json"]), "active");
});
