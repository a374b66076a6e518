// "Be liberal in what certwh accepts from CertCentral" (spec §17 #17–19), over real HTTP on 127.0.0.1 against
// the sandbox's quirk switches: any Content-Type for a JSON body, numeric tokens, handshakes without the key or
// with the previous secret while a verification is under way (and refused otherwise), repeats passed on and
// marked (dropped only when asked), in the library and in listen.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import type { WebhookApi } from "../../src/api/types.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { createReceiver, type ReceiverOptions } from "../../src/receiver/handler.js";
import type { AcceptedDelivery, ReceiverOutcome } from "../../src/receiver/outcomes.js";
import type { SandboxQuirk } from "../../src/sandbox/quirks.js";
import type { Sandbox, SandboxOptions } from "../../src/sandbox/types.js";
import { startReceiver as startPlaceholder, withSandbox } from "../helpers/sandbox.js";
import { sleep } from "../helpers/wait.js";
import { startSession } from "./listen-support.js";

const SECRET = "liberal-secret-0123456789abcdefghijkl";
const OLD_SECRET = "liberal-old-secret-0123456789abcdefgh";
const PATH = "/hook/liberal";

function apiFor(sandbox: Sandbox): WebhookApi {
  return createWebhookApi({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    timeoutMs: 5000,
    userAgent: "certwh-test",
  });
}

interface Setup {
  sandbox: Sandbox;
  api: WebhookApi;
  url: string;
  accepted: AcceptedDelivery[];
  outcomes: ReceiverOutcome[];
  receiver: ReturnType<typeof createReceiver>;
  /** The webhook the receiver's completer works for (set by the test once it exists). */
  hook: { id?: number };
}

async function setup(
  t: TestContext,
  quirks: SandboxQuirk[],
  options: (hook: { id?: number }, api: WebhookApi) => Partial<ReceiverOptions> = () => ({}),
  sandboxOptions: SandboxOptions = {},
): Promise<Setup> {
  const sandbox = await withSandbox(t, { rateLimit: false, quirks, ...sandboxOptions });
  const api = apiFor(sandbox);
  const hook: { id?: number } = {};
  const accepted: AcceptedDelivery[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    path: PATH,
    onAccept: (d) => {
      accepted.push(d);
    },
    ...options(hook, api),
  });
  const outcomes: ReceiverOutcome[] = [];
  receiver.on("outcome", (o) => outcomes.push(o));
  const srv = await receiver.listen();
  t.after(async () => {
    await receiver.challenge?.whenIdle();
    await srv.close();
  });
  return { sandbox, api, url: srv.url.href, accepted, outcomes, receiver, hook };
}

/** Create the account's webhook at the test receiver, with the receiver's secret; returns its id. */
function createHook(s: Setup): Promise<number> {
  return s.api.createWebhook({ endpoint: s.url, secret: SECRET, events: ["certificate_issued"] });
}

