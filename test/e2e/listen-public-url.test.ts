// `certwh listen --public-url http://127.0.0.1:<port> --port <port>` against a sandbox this test started
// (CERTWH_BASE_URL / CERTWH_API_KEY): --until, --timeout, journal, forward, signals, restore, refusals.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import type { Sandbox } from "../../src/sandbox/types.js";
import { isState, runCli, spawnCli, tempDir } from "../helpers/cli.js";
import { freePort } from "../helpers/port.js";
import { startReceiver, withSandbox } from "../helpers/sandbox.js";
import { sleep } from "../helpers/wait.js";
import { activeWebhookAt } from "../integration/listen-support.js";

const envFor = (sandbox: Sandbox) => ({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });

async function tunnelArgs(): Promise<string[]> {
  const port = await freePort();
  return ["--port", String(port), "--public-url", `http://127.0.0.1:${port}`];
}

const routes = (sandbox: Sandbox, route: string) => sandbox.requests.filter((r) => r.route === route).length;

async function startListening(t: TestContext, sandbox: Sandbox, extra: string[]) {
  return spawnCli(t, ["listen", ...(await tunnelArgs()), "--json", ...extra], { env: envFor(sandbox) });
}

describe("certwh listen --public-url against a sandbox", () => {
  test("--until exits 0 after the event; journal and forward target hold it; webhook deactivated", async (t) => {
    const sandbox = await withSandbox(t);
    const app = await startReceiver(t, "/webhooks");
    const journal = join(tempDir(), "events.ndjson");
    const l = await startListening(t, sandbox, [
      "--until",
      "certificate_issued",
      "--order-id",
      "42",
      "--journal",
      journal,
      "--forward-to",
      app.url,
    ]);
    const ready = await l.line((x) => x.type === "ready");
    assert.equal(ready.journal, journal);
    await sandbox.emit("certificate_issued", { order_id: 41 });
    await sandbox.emit("certificate_issued", { order_id: 42 });
    const exit = await l.exit;
    assert.equal(exit.code, 0, l.stderr());
    const events = l.lines.filter((x) => x.type === "event" && x.event === "certificate_issued");
    assert.deepEqual(
      events.map((e) => (e.data as { order_id: number }).order_id),
      [41, 42],
    );
    assert.ok(l.lines.some((x) => x.type === "forward" && x.ok === true));
    const forwarded = app.received.map((r) => (r.json as { data?: { order_id?: number } })?.data?.order_id);
    assert.ok(forwarded.includes(42), `forwarded: ${forwarded}`);
    const written = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((x) => JSON.parse(x));
    assert.ok(
      written.some((e) => e.event === "certificate_issued" && JSON.parse(e.body).data.order_id === 42),
    );
    assert.equal(sandbox.webhook()?.status, "inactive");
  });

  test("no tunnel flag and an API on loopback: no ngrok, the webhook points at the receiver itself", async (t) => {
    const sandbox = await withSandbox(t);
    const state = tempDir();
    const l = spawnCli(t, ["listen", "--json", "--until", "certificate_issued"], {
      env: { ...envFor(sandbox), XDG_STATE_HOME: state },
    });
    const starting = await l.line(isState("tunnel_starting"));
    assert.match(String(starting.tunnel), /^no tunnel \(the API at http:\/\/127\.0\.0\.1:\d+\)$/);
    assert.equal(starting.ip_allowlist, null, "no tunnel edge, so no edge allowlist");
    const ready = await l.line((x) => x.type === "ready");
    assert.match(String(ready.public_url), /^http:\/\/127\.0\.0\.1:\d+\/hook\//);
    assert.equal(sandbox.webhook()?.endpoint, ready.public_url);
    assert.equal(ready.journal, join(state, "certwh", "sandbox-journal.ndjson"), "made-up events kept apart");
    await sandbox.emit("certificate_issued", { order_id: 7 });
    assert.equal((await l.exit).code, 0, l.stderr());
    assert.equal(sandbox.webhook()?.status, "inactive");
    assert.doesNotMatch(l.stderr(), /ngrok|NGROK_AUTHTOKEN/);
  });

  test("--until with --timeout: exit 6 when the event never comes", async (t) => {
    const sandbox = await withSandbox(t);
    const l = await startListening(t, sandbox, [
      "--no-journal",
      "--until",
      "order_rejected",
      "--timeout",
      "2s",
    ]);
    const exit = await l.exit;
    assert.equal(exit.code, 6, l.stderr());
    assert.equal(l.lines.at(-1)?.type, "error");
    assert.equal(l.lines.at(-1)?.exit_code, 6);
    assert.equal(sandbox.webhook()?.status, "inactive", "on-exit deactivate ran");
  });

  test("CertCentral answers 503 to the create: the warning says the create failed, not that a stop cut it short", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.inject("POST /webhook", { status: 503 });
    const l = await startListening(t, sandbox, ["--no-journal"]);
    assert.notEqual((await l.exit).code, 0, l.stderr());
    const warning = l.lines.find((x) => x.type === "warning");
    assert.match(
      String(warning?.message),
      /^The create of the webhook failed \(HTTP 503 [^)]*\), and reading the account back does not show it/,
    );
    assert.doesNotMatch(l.stdout() + l.stderr(), /cut short/);
    assert.equal(l.lines.at(-1)?.type, "error");
  });

  test("SIGINT while waiting for the challenge: 130, no token submitted, nothing to deactivate", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.holdChallenges(true);
    const l = await startListening(t, sandbox, ["--no-journal"]);
    await l.line(isState("waiting"));
    l.child.kill("SIGINT");
    const exit = await l.exit;
    assert.equal(exit.code, 130, l.stderr());
    assert.equal(l.lines.at(-1)?.type, "interrupted");
    assert.equal(routes(sandbox, "PUT /webhook/:id/check-challenge"), 0);
    assert.equal(l.lines.find(isState("on_exit"))?.outcome, "skipped");
    assert.equal(sandbox.webhook()?.status, "pending");
  });

  test("SIGTERM during a slow API call: 143 at once, without waiting for CertCentral", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.inject("PUT /webhook/:id/send-challenge", { delayMs: 8000 });
    const l = await startListening(t, sandbox, ["--no-journal"]);
    await l.line(isState("tested"));
    await sleep(200); // the send-challenge request is now in flight
    const started = Date.now();
    l.child.kill("SIGTERM");
    const exit = await l.exit;
    assert.equal(exit.code, 143, l.stderr());
    assert.ok(Date.now() - started < 6000, "did not wait for the delayed answer");
    assert.equal(l.lines.at(-1)?.type, "interrupted");
  });

  test("SIGINT during a slow activate that CertCentral still applies: the webhook ends inactive", async (t) => {
    const sandbox = await withSandbox(t);
    // The sandbox applies the activation after the delay even though listen has stopped waiting for it.
    sandbox.inject("PUT /webhook/:id/activate", { delayMs: 1500 });
    const l = await startListening(t, sandbox, ["--no-journal"]);
    await l.line(isState("verified"));
    await sleep(200); // the activate request is now in flight
    l.child.kill("SIGINT");
    const exit = await l.exit;
    assert.equal(exit.code, 130, l.stderr());
    const deadline = Date.now() + 5000;
    while (sandbox.webhook()?.status !== "inactive" && Date.now() < deadline) {
      await sleep(50);
    }
    assert.equal(sandbox.webhook()?.status, "inactive", "an activation applied late is undone on exit");
  });

  test("a second Ctrl-C during a slow on-exit deactivate cuts it short, says so, and exits 130", async (t) => {
    const sandbox = await withSandbox(t);
    const l = await startListening(t, sandbox, ["--no-journal"]);
    await l.line((x) => x.type === "ready");
    sandbox.inject("PUT /webhook/:id/deactivate", { delayMs: 30_000 });
    l.child.kill("SIGINT");
    await sleep(1000); // the deactivate request is now in flight (the sandbox records it when it answers)
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    // Said as it starts, so the wait is not silent; then its outcome.
    assert.deepEqual(
      {
        action: l.lines.find(isState("on_exit_started"))?.action,
        timeout: l.lines.find(isState("on_exit_started"))?.timeout_ms,
      },
      { action: "deactivate", timeout: 20_000 },
    );
    const onExit = l.lines.find(isState("on_exit"));
    assert.equal(onExit?.outcome, "failed");
    // Cut short, the webhook may still post into the closed session: the command that finishes the job.
    assert.match(
      String(onExit?.message),
      /cut short by a second interrupt\)\. If it is still active, `certwh deactivate` stops CertCentral posting into this closed session; check with `certwh status`/,
    );
    assert.equal(onExit?.command, "certwh deactivate");
    assert.match(l.stderr(), /Interrupted again: not waiting any longer/);
  });

  test("a second listen takes over with --force: the first one's exit leaves the second's webhook alone", async (t) => {
    const sandbox = await withSandbox(t);
    const a = await startListening(t, sandbox, ["--no-journal"]);
    await a.line((x) => x.type === "ready");
    const b = await startListening(t, sandbox, ["--no-journal", "--force"]);
    const readyB = await b.line((x) => x.type === "ready");
    a.child.kill("SIGINT");
    assert.equal((await a.exit).code, 130);
    const skipped = a.lines.find(isState("on_exit"));
    assert.equal(skipped?.outcome, "skipped", a.stderr());
    assert.match(String(skipped?.message), /another `certwh listen`/);
    assert.equal(sandbox.webhook()?.status, "active");
    assert.equal(sandbox.webhook()?.endpoint, readyB.public_url);
    b.child.kill("SIGINT");
    assert.equal((await b.exit).code, 130);
    assert.equal(sandbox.webhook()?.status, "inactive");
  });

  test("--until subscribes its event, and a misspelt --until is refused before anything starts", async (t) => {
    const sandbox = await withSandbox(t);
    const typo = await runCli(["listen", ...(await tunnelArgs()), "--until", "certificate_isued"], {
      env: envFor(sandbox),
    });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Did you mean certificate_issued\?/);
    assert.equal(sandbox.requests.length, 0);

    const l = await startListening(t, sandbox, [
      "--no-journal",
      "--events",
      "certificate_issued",
      "--until",
      "certificate_revoked",
    ]);
    await l.line((x) => x.type === "ready");
    assert.deepEqual(sandbox.webhook()?.events.sort(), ["certificate_issued", "certificate_revoked"]);
    await sandbox.emit("certificate_revoked", { order_id: 1, certificate_id: 2 });
    assert.equal((await l.exit).code, 0, l.stderr());
  });

  test("--force --on-exit restore: the production endpoint, events and secret come back", async (t) => {
    const sandbox = await withSandbox(t);
    const production = await startReceiver(t, "/prod");
    const prodSecret = "production-secret-0123456789abcdefghij";
    await activeWebhookAt(sandbox, production, prodSecret);
    const l = await startListening(t, sandbox, ["--no-journal", "--force", "--on-exit", "restore"]);
    const ready = await l.line((x) => x.type === "ready");
    assert.equal(sandbox.webhook()?.endpoint, ready.public_url);
    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
    const hook = sandbox.webhook();
    assert.equal(hook?.endpoint, production.url);
    assert.equal(hook?.secret, prodSecret);
    assert.deepEqual(hook?.events, ["certificate_issued", "certificate_revoked"]);
    assert.match(String(l.lines.find(isState("on_exit"))?.message), /verified again/);
    assert.ok(
      !l.stderr().includes(prodSecret) && !l.stdout().includes(prodSecret),
      "the secret is never shown",
    );
  });

  test("an active webhook elsewhere without --force: exit 2, explained, account unchanged", async (t) => {
    const sandbox = await withSandbox(t);
    const production = await startReceiver(t, "/prod");
    await activeWebhookAt(sandbox, production, "production-secret-0123456789abcdefghij");
    const writes = sandbox.requests.filter((r) => r.method !== "GET").length;
    const r = await runCli(["listen", ...(await tunnelArgs()), "--no-journal"], { env: envFor(sandbox) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is active and points at/);
    assert.match(r.stderr, /--force/);
    assert.equal(sandbox.requests.filter((x) => x.method !== "GET").length, writes);
    assert.equal(sandbox.webhook()?.endpoint, production.url);
  });

  test("a Slack URL as --public-url is refused with an explanation; nothing is sent", async (t) => {
    const sandbox = await withSandbox(t);
    const r = await runCli(["listen", "--public-url", "https://hooks.slack.com/services/T0/B0/xyz"], {
      env: envFor(sandbox),
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Slack/);
    assert.match(r.stderr, /not JSON events/);
    assert.deepEqual(sandbox.requests, []);
  });

  test("ngrok without NGROK_AUTHTOKEN: exit 7, the account untouched (a tunnel flag keeps ngrok for an API on loopback)", async (t) => {
    const sandbox = await withSandbox(t);
    const r = await runCli(["listen", "--no-journal", "--ngrok-domain", "hooks.example.app"], {
      env: { ...envFor(sandbox), NGROK_AUTHTOKEN: undefined },
    });
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /NGROK_AUTHTOKEN/);
    assert.deepEqual(
      sandbox.requests.filter((x) => x.method !== "GET"),
      [],
    );
  });

  test("--port already in use: exit 2 naming the port", async (t) => {
    const sandbox = await withSandbox(t);
    const busy = await startReceiver(t);
    const port = new URL(busy.url).port;
    const r = await runCli(["listen", "--port", port, "--public-url", `http://127.0.0.1:${port}`], {
      env: envFor(sandbox),
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`Port ${port}`));
    // The CLI's own advice names its flag (the library's error does not).
    assert.match(r.stderr, /Choose another --port/);
    assert.deepEqual(sandbox.requests, []);
  });

  test("no challenge token in time (--challenge-timeout): 3 challenges, then exit 6 with resume steps", async (t) => {
    const sandbox = await withSandbox(t);
    sandbox.holdChallenges(true);
    const l = await startListening(t, sandbox, ["--no-journal", "--challenge-timeout", "700ms"]);
    const exit = await l.exit;
    assert.equal(exit.code, 6, l.stderr());
    assert.equal(routes(sandbox, "PUT /webhook/:id/send-challenge"), 3);
    assert.equal(routes(sandbox, "PUT /webhook/:id/check-challenge"), 0);
    assert.match(l.stderr(), /certwh challenge/);
    assert.match(l.stderr(), /certwh verify --token/);
    assert.equal(l.lines.at(-1)?.type, "error");
  });

  test("--public-url without --port is a usage error before anything starts", async (t) => {
    const sandbox = await withSandbox(t);
    const r = await runCli(["listen", "--public-url", "https://hooks.example.com"], { env: envFor(sandbox) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--public-url needs --port/);
    assert.deepEqual(sandbox.requests, []);
  });
});
