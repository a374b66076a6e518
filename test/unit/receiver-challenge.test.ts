// The challenge completer against a strict fake WebhookApi (the network boundary): every call is recorded,
// every answer is scripted, and anything unscripted fails the test.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiError, ApiTimeoutError, NetworkError } from "../../src/api/errors.js";
import type { WebhookApi } from "../../src/api/types.js";
import { type ChallengeEvent, parseEvent } from "../../src/receiver/events.js";
import { ManualClock } from "../../src/util/clock.js";
import {
  CHECK_WINDOW_MS,
  type ChallengeResult,
  createChallengeCompleter,
  MAX_CHECKS_PER_WINDOW,
  MAX_PENDING_TOKENS,
} from "../../src/verification/completer.js";

type Answer = () => Promise<void>;
const ok: Answer = async () => {};
/** An answer that is CertCentral's 400 with `code`. */
const refusal =
  (code: string, message: string): Answer =>
  async () => {
    throw new ApiError({ status: 400, code, message, method: "PUT", path: "/x" });
  };
const refusedAction = refusal("webhook_invalid_action", "x");
const invalidToken = refusal("webhook_invalid_token", "Invalid token.");

/** Strict fake: only checkChallenge and activate are scripted; any other method throws and is recorded. */
class StrictApi implements WebhookApi {
  calls: string[] = [];
  unexpected: string[] = [];
  constructor(
    private checks: Answer[],
    private activations: Answer[] = [ok],
  ) {}
  private refuse(name: string): never {
    this.unexpected.push(name);
    throw new Error(`unexpected API call ${name}`);
  }
  async checkChallenge(id: number, token: string) {
    this.calls.push(`check ${id} ${token}`);
    const next = this.checks.shift() ?? this.refuse(`checkChallenge ${token}`);
    return next();
  }
  async activate(id: number) {
    this.calls.push(`activate ${id}`);
    const next = this.activations.shift() ?? this.refuse("activate");
    return next();
  }
  getWebhook: WebhookApi["getWebhook"] = async () => this.refuse("getWebhook");
  createWebhook = async () => this.refuse("createWebhook");
  updateWebhook = async () => this.refuse("updateWebhook");
  testEndpoint = async () => this.refuse("testEndpoint");
  sendChallenge = async () => this.refuse("sendChallenge");
  deactivate = async () => this.refuse("deactivate");
  deleteWebhook = async () => this.refuse("deleteWebhook");
  eventLogs = async () => this.refuse("eventLogs");
  verify() {
    assert.deepEqual(this.unexpected, [], "unexpected API calls");
    assert.equal(this.checks.length, 0, "scripted check-challenge answers left unused");
    assert.equal(this.activations.length, 0, "scripted activate answers left unused");
  }
}

function challenge(token: unknown, webhookId: unknown = 42): ChallengeEvent {
  const r = parseEvent({ event: "challenge_webhook_endpoint", data: { token, webhook_id: webhookId } });
  assert.ok(r.ok && r.event.type === "challenge_webhook_endpoint");
  return r.event;
}

function setup(api: StrictApi, expect = () => true, clock?: ManualClock) {
  const results: ChallengeResult[] = [];
  const completer = createChallengeCompleter({
    api,
    webhookId: 42,
    expectChallenge: expect,
    clock,
    onResult: (r) => results.push(r),
  });
  return {
    completer,
    results,
    types: () => results.map((r) => (r.type === "ignored" ? `ignored:${r.reason}` : r.type)),
  };
}

