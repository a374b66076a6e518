// Every sandbox quirk, one at a time (spec §17: each plausible reading of what CertCentral leaves
// undocumented): the built CLI's lifecycle, `listen` and the receiver library's self-verification must
// succeed against each, or fail with the exit code and sentence the README documents for that case.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { createReceiver } from "../../src/receiver/handler.js";
import { SANDBOX_QUIRKS, type Sandbox, type SandboxQuirk } from "../../src/sandbox/index.js";
import { type CliResult, runCli, spawnCli } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { waitUntil } from "../helpers/wait.js";

const SECRET = "quirk-matrix-secret-0123456789-abcdefghij";

interface Run {
  quirk: string;
  sandbox: Sandbox;
  cli(args: string[]): Promise<CliResult>;
  status(): Promise<{ id: number; endpoint: string; status: string }>;
}

function expectExit(run: Run, step: string, res: CliResult, code: number): void {
  assert.equal(
    res.code,
    code,
    `[quirk ${run.quirk}] ${step}: exit ${res.code}, expected ${code}\nstdout: ${res.stdout}\nstderr: ${res.stderr}`,
  );
}

/** The latest challenge token the endpoint received, as the string CertCentral expects back. */
function latestToken(run: Run, endpoint: Receiver, after: number): Promise<string> {
  const token = () => {
    const challenges = endpoint.received
      .slice(after)
      .map((r) => r.json as { event?: string; data?: { token?: unknown } } | undefined)
      .filter((j) => j?.event === "challenge_webhook_endpoint");
    const raw = challenges.at(-1)?.data?.token;
    return typeof raw === "string" || typeof raw === "number" ? String(raw) : undefined;
  };
  return waitUntil(token, `[quirk ${run.quirk}] a challenge at ${endpoint.url}`, {
    timeoutMs: 5000,
    intervalMs: 20,
  });
}

/** create or update-url without a terminal: stops after the challenge unless the webhook stayed active. */
async function pointAndVerify(run: Run, endpoint: Receiver, args: string[]): Promise<void> {
  const before = endpoint.received.length;
  const res = await run.cli([...args, "--url", endpoint.url, "--secret-env", "MATRIX_SECRET", "--no-input"]);
  expectExit(run, args.join(" "), res, 0);
  if ((await run.status()).status === "active") return;
  const token = await latestToken(run, endpoint, before);
  expectExit(run, `verify after ${args[0]}`, await run.cli(["verify", "--token", token]), 0);
  assert.equal((await run.status()).status, "active", `[quirk ${run.quirk}] active after verify`);
}

async function listenOnce(t: TestContext, run: Run): Promise<void> {
  const port = await freePort();
  const l = spawnCli(
    t,
    ["listen", "--port", String(port), "--public-url", `http://127.0.0.1:${port}`, "--json", "--force"],
    { env: envFor(run.sandbox) },
  );
  const ready = await l.line((x) => x.type === "ready", 15_000);
  assert.equal(ready.status, "active", `[quirk ${run.quirk}] listen ready`);
  await run.sandbox.emit("certificate_issued", { order_id: 4242 });
  await l.line((x) => x.type === "event" && x.event === "certificate_issued", 10_000);
  l.child.kill("SIGINT");
  const exit = await l.exit;
  assert.equal(exit.code, 130, `[quirk ${run.quirk}] listen after Ctrl-C\n${l.stderr()}`);
}

/** A production receiver on certwh/receiver completes the challenge by itself (update-url --wait). */
async function librarySelfVerifies(t: TestContext, run: Run): Promise<void> {
  const { id } = await run.status();
  const receiver = createReceiver({
    path: "/library",
    secret: SECRET,
    challenge: {
      api: createWebhookApi({
        baseUrl: run.sandbox.url,
        apiKey: run.sandbox.apiKey,
        timeoutMs: 5000,
        userAgent: "quirk-matrix",
      }),
      webhookId: id,
    },
  });
  const server = await receiver.listen({ port: 0, host: "127.0.0.1" });
  t.after(() => server.close());
  const url = server.url.href;
  const res = await run.cli(["update-url", "--url", url, "--wait", "20s", "--no-input"]);
  expectExit(run, "update-url --wait to the library receiver", res, 0);
  const hook = await run.status();
  assert.deepEqual([hook.endpoint, hook.status], [url, "active"], `[quirk ${run.quirk}] library`);
}

const envFor = (sandbox: Sandbox) => ({
  CERTWH_BASE_URL: sandbox.url,
  CERTWH_API_KEY: sandbox.apiKey,
  MATRIX_SECRET: SECRET,
});

async function lifecycle(t: TestContext, quirk: SandboxQuirk | "default"): Promise<void> {
  const sandbox = await withSandbox(t, { quirks: quirk === "default" ? [] : [quirk], rateLimit: false });
  const run: Run = {
    quirk,
    sandbox,
    cli: (args) => runCli(args, { env: envFor(sandbox), timeoutMs: 30_000 }),
    async status() {
      const res = await runCli(["status", "--json"], { env: envFor(sandbox) });
      expectExit(run, "status", res, 0);
      return JSON.parse(res.stdout);
    },
  };
  const one = await startReceiver(t, "/one");
  const two = await startReceiver(t, "/two");

  await pointAndVerify(run, one, ["create"]);
  await pointAndVerify(run, two, ["update-url"]);

  // The same endpoint with a settings change: no new challenge, the webhook stays active.
  const challenges = () => sandbox.requests.filter((r) => r.route?.endsWith("/send-challenge")).length;
  const before = challenges();
  expectExit(run, "settings-only update-url", await run.cli(["update-url", "--url", two.url, "--chain"]), 0);
  assert.equal(challenges(), before, `[quirk ${quirk}] a settings-only update sends no challenge`);
  assert.equal((await run.status()).status, "active", `[quirk ${quirk}] active after a settings update`);

  expectExit(run, "deactivate", await run.cli(["deactivate"]), 0);
  assert.equal((await run.status()).status, "inactive", `[quirk ${quirk}] inactive`);
  expectExit(run, "activate", await run.cli(["activate"]), 0);
  assert.equal((await run.status()).status, "active", `[quirk ${quirk}] active again`);

  const logs = await run.cli(["logs", "--all", "--json"]);
  expectExit(run, "logs --all", logs, 0);
  assert.ok(JSON.parse(logs.stdout).events.length > 0, `[quirk ${quirk}] logs has entries`);

  await listenOnce(t, run);
  await librarySelfVerifies(t, run);

  // The README's CI recipe: deactivate succeeds whatever the state, pending included.
  await run.cli(["update-url", "--url", one.url, "--no-input"]);
  expectExit(run, "deactivate (pending or active)", await run.cli(["deactivate"]), 0);

  const deleted = await run.cli(["delete", "--yes"]);
  if (quirk === "no-delete-404" || quirk === "no-delete-405") {
    expectExit(run, "delete (unsupported)", deleted, 3);
    assert.match(deleted.stderr, /not support/i, `[quirk ${quirk}] delete explains`);
  } else {
    expectExit(run, "delete", deleted, 0);
  }
}

describe("every sandbox quirk, through the built CLI", { concurrency: 2 }, () => {
  for (const quirk of ["default" as const, ...SANDBOX_QUIRKS.map((q) => q.name)]) {
    test(`quirk ${quirk}`, { timeout: 120_000 }, (t) => lifecycle(t, quirk));
  }
});
