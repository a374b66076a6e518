// The sandbox console's API behind the inspector's guard: writes need the page's own Origin, an event name
// that is not a subscribable event is a 400 that says which are, a trigger goes through the in-process
// sandbox with realistic data, and no answer ever holds the sandbox's API key or the webhook's secret.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { SUBSCRIBABLE_EVENTS } from "../../src/events/catalogue.js";
import { sandboxConsoleRoutes, startInspector } from "../../src/inspector/index.js";
import { activeWebhook } from "../helpers/active-webhook.js";
import { type Answer, ask, logIn, postJson } from "../helpers/inspector.js";
import { withSandbox } from "../helpers/sandbox.js";

const SECRET = "webhook-secret-must-not-reach-the-page";

async function started(t: TestContext) {
  const sandbox = await withSandbox(t, { probe: { create: false } });
  const inspector = await startInspector({
    events: () => () => {},
    history: () => [],
    routes: sandboxConsoleRoutes(sandbox),
    panes: ["console"],
    title: "certwh sandbox",
  });
  t.after(() => inspector.close());
  const { port, cookie } = await logIn(inspector.url);
  const origin = `http://127.0.0.1:${port}`;
  const answers: Answer[] = [];
  const kept = async (a: Promise<Answer>) => {
    const answer = await a;
    answers.push(answer);
    return answer;
  };
  return {
    sandbox,
    port,
    cookie,
    answers,
    get: (path: string) => kept(ask(port, path, { headers: { cookie } })),
    trigger: (body: unknown, headers: Record<string, string> = { cookie, origin }) =>
      kept(
        postJson(
          port,
          "/api/sandbox/trigger",
          typeof body === "string" ? body : JSON.stringify(body),
          headers,
        ),
      ),
  };
}

describe("the sandbox console's API", () => {
  test("without a sandbox (listen without --sandbox) the page has no console pane and no console API", async (t) => {
    const inspector = await startInspector({ events: () => () => {}, history: () => [] });
    t.after(() => inspector.close());
    const { port, cookie } = await logIn(inspector.url);
    const page = await ask(port, "/api/page", { headers: { cookie } });
    assert.deepEqual(JSON.parse(page.body), {
      panes: ["session", "deliveries"],
      title: "certwh listen",
      deliveries_api: false,
    });
    assert.equal((await ask(port, "/api/sandbox", { headers: { cookie } })).status, 404);
    const origin = `http://127.0.0.1:${port}`;
    const trigger = await postJson(port, "/api/sandbox/trigger", '{"event":"certificate_issued"}', {
      cookie,
      origin,
    });
    assert.equal(trigger.status, 405);
  });

  test("a write without the page's own Origin (or without the cookie) is 403, and sends nothing", async (t) => {
    const { cookie, trigger, sandbox } = await started(t);
    const body = { event: "certificate_revoked" };
    assert.equal((await trigger(body, { cookie })).status, 403, "no Origin");
    assert.equal(
      (await trigger(body, { cookie, origin: "http://evil.example" })).status,
      403,
      "another Origin",
    );
    assert.equal((await trigger(body, { cookie, origin: "http://127.0.0.1:1" })).status, 403, "another port");
    assert.equal((await trigger(body, { origin: "http://127.0.0.1:1" })).status, 403, "no cookie");
    assert.equal(sandbox.deliveries.length, 0);
  });

  test("a name that is not a subscribable event is 400 with a message that says which are", async (t) => {
    const { trigger } = await started(t);
    const unknown = await trigger({ event: "certificate_exploded" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.headers["content-type"] ?? "", /^application\/json/);
    const message = (JSON.parse(unknown.body) as { error: string }).error;
    assert.match(
      message,
      /^Unknown event "certificate_exploded"\. The console sends one of: certificate_issued, /,
    );
    const handshake = await trigger({ event: "test_webhook_endpoint" });
    assert.equal(handshake.status, 400);
    assert.match(handshake.body, /test_webhook_endpoint is not an event a webhook subscribes to/);
    assert.equal((await trigger({})).status, 400);
    assert.match((await trigger("{not json")).body, /not JSON/);
  });

  test("state and triggers: the webhook as the page may see it, a realistic delivery, never a key or secret", async (t) => {
    const { get, trigger, sandbox, answers } = await started(t);
    const page = JSON.parse((await get("/api/page")).body) as { panes: string[]; title: string };
    assert.deepEqual(page, { panes: ["console"], title: "certwh sandbox", deliveries_api: false });

    const empty = JSON.parse((await get("/api/sandbox")).body) as Record<string, unknown>;
    assert.equal(empty.webhook, null);
    assert.deepEqual(
      (empty.event_types as { name: string }[]).map((e) => e.name),
      [...SUBSCRIBABLE_EVENTS],
    );
    assert.deepEqual(JSON.parse((await trigger({ event: "certificate_revoked" })).body), {
      delivered: false,
      reason: "no webhook is configured",
    });

    const { rx, token } = await activeWebhook(sandbox, t, {
      secret: SECRET,
      events: ["certificate_revoked"],
    });
    const state = JSON.parse((await get("/api/sandbox")).body) as {
      webhook: Record<string, unknown>;
      deliveries: Record<string, unknown>[];
    };
    assert.equal(state.webhook.status, "active");
    assert.equal(state.webhook.endpoint, rx.url);
    assert.deepEqual(state.webhook.events, ["certificate_revoked"]);
    assert.equal(state.webhook.has_secret, true);
    assert.deepEqual(
      state.deliveries.map((d) => `${d.kind} ${d.event} ${d.status}`),
      ["challenge challenge_webhook_endpoint 200"],
    );

    const sent = JSON.parse((await trigger({ event: "certificate_revoked" })).body) as {
      delivered: boolean;
      delivery: Record<string, unknown>;
    };
    assert.equal(sent.delivered, true);
    assert.equal(sent.delivery.status, 200);
    assert.equal(sent.delivery.ok, true);
    assert.equal(sent.delivery.url, rx.url);
    const received = rx.received.at(-1)?.json as { event: string; data: Record<string, unknown> };
    assert.equal(received.event, "certificate_revoked");
    assert.match(String(received.data.order_id), /^\d{9}$/, "a realistic order id");
    assert.match(String(received.data.certificate_id), /^\d{9}$/);
    assert.deepEqual(JSON.parse((await trigger({ event: "order_rejected" })).body), {
      delivered: false,
      reason: "the webhook is not subscribed to order_rejected",
    });

    for (const answer of answers) {
      for (const secret of [sandbox.apiKey, SECRET, token])
        assert.ok(!answer.body.includes(secret), `an answer held a secret: ${answer.body}`);
    }
  });
});
