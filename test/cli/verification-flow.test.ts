// The shared verification flow (src/verification/flow.ts) in-process, with the real API client against
// the sandbox and a loopback receiver; time on a ManualClock shared by both sides.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../../src/api/errors.js";
import type { WebhookApi } from "../../src/api/types.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { TimeoutError } from "../../src/errors.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { ManualClock } from "../../src/util/clock.js";
import { type AwaitTokenArgs, runVerification } from "../../src/verification/flow.js";
import { CHALLENGE_WINDOW_MS, type VerificationStage } from "../../src/verification/stages.js";
import { type Receiver, startReceiver, withSandbox } from "../helpers/sandbox.js";
import { poll } from "../helpers/wait.js";

interface Setup {
  sandbox: Sandbox;
  receiver: Receiver;
  api: WebhookApi;
  clock: ManualClock;
  id: number;
  stages: VerificationStage[];
  routes(): string[];
  count(route: string): number;
  /** Token source reading the n-th challenge the receiver got (1-based). */
  tokenNumber(n: number): (args: AwaitTokenArgs) => Promise<string>;
}

async function setup(t: import("node:test").TestContext): Promise<Setup> {
  const clock = new ManualClock();
  const sandbox = await withSandbox(t, { clock });
  const receiver = await startReceiver(t);
  const api = createWebhookApi({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    timeoutMs: 5000,
    userAgent: "certwh-test",
    clock,
  });
  const id = await api.createWebhook({ endpoint: receiver.url, events: ["certificate_issued"] });
  const challenges = () =>
    receiver.received.filter((r) => (r.json as { event?: string }).event === "challenge_webhook_endpoint");
  const routes = () => sandbox.requests.map((r) => r.route ?? "?");
  return {
    sandbox,
    receiver,
    api,
    clock,
    id,
    stages: [],
    routes,
    count: (route) => routes().filter((r) => r === route).length,
    tokenNumber: (n) => async () => {
      await poll(() => challenges().length >= n, { timeoutMs: 2000, intervalMs: 20 });
      return (challenges()[n - 1].json as { data: { token: string } }).data.token;
    },
  };
}

const TEST = "POST /webhook/test-endpoint";
const SEND = "PUT /webhook/:id/send-challenge";
const CHECK = "PUT /webhook/:id/check-challenge";
const ACTIVATE = "PUT /webhook/:id/activate";

test("test → challenge → token → check → activate, each call once, stages in order", async (t) => {
  const s = await setup(t);
  const secret = "x".repeat(32);
  let seenDeadline = 0;
  const start = s.clock.now();
  const result = await runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    secret,
    clock: s.clock,
    awaitToken: async (args) => {
      seenDeadline = args.deadline;
      assert.equal(args.webhookId, s.id);
      return ` ${await s.tokenNumber(1)(args)}\n`; // surrounding whitespace is trimmed
    },
    onStage: (stage) => s.stages.push(stage),
  });
  assert.deepEqual(result, {
    outcome: "activated",
    deadline: start + CHALLENGE_WINDOW_MS,
    challengesSent: 1,
  });
  assert.equal(seenDeadline, start + CHALLENGE_WINDOW_MS);
  assert.deepEqual(
    s.stages.map((x) => x.stage),
    ["testing", "tested", "challenge_sent", "waiting", "verified", "activated"],
  );
  assert.deepEqual(s.routes().slice(1), [TEST, SEND, CHECK, ACTIVATE]);
  const testReq = s.sandbox.requests.find((r) => r.route === TEST);
  assert.deepEqual(testReq?.body, { endpoint: s.receiver.url, secret });
  assert.equal(s.sandbox.webhook()?.status, "active");
});

test("without a token source the flow stops after the challenge", async (t) => {
  const s = await setup(t);
  const result = await runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    clock: s.clock,
  });
  assert.equal(result.outcome, "challenge_sent");
  assert.deepEqual(s.routes().slice(1), [TEST, SEND]);
});

