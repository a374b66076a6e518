// The sandbox-only admin routes under /sandbox/v1 (used by `certwh trigger --sandbox-url`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

function admin(
  sb: { origin: string; apiKey: string },
  method: string,
  path: string,
  body?: unknown,
  key = sb.apiKey,
) {
  return call({ url: `${sb.origin}/sandbox/v1`, apiKey: key }, method, path, body);
}

test("admin: emit only to an active, subscribed webhook; state; deliveries; faults; release", async (t) => {
  const sb = await withSandbox(t, { probe: { create: false } });
  const rx = await startReceiver(t);
  assert.deepEqual((await admin(sb, "POST", "/emit", { event: "certificate_issued" })).json, {
    delivered: false,
    code: "no_webhook",
    reason: "no webhook is configured",
  });
  assert.equal((await admin(sb, "GET", "/state", undefined, "wrong-key")).status, 401);
  assert.equal((await admin(sb, "POST", "/emit", {})).status, 400);

  const id = ((await call(sb, "POST", "/webhook", { endpoint: rx.url })).json as { webhook_id: number })
    .webhook_id;
  assert.deepEqual((await admin(sb, "POST", "/emit", { event: "certificate_issued" })).json, {
    delivered: false,
    code: "not_active",
    reason: "the webhook is pending, not active",
  });
  sb.holdChallenges(true);
  await call(sb, "PUT", `/webhook/${id}/send-challenge`);
  assert.equal(rx.received.length, 0);
  assert.equal((await admin(sb, "POST", "/release-challenges")).status, 204);
  const token = (rx.received[0].json as { data: { token: string } }).data.token;
  await call(sb, "PUT", `/webhook/${id}/check-challenge`, { token });
  await call(sb, "PUT", `/webhook/${id}/activate`);

  const state = (await admin(sb, "GET", "/state")).json as { webhook: Record<string, unknown> };
  assert.equal(state.webhook.status, "active");
  assert.equal(state.webhook.verified, true);
  assert.equal(state.webhook.open_tokens, 0);

  assert.deepEqual((await admin(sb, "POST", "/emit", { event: "domain_validated" })).json, {
    delivered: false,
    code: "not_subscribed",
    reason: "the webhook is not subscribed to domain_validated",
  });
  const emitted = (await admin(sb, "POST", "/emit", { event: "certificate_issued", data: { order_id: 5 } }))
    .json as {
    delivered: boolean;
    delivery: Record<string, unknown>;
  };
  assert.equal(emitted.delivered, true);
  const { duration_ms: ms, ...delivery } = emitted.delivery;
  assert.equal(typeof ms, "number", "the delivery's own time, for trigger --sandbox-url");
  assert.equal((emitted as Record<string, unknown>).certificate_chain, false, "chain settings are off");
  assert.deepEqual(delivery, {
    kind: "event",
    url: rx.url,
    sent_to: rx.url,
    event: "certificate_issued",
    status: 200,
    ok: true,
  });
  assert.equal((rx.received.at(-1)!.json as { data: { order_id: number } }).data.order_id, 5);

  const deliveries = (await admin(sb, "GET", "/deliveries")).json as {
    deliveries: { kind: string; header_names: string[] }[];
  };
  assert.deepEqual(
    deliveries.deliveries.map((d) => d.kind),
    ["challenge", "event"],
  );
  assert.ok(deliveries.deliveries[1].header_names.includes("User-Agent"));

  assert.equal(
    (await admin(sb, "POST", "/faults", { route: "GET /webhook", faults: [{ status: 503 }] })).status,
    204,
  );
  assert.equal((await call(sb, "GET", "/webhook")).status, 503);
  assert.equal((await admin(sb, "POST", "/faults", { route: "GET /nope", faults: [] })).status, 400);
  assert.equal((await admin(sb, "GET", "/nope")).status, 404);
  assert.equal(
    sb.requests.some((r) => r.path.startsWith("/sandbox")),
    false,
    "admin calls are not API requests",
  );
});