/** Send a challenge and wait until the receiver's completer has verified and activated the webhook. */
async function challengeUntilActive(s: Setup): Promise<void> {
  await s.api.sendChallenge(s.hook.id as number);
  await until(() => s.sandbox.webhook()?.status === "active", "activation");
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const rejections = (s: Setup) =>
  s.outcomes.flatMap((o) => (o.type === "rejected" ? [`${o.status} ${o.reason}/${o.detail ?? ""}`] : []));

describe("any Content-Type for a JSON body", () => {
  for (const quirk of ["no-content-type", "text-plain"] as const) {
    test(`${quirk}: the create probe, the challenge and events are accepted`, async (t) => {
      const s = await setup(t, [quirk], (hook, api) => ({ challenge: { api, webhookId: () => hook.id } }));
      s.hook.id = await createHook(s);
      await challengeUntilActive(s);
      const delivery = await s.sandbox.emit("certificate_issued", { order_id: 7 });
      assert.equal(delivery?.status, 200);
      const expected = quirk === "text-plain" ? "text/plain" : undefined;
      const names = s.accepted.map((d) => d.event.name);
      assert.deepEqual(names, ["test_webhook_endpoint", "challenge_webhook_endpoint", "certificate_issued"]);
      for (const d of s.accepted) assert.equal(d.headers["content-type"], expected, d.event.name);
      assert.deepEqual(rejections(s), []);
    });
  }
});

describe("numeric tokens", () => {
  test("numeric-token: the library's self-verification completes end to end", async (t) => {
    const s = await setup(t, ["numeric-token"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id },
    }));
    s.hook.id = await createHook(s);
    await challengeUntilActive(s);
    await s.receiver.challenge?.whenIdle();
    const challenge = s.outcomes.find((o) => o.type === "challenge");
    assert.ok(challenge && challenge.type === "challenge");
    assert.match(String(challenge.token), /^\d+$/, "the token reached the gate as a string of digits");
    const raw = s.accepted.find((d) => d.event.type === "challenge_webhook_endpoint");
    assert.ok(raw, "the challenge was accepted");
    assert.equal(typeof (raw.payload.data as { token?: unknown }).token, "number");
    assert.equal(s.receiver.challenge?.state, "activated");
  });
});

describe("handshakes without the current key", () => {
  test("handshake-no-key: accepted and used while a verification is under way; events still need the key", async (t) => {
    let verifying = true;
    const s = await setup(t, ["handshake-no-key"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id, expectChallenge: () => verifying },
    }));
    // The create probe carries no key: accepted because the completer expects a challenge.
    s.hook.id = await createHook(s);
    await s.api.testEndpoint({ endpoint: s.url, secret: SECRET });
    await challengeUntilActive(s);
    const marked = s.accepted.filter((d) => d.handshakeKey === "missing").map((d) => d.event.name);
    assert.ok(marked.includes("challenge_webhook_endpoint"), marked.join());
    assert.ok(marked.includes("test_webhook_endpoint"), marked.join());
    assert.ok(s.receiver.stats.handshakesWithoutKey >= 2);
    assert.deepEqual(rejections(s), []);

    // A real event without the key is refused even while the window is open.
    const forged = await fetch(s.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"event":"certificate_issued","data":{"order_id":1}}',
    });
    assert.equal(forged.status, 401);
    // Real events from the sandbox carry the key.
    verifying = false;
    const delivery = await s.sandbox.emit("certificate_issued", { order_id: 8 });
    assert.equal(delivery?.status, 200);
    const issued = s.accepted.find((d) => d.event.name === "certificate_issued");
    assert.equal(issued?.handshakeKey, undefined);

    // With no verification under way, a key-less challenge is refused.
    const before = s.accepted.length;
    await s.api.sendChallenge(s.hook.id).catch(() => undefined);
    await until(() => rejections(s).length >= 2, "the refusal");
    assert.equal(s.accepted.length, before);
    assert.deepEqual(rejections(s), ["401 unauthorized/missing", "401 unauthorized/missing"]);
  });

  test("handshake-old-key: the previous secret is accepted on handshakes only, and only in the window", async (t) => {
    let open = true;
    const s = await setup(t, ["handshake-old-key"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id },
      handshakeOpen: () => open,
      previousSecret: OLD_SECRET,
    }));
    const placeholder = await startPlaceholder(t);
    s.hook.id = await s.api.createWebhook({
      endpoint: placeholder.url,
      secret: OLD_SECRET,
      events: ["certificate_issued"],
    });
    // The update probes the new endpoint with the OLD secret, then the challenge carries it too.
    await s.api.updateWebhook(s.hook.id, { endpoint: s.url, secret: SECRET });
    await challengeUntilActive(s);
    const marked = s.accepted.filter((d) => d.handshakeKey === "previous").map((d) => d.event.name);
    assert.ok(marked.includes("challenge_webhook_endpoint"), marked.join());
    assert.deepEqual(rejections(s), []);

    const post = (key: string, event: string) =>
      fetch(s.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-key": key },
        body: JSON.stringify({ event, data: { token: "forged", webhook_id: s.hook.id, order_id: 2 } }),
      });
    // An event with the old secret, or a handshake with some other key, is refused even in the window.
    assert.equal((await post(OLD_SECRET, "certificate_issued")).status, 401);
    assert.equal((await post("x".repeat(40), "challenge_webhook_endpoint")).status, 401);
    // Outside the window the old secret no longer opens anything.
    open = false;
    assert.equal((await post(OLD_SECRET, "challenge_webhook_endpoint")).status, 401);
    assert.equal((await post(SECRET, "certificate_issued")).status, 200);
    assert.deepEqual(rejections(s), [
      "401 unauthorized/mismatch",
      "401 unauthorized/mismatch",
      "401 unauthorized/mismatch",
    ]);
  });

  test("a forged key-less token costs one check-challenge call, never activation", async (t) => {
    const s = await setup(t, ["handshake-no-key"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id, expectChallenge: () => true },
    }));
    s.hook.id = await createHook(s);
    const results: string[] = [];
    s.receiver.on("challenge_result", (o) => results.push(o.result.type));
    const forged = JSON.stringify({
      event: "challenge_webhook_endpoint",
      data: { token: 123456789, webhook_id: s.hook.id },
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(s.url, { method: "POST", body: forged });
      assert.equal(res.status, 200);
    }
    await s.receiver.challenge?.whenIdle();
    assert.equal(s.sandbox.webhook()?.status, "pending");
    const checks = s.sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge");
    assert.equal(checks.length, 1);
    assert.ok(results.includes("token_rejected"), results.join());
  });
});

