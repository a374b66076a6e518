// The README walk-through through the built CLI: create → verify → deactivate → activate → update-url →
// verify, with a loopback receiver as the endpoint and the token read from what it received.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startReceiver } from "../helpers/sandbox.js";
import { expectExit, harness, oneJson } from "./lifecycle-support.js";

test("create → verify → deactivate → activate → update-url → verify", async (t) => {
  const h = await harness(t);

  const created = await h.cli(["create", "--url", h.receiver.url, "--event", "certificate_issued", "--json"]);
  expectExit(created, 0);
  const result = oneJson(created);
  assert.equal(result.status, "pending");
  assert.equal(result.next, "certwh verify --token <token>");
  assert.match(created.stderr, /certwh verify --token <token>/);
  assert.equal(h.sandbox.webhook()?.status, "pending");
  // Test event first, then exactly one challenge; nothing else changed state.
  assert.deepEqual(h.routes(), [
    "GET /webhook",
    "POST /webhook",
    "POST /webhook/test-endpoint",
    "PUT /webhook/:id/send-challenge",
  ]);
  const token = await h.latestToken();

  const verified = await h.cli(["verify", "--token", `  ${token}\n`, "--json"]);
  expectExit(verified, 0);
  assert.deepEqual(oneJson(verified), {
    id: result.id,
    endpoint: h.receiver.url,
    status: "active",
    verified: true,
    changed: true,
  });
  assert.equal(h.sandbox.webhook()?.status, "active");

  const status = await h.cli(["status"]);
  expectExit(status, 0);
  assert.match(status.stdout, /Status\s+active/);
  assert.match(status.stdout, new RegExp(`Endpoint\\s+${h.receiver.url}`));

  const off = await h.cli(["deactivate", "--json"]);
  expectExit(off, 0);
  assert.deepEqual(oneJson(off), {
    id: result.id,
    endpoint: h.receiver.url,
    status: "inactive",
    changed: true,
  });
  const inactive = await h.cli(["status"]);
  assert.match(inactive.stderr, /certwh activate/);

  const on = await h.cli(["activate"]);
  expectExit(on, 0);
  assert.match(on.stderr, /is active/);
  assert.equal(h.sandbox.webhook()?.status, "active");

  const second = await startReceiver(t, "/v2/hook");
  const moved = await h.cli(["update-url", "--url", second.url, "--json"]);
  expectExit(moved, 0);
  const movedJson = oneJson(moved);
  assert.equal(movedJson.status, "pending");
  assert.equal(movedJson.previous_endpoint, h.receiver.url);
  assert.deepEqual(movedJson.events, ["certificate_issued"], "events kept");
  const hook = h.sandbox.webhook();
  assert.equal(hook?.endpoint, second.url);
  assert.equal(hook?.status, "pending");

  const challenge = second.received.find(
    (r) => (r.json as { event?: string }).event === "challenge_webhook_endpoint",
  );
  assert.ok(challenge, "the challenge went to the new endpoint");
  const newToken = (challenge.json as { data: { token: string } }).data.token;
  expectExit(await h.cli(["verify", "--token", newToken]), 0);
  assert.equal(h.sandbox.webhook()?.status, "active");
  assert.equal(h.sandbox.webhook()?.endpoint, second.url);
});
