// Challenge deliveries through the real receiver (reliability-checklist items 10–12), against a strict fake
// WebhookApi (the network boundary) and, end to end, against the sandbox with the real API client.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { ApiError } from "../../src/api/errors.js";
import type { WebhookApi } from "../../src/api/types.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { createReceiver, type ReceiverOptions } from "../../src/receiver/handler.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { startReceiver, withSandbox } from "../helpers/sandbox.js";
import { sleep } from "../helpers/wait.js";

const SECRET = "challenge-secret-0123456789abcdefghij";
const PATH = "/hook/challenge";

/** Strict fake: checkChallenge/activate answer from a script (or a gate); every other method fails the test. */
function strictApi(checks: (() => Promise<void>)[]) {
  const calls: string[] = [];
  const unexpected: string[] = [];
  const refuse = (name: string) => async (): Promise<never> => {
    unexpected.push(name);
    throw new Error(`unexpected API call ${name}`);
  };
  const api: WebhookApi = {
    async checkChallenge(id, token) {
      calls.push(`check ${id} ${token}`);
      const next = checks.shift();
      if (!next) return refuse(`checkChallenge ${token}`)();
      return next();
    },
    async activate(id) {
      calls.push(`activate ${id}`);
    },
    getWebhook: refuse("getWebhook"),
    createWebhook: refuse("createWebhook"),
    updateWebhook: refuse("updateWebhook"),
    testEndpoint: refuse("testEndpoint"),
    sendChallenge: refuse("sendChallenge"),
    deactivate: refuse("deactivate"),
    deleteWebhook: refuse("deleteWebhook"),
    eventLogs: refuse("eventLogs"),
  };
  const verify = () => {
    assert.deepEqual(unexpected, []);
    assert.equal(checks.length, 0, "scripted answers left unused");
  };
  return { api, calls, verify };
}

async function start(t: TestContext, options: Partial<ReceiverOptions>) {
  const receiver = createReceiver({ secret: SECRET, path: PATH, ...options });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  t.after(async () => {
    await receiver.challenge?.whenIdle();
    await srv.close();
  });
  const post = (body: string) =>
    fetch(srv.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body,
      signal: AbortSignal.timeout(2000), // a handler that awaited the API would trip this
    });
  return { receiver, outcomes, post };
}

/** An app's receiver with the challenge completer, against `sandbox`; `hook.id` is set once created. */
async function appReceiver(
  t: TestContext,
  sandbox: Sandbox,
  maxAttempts?: number,
  { timeoutMs = 5000, activate }: { timeoutMs?: number; activate?: boolean } = {},
) {
  const api = createWebhookApi({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    timeoutMs,
    maxAttempts,
    userAgent: "certwh-test",
  });
  const hook: { id?: number } = {};
  const receiver = createReceiver({
    secret: SECRET,
    path: PATH,
    challenge: { api, webhookId: () => hook.id, activate },
  });
  const results: string[] = [];
  receiver.on("challenge_result", (o) => results.push(o.result.type));
  const srv = await receiver.listen();
  t.after(() => srv.close());
  return { api, hook, receiver, results, srv };
}

const challengeBody = (token: string, webhookId = 42) =>
  JSON.stringify({ event: "challenge_webhook_endpoint", data: { token, webhook_id: webhookId } });
const resultTypes = (outcomes: ReceiverOutcome[]) =>
  outcomes.flatMap((o) =>
    o.type === "challenge_result"
      ? [o.result.type === "ignored" ? `ignored:${o.result.reason}` : o.result.type]
      : [],
  );