describe("repeated identical bodies", () => {
  test("repeat-deliveries: both copies are passed on, the second marked", async (t) => {
    const s = await setup(t, ["repeat-deliveries"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id },
    }));
    s.hook.id = await createHook(s);
    await challengeUntilActive(s);
    await s.sandbox.emit("certificate_issued", { order_id: 9 });
    await until(() => s.accepted.filter((d) => d.event.name === "certificate_issued").length === 2, "two");
    const [first, second] = s.accepted.filter((d) => d.event.name === "certificate_issued");
    assert.equal(first.repeatOf, undefined);
    assert.equal(second.repeatOf?.firstReceivedAt, first.receivedAt);
    assert.equal(s.outcomes.filter((o) => o.type === "duplicate").length, 0);
  });

  test("repeat-deliveries with dedupe { drop: true }: the repeat is answered 200 and not passed on", async (t) => {
    const s = await setup(t, ["repeat-deliveries"], (hook, api) => ({
      challenge: { api, webhookId: () => hook.id },
      dedupe: { drop: true },
    }));
    s.hook.id = await createHook(s);
    await challengeUntilActive(s);
    await s.sandbox.emit("certificate_issued", { order_id: 10 });
    await until(() => s.outcomes.some((o) => o.type === "duplicate"), "the duplicate");
    assert.equal(s.accepted.filter((d) => d.event.name === "certificate_issued").length, 1);
  });

  test("dedupe { drop: true }: a repeat that waited on a copy refused 503 is processed itself, not answered 500", async (t) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const issued: AcceptedDelivery[] = [];
    const s = await setup(
      t,
      ["repeat-deliveries"],
      (hook, api) => ({
        challenge: { api, webhookId: () => hook.id },
        dedupe: { drop: true },
        onAccept: async (d) => {
          if (d.event.name !== "certificate_issued") return undefined;
          issued.push(d);
          // The first copy outlives the sandbox's delivery timeout, so the repeat arrives while it is handled.
          if (issued.length > 1) return undefined;
          await held;
          return { status: 503, detail: "test_unavailable" };
        },
      }),
      { deliveryTimeoutMs: 300 },
    );
    s.hook.id = await createHook(s);
    await challengeUntilActive(s);
    const emitted = s.sandbox.emit("certificate_issued", { order_id: 11 });
    await until(() => s.receiver.inFlight === 2, "the repeat waiting on the first copy");
    release();
    await emitted;
    const copies = s.sandbox.deliveries.filter((d) => d.event === "certificate_issued");
    assert.deepEqual(
      copies.map((d) => d.status ?? d.error),
      ["timeout", 200],
    );
    assert.equal(issued.length, 2, "the repeat was not processed itself");
    assert.equal(issued[1]?.repeatOf, undefined);
    assert.deepEqual(rejections(s), ["503 unavailable/test_unavailable"]);
    assert.equal(s.outcomes.filter((o) => o.type === "duplicate").length, 0);
  });
});

