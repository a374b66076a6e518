// The interactive token prompt of create/update-url against the sandbox: a refused token is asked for
// again (time left shown, no new challenge), at most 3 tokens; then one clear next step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../../src/api/errors.js";
import { verifyForCommand } from "../../src/commands/webhook/verification-steps.js";
import { CertwhError } from "../../src/errors.js";
import type { Prompter } from "../../src/io/prompt.js";
import type { Sandbox } from "../../src/sandbox/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { captureOutput } from "../helpers/capture.js";
import { startReceiver, withSandbox } from "../helpers/sandbox.js";
import { apiFor } from "./listen-support.js";

/** Answers to the prompt, in order; a function is called when its prompt is answered. */
type Answer = string | (() => string);

async function setup(t: Parameters<typeof withSandbox>[0], answers: (token: () => string) => Answer[]) {
  const sandbox = await withSandbox(t);
  const receiver = await startReceiver(t);
  const api = apiFor(sandbox);
  const id = await api.createWebhook({ endpoint: receiver.url, events: ["certificate_issued"] });
  const token = () => {
    const last = receiver.received
      .map((r) => r.json as { event?: string; data?: { token?: string } })
      .filter((j) => j?.event === "challenge_webhook_endpoint")
      .at(-1);
    return last?.data?.token ?? "";
  };
  const script = answers(token);
  const asked: string[] = [];
  const clock = new ManualClock(Date.now());
  const prompt: Prompter = {
    interactive: true,
    async input(message) {
      asked.push(message);
      clock.advance(60_000); // a minute per answer: the time left shown must go down
      const next = script.shift();
      if (next === undefined) throw new Error("asked more often than scripted");
      return typeof next === "function" ? next() : next;
    },
    async password() {
      throw new Error("no password prompt expected");
    },
    async confirm() {
      throw new Error("no confirmation expected");
    },
  };
  const { io, stderr } = captureOutput({ color: false });
  const err = stderr.writes;
  const ctx = { io, prompt, clock, signal: new AbortController().signal, interactive: true };
  const run = () => verifyForCommand(ctx, { api, webhookId: id, endpoint: receiver.url, localApi: true });
  return { sandbox, asked, err, run };
}

const challenges = (s: Pick<Sandbox, "requests">) =>
  s.requests.filter((r) => r.route === "PUT /webhook/:id/send-challenge").length;

test("a mistyped token is asked for again with the time left, and the right one then activates", async (t) => {
  // The second answer is the real token, read when it is asked for.
  const { sandbox, asked, err, run } = await setup(t, (token) => ["typo", token]);
  const result = await run();
  assert.equal(result.outcome, "activated");
  assert.equal(asked.length, 2);
  assert.match(asked[0] as string, /\(30:00 left\)/);
  assert.match(asked[1] as string, /\(29:00 left\)/);
  assert.match(err.join(""), /paste it again \(2 more tries; no new challenge is sent\)/);
  assert.equal(challenges(sandbox), 1, "no new challenge for a retry");
  assert.equal(sandbox.webhook()?.status, "active");
});

test("after 3 refused tokens: exit 3 with one next step, still one challenge", async (t) => {
  const { sandbox, asked, run } = await setup(t, () => ["bad-1", "bad-2", "bad-3"]);
  const failure = await run().then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e,
  );
  assert.ok(failure instanceof CertwhError);
  assert.equal(failure.exitCode, 3);
  assert.ok(failure.cause instanceof ApiError);
  assert.match(failure.message, /refused the token 3 times/);
  assert.match(failure.hint ?? "", /^Webhook \d+ stays pending\. Next: run `certwh challenge`/);
  assert.equal(asked.length, 3);
  assert.equal(challenges(sandbox), 1);
  assert.equal(sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge").length, 3);
  assert.equal(sandbox.webhook()?.status, "pending");
});