describe("challenge deliveries through the receiver", () => {
  test("item 10: the same challenge three times concurrently → three 200s, exactly one check-challenge", async (t) => {
    const fake = strictApi([async () => {}]);
    const { receiver, outcomes, post } = await start(t, { challenge: { api: fake.api, webhookId: 42 } });
    const answers = await Promise.all([1, 2, 3].map(() => post(challengeBody("tok-A"))));
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200],
    );
    await receiver.challenge?.whenIdle();
    assert.deepEqual(fake.calls, ["check 42 tok-A", "activate 42"]);
    // Repeats are passed on (marked); the token gate takes the token once.
    assert.equal(outcomes.filter((o) => o.type === "challenge").length, 3);
    assert.equal(resultTypes(outcomes).filter((r) => r === "ignored:token_seen").length, 2);
    assert.equal(receiver.challenge?.state, "activated");
    fake.verify();
  });

  test("item 12: a check-challenge that does not answer never delays the 200", async (t) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const fake = strictApi([() => gate]);
    const { receiver, post } = await start(t, { challenge: { api: fake.api, webhookId: 42 } });
    const started = Date.now();
    const res = await post(challengeBody("tok-slow"));
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 1000, "the answer waited for the API");
    assert.equal(receiver.challenge?.state, "checking");
    release();
    await receiver.challenge?.whenIdle();
    assert.deepEqual(fake.calls, ["check 42 tok-slow", "activate 42"]);
    fake.verify();
  });

  test("item 11: a challenge for another webhook, or one not expected, is answered 200 and ignored", async (t) => {
    let expected = false;
    const fake = strictApi([]);
    const { outcomes, post } = await start(t, {
      challenge: { api: fake.api, webhookId: 42, expectChallenge: () => expected },
    });
    assert.equal((await post(challengeBody("tok-early"))).status, 200);
    expected = true;
    assert.equal((await post(challengeBody("tok-other", 999))).status, 200);
    assert.deepEqual(resultTypes(outcomes), ["ignored:unexpected", "ignored:webhook_mismatch"]);
    assert.deepEqual(fake.calls, []);
    fake.verify();
  });

  test("item 11: two tokens, only the second valid → one failed check, then activation", async (t) => {
    const fake = strictApi([
      async () => {
        throw new ApiError({
          status: 400,
          code: "webhook_invalid_token",
          message: "x",
          method: "PUT",
          path: "/x",
        });
      },
      async () => {},
    ]);
    const { receiver, outcomes, post } = await start(t, { challenge: { api: fake.api, webhookId: 42 } });
    assert.equal((await post(challengeBody("tok-1"))).status, 200);
    assert.equal((await post(challengeBody("tok-2"))).status, 200);
    await receiver.challenge?.whenIdle();
    assert.deepEqual(fake.calls, ["check 42 tok-1", "check 42 tok-2", "activate 42"]);
    assert.ok(resultTypes(outcomes).includes("token_rejected"));
    assert.equal(resultTypes(outcomes).at(-1), "activated");
    fake.verify();
  });

  test("without the challenge option a challenge is only reported (token and webhook id)", async (t) => {
    const { outcomes, post } = await start(t, {});
    assert.equal((await post(challengeBody("tok-x", 7))).status, 200);
    const c = outcomes.find((o) => o.type === "challenge");
    assert.ok(c && c.type === "challenge");
    assert.equal(c.token, "tok-x");
    assert.equal(c.webhookId, 7);
  });
});