describe("listen", () => {
  type Of<T extends ListenEvent["type"]> = Extract<ListenEvent, { type: T }>;

  test("handshake-no-key + numeric-token + no-content-type: ready, and the output says so", async (t) => {
    const s = await startSession(t, {
      sandbox: { rateLimit: false, quirks: ["handshake-no-key", "numeric-token", "no-content-type"] },
    });
    const ready = await s.ready();
    assert.equal(s.sandbox.webhook()?.status, "active");
    const accepted = s.events.filter(
      (e): e is Of<"state"> & { stage: "handshake_accepted" } =>
        e.type === "state" && e.stage === "handshake_accepted",
    );
    assert.ok(
      accepted.some((e) => e.event === "challenge_webhook_endpoint" && e.key === "missing"),
      JSON.stringify(accepted),
    );
    const challenge = s.events.find(
      (e): e is Of<"event"> => e.type === "event" && e.event === "challenge_webhook_endpoint",
    );
    assert.equal(challenge?.handshake_key, "missing");
    // After ready the window is closed: a key-less challenge is refused.
    const late = await fetch(ready.local_url, {
      method: "POST",
      body: JSON.stringify({
        event: "challenge_webhook_endpoint",
        data: { token: 1, webhook_id: ready.webhook_id },
      }),
    });
    assert.equal(late.status, 401);
    s.interrupt("SIGINT");
    assert.equal((await s.outcome).error, undefined);
  });

  test("handshake-old-key: listen accepts the secret it replaced while it verifies an existing webhook", async (t) => {
    const sandbox = await withSandbox(t, { rateLimit: false, quirks: ["handshake-old-key"] });
    const placeholder = await startPlaceholder(t);
    await apiFor(sandbox).createWebhook({
      endpoint: placeholder.url,
      secret: OLD_SECRET,
      events: ["certificate_issued"],
    });
    const s = await startSession(t, { sandboxInstance: sandbox });
    await s.ready();
    assert.equal(sandbox.webhook()?.status, "active");
    const accepted = s.events.filter((e) => e.type === "state" && e.stage === "handshake_accepted");
    assert.ok(
      accepted.some((e) => e.type === "state" && e.stage === "handshake_accepted" && e.key === "previous"),
      JSON.stringify(accepted),
    );
    s.interrupt("SIGINT");
    assert.equal((await s.outcome).error, undefined);
  });

  test("repeats are passed on marked; --drop-repeats drops them", async (t) => {
    for (const dropRepeats of [false, true]) {
      const s = await startSession(t, {
        sandbox: { rateLimit: false, quirks: ["repeat-deliveries"] },
        options: { dropRepeats },
      });
      await s.ready();
      await s.sandbox.emit("certificate_issued", { order_id: 11 });
      if (dropRepeats) {
        const dup = await s.waitFor<Of<"duplicate">>((e) => e.type === "duplicate");
        assert.equal(typeof dup.first_received_at, "string");
      } else {
        const repeat = await s.waitFor<Of<"event">>((e) => e.type === "event" && e.repeat === true);
        assert.equal(typeof repeat.first_received_at, "string");
      }
      const issued = s.events.filter((e) => e.type === "event" && e.event === "certificate_issued");
      assert.equal(issued.length, dropRepeats ? 1 : 2);
      s.interrupt("SIGINT");
      assert.equal((await s.outcome).error, undefined);
    }
  });
});