test("a token that comes after the 30-minute window is never submitted", async (t) => {
  const s = await setup(t);
  const late = async (args: AwaitTokenArgs) => {
    const token = await s.tokenNumber(1)(args);
    s.clock.advance(CHALLENGE_WINDOW_MS + 60_000);
    return token;
  };
  await assert.rejects(
    runVerification({
      api: s.api,
      webhookId: s.id,
      endpoint: s.receiver.url,
      clock: s.clock,
      awaitToken: late,
    }),
    TimeoutError,
  );
  assert.equal(s.count(CHECK), 0);
  assert.equal(s.count(SEND), 1);
});

test("with maxChallenges 2, an expired window leads to one deliberate new challenge", async (t) => {
  const s = await setup(t);
  let calls = 0;
  const result = await runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    clock: s.clock,
    maxChallenges: 2,
    onStage: (stage) => s.stages.push(stage),
    awaitToken: async (args) => {
      calls += 1;
      const token = await s.tokenNumber(calls)(args);
      if (calls === 1) s.clock.advance(CHALLENGE_WINDOW_MS);
      return token;
    },
  });
  assert.equal(result.outcome, "activated");
  assert.equal(result.challengesSent, 2);
  assert.deepEqual(s.routes().slice(1), [TEST, SEND, SEND, CHECK, ACTIVATE]);
  assert.ok(s.stages.some((x) => x.stage === "token_expired"));
});

test("a refused token: propagated as ApiError by default, or one new challenge when allowed", async (t) => {
  const s = await setup(t);
  await assert.rejects(
    runVerification({
      api: s.api,
      webhookId: s.id,
      endpoint: s.receiver.url,
      clock: s.clock,
      awaitToken: async () => "not-the-token",
    }),
    (e) => e instanceof ApiError && e.code === "webhook_invalid_token",
  );
  assert.equal(s.count(CHECK), 1);
  assert.equal(s.count(SEND), 1);

  let calls = 0;
  const result = await runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    clock: s.clock,
    maxChallenges: 2,
    onStage: (stage) => s.stages.push(stage),
    awaitToken: async (args) => {
      calls += 1;
      return calls === 1 ? "wrong" : s.tokenNumber(3)(args);
    },
  });
  assert.equal(result.outcome, "activated");
  assert.equal(s.count(SEND), 3);
  assert.equal(s.count(CHECK), 3);
  assert.ok(s.stages.some((x) => x.stage === "token_refused"));
});

test("503 on send-challenge is not retried by the flow or the client", async (t) => {
  const s = await setup(t);
  s.sandbox.inject(SEND, { status: 503 });
  await assert.rejects(
    runVerification({
      api: s.api,
      webhookId: s.id,
      endpoint: s.receiver.url,
      clock: s.clock,
      awaitToken: async () => "x",
    }),
    (e) => e instanceof ApiError && e.status === 503,
  );
  assert.equal(s.count(SEND), 1);
  assert.equal(s.count(CHECK), 0);
});

test("an abort while waiting for the token stops the flow with the abort reason; nothing submitted", async (t) => {
  const s = await setup(t);
  const controller = new AbortController();
  const reason = new Error("interrupted");
  const run = runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    clock: s.clock,
    signal: controller.signal,
    awaitToken: ({ signal }) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        setTimeout(() => controller.abort(reason), 10);
      }),
  });
  await assert.rejects(run, (e) => e === reason);
  assert.equal(s.count(CHECK), 0);
  assert.equal(s.sandbox.webhook()?.status, "pending");
});

test("activate: false stops after verification", async (t) => {
  const s = await setup(t);
  const result = await runVerification({
    api: s.api,
    webhookId: s.id,
    endpoint: s.receiver.url,
    clock: s.clock,
    activate: false,
    awaitToken: s.tokenNumber(1),
  });
  assert.equal(result.outcome, "verified");
  assert.equal(s.count(ACTIVATE), 0);
  assert.equal(s.sandbox.webhook()?.status, "pending");
});