describe("production library mode against the sandbox", () => {
  test("an unset or empty API key, or a NaN webhook id, is refused when the receiver is built, not at the first challenge", () => {
    const apiWith = (apiKey: string | undefined) =>
      createWebhookApi({
        baseUrl: "http://127.0.0.1:9/services/v2",
        apiKey: apiKey as string, // what a JavaScript caller passes from an unset variable
        timeoutMs: 1000,
        userAgent: "certwh-test",
      });
    for (const key of [undefined, ""]) {
      assert.throws(
        () => createReceiver({ secret: SECRET, challenge: { api: apiWith(key), webhookId: 42 } }),
        (e: unknown) => e instanceof TypeError && /API key is missing or empty/.test(e.message),
        String(key),
      );
    }
    assert.throws(
      () =>
        createReceiver({ secret: SECRET, challenge: { api: apiWith("k"), webhookId: Number(undefined) } }),
      (e: unknown) =>
        e instanceof TypeError && /webhookId must be a positive integer \(got NaN\)/.test(e.message),
    );
  });

  test("after an endpoint update elsewhere, the app's receiver completes the challenge and the webhook is active", async (t) => {
    const sandbox = await withSandbox(t, { rateLimit: false });
    const { api, hook, receiver, results, srv } = await appReceiver(t, sandbox);

    const placeholder = await startReceiver(t);
    // The account's webhook exists and points somewhere else.
    const webhookId = await api.createWebhook({
      endpoint: placeholder.url,
      secret: SECRET,
      events: ["certificate_issued"],
    });
    hook.id = webhookId;
    // What `certwh update-url --url <prod>` does: update, then send the challenge and leave the rest to the app.
    await api.updateWebhook(webhookId, { endpoint: srv.url.href, secret: SECRET });
    await api.sendChallenge(webhookId);
    for (let i = 0; i < 100 && sandbox.webhook()?.status !== "active"; i++) {
      await sleep(20);
      await receiver.challenge?.whenIdle();
    }
    assert.equal(sandbox.webhook()?.status, "active");
    assert.deepEqual(results, ["queued", "verified", "activated"]);
    const checks = sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge");
    assert.equal(checks.length, 1);
  });

  test("a check-challenge that failed (503) does not block the next challenge: it is completed unattended", async (t) => {
    const sandbox = await withSandbox(t, { rateLimit: false });
    const { api, hook, receiver, results, srv } = await appReceiver(t, sandbox, 1);
    const webhookId = await api.createWebhook({ endpoint: srv.url.href, secret: SECRET });
    hook.id = webhookId;
    await receiver.challenge?.whenIdle();
    results.length = 0; // the create's own challenge is completed; a later re-verification follows
    await api.updateWebhook(webhookId, { endpoint: srv.url.href, secret: SECRET });
    sandbox.inject("PUT /webhook/:id/check-challenge", { status: 503 });
    await api.sendChallenge(webhookId);
    for (let i = 0; i < 100 && receiver.challenge?.state !== "failed"; i++) {
      await sleep(20);
      await receiver.challenge?.whenIdle();
    }
    assert.equal(receiver.challenge?.state, "failed");
    // CertCentral's operator (or `certwh challenge`) sends a new challenge; nobody calls reset().
    await api.sendChallenge(webhookId);
    for (let i = 0; i < 100 && sandbox.webhook()?.status !== "active"; i++) {
      await sleep(20);
      await receiver.challenge?.whenIdle();
    }
    assert.equal(sandbox.webhook()?.status, "active");
    assert.equal(receiver.challenge?.state, "activated");
    assert.deepEqual(results, ["queued", "failed", "queued", "verified", "activated"]);
  });

  test("activate: false, a check-challenge applied but its answer lost: failed, never activated (no read-back can tell)", async (t) => {
    const sandbox = await withSandbox(t, { rateLimit: false, quirks: ["create-no-probe"] });
    const { api, hook, receiver, results, srv } = await appReceiver(t, sandbox, 1, {
      timeoutMs: 300,
      activate: false,
    });
    hook.id = await api.createWebhook({ endpoint: srv.url.href, secret: SECRET });
    // CertCentral carries the check out after the client gave up waiting: the answer is lost, not the call.
    sandbox.inject("PUT /webhook/:id/check-challenge", { delayMs: 600 });
    await api.sendChallenge(hook.id);
    for (let i = 0; i < 100 && receiver.challenge?.state !== "failed"; i++) {
      await sleep(20);
      await receiver.challenge?.whenIdle();
    }
    assert.deepEqual(results, ["queued", "failed"]);
    for (let i = 0; i < 100 && sandbox.webhook()?.verified !== true; i++) await sleep(20);
    assert.equal(sandbox.webhook()?.verified, true, "the check was carried out");
    // What a read-back would see: pending, as for a token never accepted.
    assert.equal((await api.getWebhook())?.status, "pending");
    const routes = sandbox.requests.map((r) => r.route);
    assert.ok(!routes.includes("PUT /webhook/:id/activate"), routes.join());
  });
});