describe("challenge completer (items 10–11)", () => {
  test("one token: check-challenge then activate", async () => {
    const api = new StrictApi([ok]);
    const { completer, types } = setup(api);
    assert.equal(completer.offer(challenge("t1")).type, "queued");
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42"]);
    assert.deepEqual(types(), ["queued", "verified", "activated"]);
    assert.equal(completer.state, "activated");
    api.verify();
  });

  test("the same token offered concurrently is submitted exactly once", async () => {
    const api = new StrictApi([ok]);
    const { completer } = setup(api);
    const offers = [
      completer.offer(challenge("t1")),
      completer.offer(challenge("t1")),
      completer.offer(challenge(" t1 ")),
    ];
    assert.deepEqual(
      offers.map((o) => (o.type === "ignored" ? o.reason : o.type)),
      ["queued", "token_seen", "token_seen"],
    );
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42"]);
    api.verify();
  });

  test("two tokens, only the second valid: one failed check, then activation", async () => {
    const api = new StrictApi([invalidToken, ok]);
    const { completer, types } = setup(api);
    completer.offer(challenge("old"));
    completer.offer(challenge("new"));
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 old", "check 42 new", "activate 42"]);
    assert.deepEqual(types(), ["queued", "queued", "token_rejected", "verified", "activated"]);
    api.verify();
  });

  test("every candidate refused → exhausted; a later token is still accepted and old ones never resubmitted", async () => {
    const api = new StrictApi([invalidToken, ok]);
    const { completer, types } = setup(api);
    completer.offer(challenge("a"));
    await completer.whenIdle();
    assert.deepEqual(types(), ["queued", "token_rejected", "exhausted"]);
    assert.equal(completer.offer(challenge("a")).type, "ignored");
    completer.offer(challenge("b"));
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 a", "check 42 b", "activate 42"]);
    api.verify();
  });

  test("forged or unexpected challenges are ignored without any API call", async () => {
    let expected = false;
    const api = new StrictApi([], []);
    const { completer, types } = setup(api, () => expected);
    completer.offer(challenge("t1"));
    expected = true;
    completer.offer(challenge("t2", 999));
    completer.offer(challenge("t3", null));
    completer.offer(challenge(undefined));
    await completer.whenIdle();
    assert.deepEqual(types(), [
      "ignored:unexpected",
      "ignored:webhook_mismatch",
      "ignored:webhook_mismatch",
      "ignored:no_token",
    ]);
    assert.deepEqual(api.calls, []);
    api.verify();
  });

  test("a network failure on check-challenge is not repeated; the next challenge's token is submitted without reset()", async () => {
    // The lost answer is followed by activate, which CertCentral refuses (the token was not accepted).
    const api = new StrictApi(
      [
        async () => {
          throw new NetworkError("connection reset", "www.digicert.com", "ECONNRESET");
        },
        ok,
      ],
      [refusedAction, ok],
    );
    api.getWebhook = async () => ({ id: 42, endpoint: "https://h.example/x", status: "pending", events: [] });
    const { completer, results, types } = setup(api);
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.equal(completer.state, "failed");
    const failed = results.find((r) => r.type === "failed");
    assert.ok(
      failed && failed.type === "failed" && failed.step === "check" && failed.error instanceof NetworkError,
    );
    // An unattended endpoint: nobody calls reset(); the next challenge must still complete.
    assert.deepEqual(completer.offer(challenge("t2")), { type: "queued", position: 1 });
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42", "check 42 t2", "activate 42"]);
    assert.equal(completer.state, "activated");
    assert.deepEqual(types(), ["queued", "failed", "queued", "verified", "activated"]);
    // The failed token itself is never submitted again.
    assert.deepEqual(completer.offer(challenge("t1")), { type: "ignored", reason: "token_seen" });
    api.verify();
  });

  test("after a failed activate, the next challenge is checked and activated without reset()", async () => {
    const unavailable = async () => {
      throw new ApiError({ status: 503, code: "unavailable", message: "x", method: "PUT", path: "/x" });
    };
    // No getWebhook (the type allows it): the failed activate cannot be read back and stands.
    const api = new StrictApi([ok, ok], [unavailable, ok]);
    const withoutReadBack = {
      checkChallenge: (id: number, token: string) => api.checkChallenge(id, token),
      activate: (id: number) => api.activate(id),
    };
    const completer = createChallengeCompleter({ api: withoutReadBack, webhookId: 42 });
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.equal(completer.state, "failed");
    completer.offer(challenge("t2"));
    await completer.whenIdle();
    assert.equal(completer.state, "activated");
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42", "check 42 t2", "activate 42"]);
    api.verify();
  });

  test("a webhookId that is not a positive integer (NaN from an unset variable) is refused at construction", () => {
    const api = new StrictApi([], []);
    for (const webhookId of [Number.NaN, 0, -1, 1.5, Number("")]) {
      assert.throws(
        () => createChallengeCompleter({ api, webhookId }),
        (e: unknown) => e instanceof TypeError && /webhookId must be a positive integer/.test(e.message),
        String(webhookId),
      );
    }
    // A function (the ID known only later) is judged when a challenge arrives.
    assert.doesNotThrow(() => createChallengeCompleter({ api, webhookId: () => undefined }));
    api.verify();
  });

  test("activate failing is reported as such after a successful check", async () => {
    const api = new StrictApi(
      [ok],
      [
        async () => {
          throw new ApiError({
            status: 400,
            code: "webhook_invalid_action",
            message: "x",
            method: "PUT",
            path: "/x",
          });
        },
      ],
    );
    // The refusal is checked by reading the webhook back: still pending, so the failure stands.
    const reads: string[] = [];
    api.getWebhook = async () => {
      reads.push("getWebhook");
      return { id: 42, endpoint: "https://hooks.example.com/x", status: "pending", events: [] };
    };
    const { completer, types } = setup(api);
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.deepEqual(types(), ["queued", "verified", "failed"]);
    assert.equal(completer.state, "failed");
    assert.deepEqual(reads, ["getWebhook"]);
    api.verify();
  });

  test("activate refused but the webhook reads back active (kept active by an update): activated", async () => {
    const refused = async () => {
      throw new ApiError({
        status: 400,
        code: "webhook_invalid_action",
        message: "x",
        method: "PUT",
        path: "/x",
      });
    };
    const api = new StrictApi([ok], [refused]);
    api.getWebhook = async () => ({
      id: 42,
      endpoint: "https://hooks.example.com/x",
      status: "active",
      events: [],
    });
    const { completer, types } = setup(api);
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.deepEqual(types(), ["queued", "verified", "activated"]);
    api.verify();
  });

  test("a later challenge (update-url) is completed again; a repeated token is not", async () => {
    const api = new StrictApi([ok, ok], [ok, ok]);
    const { completer } = setup(api);
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.deepEqual(completer.offer(challenge("t1")), { type: "ignored", reason: "token_seen" });
    completer.offer(challenge("t2"));
    await completer.whenIdle();
    assert.equal(completer.state, "activated");
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42", "check 42 t2", "activate 42"]);
    api.verify();
  });

  test("activate: false stops after verification", async () => {
    const api = new StrictApi([ok], []);
    const completer = createChallengeCompleter({ api, webhookId: 42, activate: false });
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.equal(completer.state, "verified");
    assert.deepEqual(api.calls, ["check 42 t1"]);
    api.verify();
  });
  test("a flood of forged tokens is bounded: a small queue, and a cap on check-challenge calls per window", async () => {
    const clock = new ManualClock();
    const checks = Array.from({ length: MAX_CHECKS_PER_WINDOW }, () => invalidToken);
    const api = new StrictApi([...checks, ok]);
    const { completer, results } = setup(api, () => true, clock);
    const first = Array.from({ length: 100 }, (_, i) => completer.offer(challenge(`forged${i}`)));
    assert.equal(first.filter((r) => r.type === "queued").length, MAX_PENDING_TOKENS);
    assert.ok(
      first.slice(MAX_PENDING_TOKENS).every((r) => r.type === "ignored" && r.reason === "queue_full"),
    );
    await completer.whenIdle();
    const second = Array.from({ length: 100 }, (_, i) => completer.offer(challenge(`more${i}`)));
    await completer.whenIdle();
    assert.equal(
      second.filter((r) => r.type === "queued").length,
      MAX_CHECKS_PER_WINDOW - MAX_PENDING_TOKENS,
    );
    assert.ok(second.some((r) => r.type === "ignored" && r.reason === "rate_limited"));
    assert.equal(api.calls.length, MAX_CHECKS_PER_WINDOW);
    // Reported too, for the receiver's challenge_result outcome.
    assert.ok(results.some((r) => r.type === "ignored" && r.reason === "rate_limited"));
    // Once the window has passed, the real challenge's token is taken and completed.
    clock.advance(CHECK_WINDOW_MS);
    assert.equal(completer.offer(challenge("real")).type, "queued");
    await completer.whenIdle();
    assert.deepEqual(api.calls.slice(-2), ["check 42 real", "activate 42"]);
    assert.equal(completer.state, "activated");
    api.verify();
  });

  test("a newer challenge's token that arrives during a successful check is still submitted", async () => {
    let answerA: () => void = () => {};
    const slowA: Answer = () => new Promise<void>((resolve) => (answerA = resolve));
    // A's 204 comes back after update-url made the webhook pending again: activate is refused.
    const api = new StrictApi([slowA, ok], [refusedAction, ok]);
    api.getWebhook = async () => ({ id: 42, endpoint: "https://h.example/x", status: "pending", events: [] });
    const { completer, types } = setup(api);
    completer.offer(challenge("A"));
    completer.offer(challenge("A2")); // same round as A: dropped once A succeeds
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(api.calls, ["check 42 A"]);
    completer.offer(challenge("B")); // the newer challenge
    answerA();
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 A", "activate 42", "check 42 B", "activate 42"]);
    assert.deepEqual(types(), ["queued", "queued", "queued", "verified", "failed", "verified", "activated"]);
    assert.equal(completer.state, "activated");
    api.verify();
  });

  test("a check whose answer was lost (timeout) is followed by activate, which finishes the job", async () => {
    const lost: Answer = async () => {
      throw new ApiTimeoutError("timed out", "www.digicert.com", 1500);
    };
    const api = new StrictApi([lost], [ok]);
    const { completer, types } = setup(api);
    completer.offer(challenge("t1"));
    await completer.whenIdle();
    assert.deepEqual(api.calls, ["check 42 t1", "activate 42"]);
    assert.deepEqual(types(), ["queued", "activated"]);
    assert.equal(completer.state, "activated");
    // The token is never submitted again.
    assert.deepEqual(completer.offer(challenge("t1")), { type: "ignored", reason: "token_seen" });
    api.verify();
  });
});
