// The single-webhook guard (refuse, confirm, --force + restore) and the 30-minute window (reliability-checklist
// item 18) with an injected ManualClock: no token in time → new challenges, bounded, then exit 6.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CertwhError, TimeoutError } from "../../src/errors.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { ManualClock } from "../../src/util/clock.js";
import { startReceiver } from "../helpers/sandbox.js";
import { activeWebhookAt, startSession } from "./listen-support.js";

const PROD_SECRET = "production-secret-0123456789abcdefghij";

async function accountWithProduction(t: import("node:test").TestContext) {
  const sandbox = await startSandbox();
  const production = await startReceiver(t, "/prod");
  const id = await activeWebhookAt(sandbox, production, PROD_SECRET);
  t.after(() => sandbox.stop());
  return { sandbox, production, id };
}

describe("listen's single-webhook guard", () => {
  test("an active webhook pointing elsewhere is refused when nobody can confirm: exit 2, nothing changed", async (t) => {
    const { sandbox, production } = await accountWithProduction(t);
    const writesBefore = sandbox.requests.filter((r) => r.method !== "GET").length;
    const s = await startSession(t, { sandboxInstance: sandbox });
    const { error } = await s.outcome;
    assert.ok(error instanceof CertwhError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /is active and points at/);
    assert.match(error.hint ?? "", /--force/);
    assert.equal(sandbox.requests.filter((r) => r.method !== "GET").length, writesBefore);
    assert.equal(sandbox.webhook()?.endpoint, production.url);
    assert.equal(sandbox.webhook()?.status, "active");
  });

  test("declined in a terminal: exit 2 (declined, as in delete), nothing changed", async (t) => {
    const { sandbox } = await accountWithProduction(t);
    const questions: string[] = [];
    const s = await startSession(t, {
      sandboxInstance: sandbox,
      deps: {
        confirmTakeover: async (q) => {
          questions.push(q);
          return false;
        },
      },
    });
    const { error } = await s.outcome;
    assert.equal((error as CertwhError).exitCode, 2);
    assert.equal((error as CertwhError).code, "declined");
    assert.equal(questions.length, 1);
    assert.equal(sandbox.webhook()?.status, "active");
  });

  test("--force with --on-exit restore: takes over, then puts endpoint, events and secret back", async (t) => {
    const { sandbox, production, id } = await accountWithProduction(t);
    const s = await startSession(t, {
      sandboxInstance: sandbox,
      options: { force: true, onExit: "restore" },
    });
    const ready = await s.ready();
    assert.equal(ready.webhook_id, id);
    assert.deepEqual(
      ready.events,
      ["certificate_issued", "certificate_revoked"],
      "the webhook's events are kept",
    );
    assert.equal(sandbox.webhook()?.endpoint, ready.public_url);
    s.interrupt("SIGTERM");
    const { result } = await s.outcome;
    assert.equal(result?.reason === "interrupted" && result.signal, "SIGTERM");
    const hook = sandbox.webhook();
    assert.equal(hook?.endpoint, production.url);
    assert.equal(hook?.secret, PROD_SECRET);
    assert.deepEqual(hook?.events, ["certificate_issued", "certificate_revoked"]);
    const onExit = s.events.find((e) => e.type === "state" && e.stage === "on_exit");
    assert.ok(onExit?.type === "state" && onExit.stage === "on_exit");
    assert.equal(onExit.outcome, "done");
    assert.match(onExit.message, /verified again/);
  });

  test("--on-exit restore after taking over a crashed listen's leftover: deactivated, not aimed at a dead tunnel", async (t) => {
    const sandbox = await startSandbox();
    t.after(() => sandbox.stop());
    // The previous session's receiver is gone; its webhook still points there, active.
    const leftover = await startReceiver(t, "/hook/AAAAAAAAAAAAAAAAAAAAAA");
    const id = await activeWebhookAt(sandbox, leftover, PROD_SECRET);
    const s = await startSession(t, {
      sandboxInstance: sandbox,
      options: { force: true, onExit: "restore" },
    });
    const ready = await s.ready();
    s.interrupt("SIGINT");
    await s.outcome;
    const hook = sandbox.webhook();
    assert.equal(hook?.id, id);
    assert.equal(hook?.endpoint, ready.public_url, "not re-pointed at the leftover receiver");
    assert.equal(hook?.status, "inactive");
    const onExit = s.events.find((e) => e.type === "state" && e.stage === "on_exit");
    assert.ok(onExit?.type === "state" && onExit.stage === "on_exit");
    assert.match(onExit.message, /leftover `certwh listen` receiver/);
  });

  test("no token within the window: new challenges up to the bound, then exit 6 with resume steps", async (t) => {
    const clock = new ManualClock();
    const sandbox = await startSandbox();
    t.after(() => sandbox.stop());
    sandbox.holdChallenges(true);
    const s = await startSession(t, { clock, sandboxInstance: sandbox });
    const { error } = await s.outcome;
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.exitCode, 6);
    assert.match(error.hint ?? "", /certwh challenge/);
    assert.match(error.hint ?? "", /certwh verify --token/);
    const routes = s.sandbox.requests.map((r) => r.route);
    assert.equal(routes.filter((r) => r === "PUT /webhook/:id/send-challenge").length, 3);
    assert.equal(routes.filter((r) => r === "PUT /webhook/:id/check-challenge").length, 0);
    assert.equal(s.events.filter((e) => e.type === "state" && e.stage === "token_expired").length, 3);
    const onExit = s.events.find((e) => e.type === "state" && e.stage === "on_exit");
    assert.ok(onExit?.type === "state" && onExit.stage === "on_exit" && onExit.outcome === "skipped");
    assert.equal(s.sandbox.webhook()?.status, "pending");
  });

  test("webhook_invalid_token: a new challenge, and its token activates the webhook", async (t) => {
    const sandbox = await startSandbox();
    t.after(() => sandbox.stop());
    sandbox.inject("PUT /webhook/:id/check-challenge", {
      status: 400,
      body: JSON.stringify({ errors: [{ code: "webhook_invalid_token", message: "The token is invalid." }] }),
    });
    const s = await startSession(t, { sandboxInstance: sandbox });
    await s.ready();
    const routes = sandbox.requests.map((r) => r.route);
    assert.equal(routes.filter((r) => r === "PUT /webhook/:id/send-challenge").length, 2);
    assert.equal(routes.filter((r) => r === "PUT /webhook/:id/check-challenge").length, 2);
    assert.ok(s.events.some((e) => e.type === "state" && e.stage === "token_refused"));
    assert.equal(sandbox.webhook()?.status, "active");
    assert.deepEqual(sandbox.pendingFaults(), []);
  });
});
