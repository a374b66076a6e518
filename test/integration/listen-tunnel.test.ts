// Tunnel behaviour a spawned CLI cannot inject (reliability-checklist item 22), with the FakeTunnel, and the
// real ngrok adapter's offline failure (no NGROK_AUTHTOKEN → exit 7, account untouched).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TunnelError } from "../../src/errors.js";
import { createNgrokTunnel } from "../../src/tunnel/ngrok.js";
import { FakeTunnel } from "../helpers/fake-tunnel.js";
import { sleep } from "../helpers/wait.js";
import { startSession } from "./listen-support.js";

describe("listen and its tunnel", () => {
  test("a drop and the same URL back: reported, and no API call at all", async (t) => {
    const tunnel = new FakeTunnel();
    const s = await startSession(t, { tunnel });
    await s.ready();
    const before = s.sandbox.requests.length;
    tunnel.drop();
    await s.waitFor((e) => e.type === "tunnel_down");
    tunnel.reconnect();
    const up = await s.waitFor((e) => e.type === "tunnel_up");
    assert.equal(up.type === "tunnel_up" && up.url_changed, false);
    await sleep(100);
    assert.equal(s.sandbox.requests.length, before, "no request after a same-URL reconnect");
    assert.equal(s.sandbox.webhook()?.status, "active");
  });

  test("back on a new URL: the webhook is re-pointed, challenged again and active there", async (t) => {
    const tunnel = new FakeTunnel();
    const s = await startSession(t, { tunnel });
    const ready = await s.ready();
    const port = new URL(ready.local_url).port;
    const challengesBefore = s.sandbox.requests.filter(
      (r) => r.route === "PUT /webhook/:id/send-challenge",
    ).length;
    tunnel.drop();
    tunnel.reconnect(`http://localhost:${port}`);
    await s.waitFor((e) => e.type === "state" && e.stage === "reverified");
    const hook = s.sandbox.webhook();
    assert.equal(hook?.status, "active");
    assert.match(hook?.endpoint ?? "", new RegExp(`^http://localhost:${port}/hook/`));
    assert.notEqual(hook?.endpoint, ready.public_url);
    const routes = s.sandbox.requests.map((r) => r.route);
    assert.ok(routes.includes("PUT /webhook/:id"), "the endpoint was updated");
    assert.equal(
      routes.filter((r) => r === "PUT /webhook/:id/send-challenge").length,
      challengesBefore + 1,
      "a new challenge was sent",
    );
    // Events now flow to the new URL.
    const delivery = await s.sandbox.emit("certificate_revoked", { order_id: 5 });
    assert.equal(delivery?.ok, true);
    await s.waitFor((e) => e.type === "event" && e.event === "certificate_revoked");
  });

  test("down past the grace period: TunnelError (exit 7), after the on-exit action", async (t) => {
    const tunnel = new FakeTunnel();
    const s = await startSession(t, { tunnel, options: { tunnelGraceMs: 150 } });
    await s.ready();
    tunnel.drop();
    const { error } = await s.outcome;
    assert.ok(error instanceof TunnelError, String(error));
    assert.equal(error.exitCode, 7);
    assert.equal(s.sandbox.webhook()?.status, "inactive");
    assert.equal(tunnel.closeCalls, 1);
  });

  test("ngrok without NGROK_AUTHTOKEN: exit 7 and not one request to CertCentral", async (t) => {
    const tunnel = createNgrokTunnel({ env: {} });
    const s = await startSession(t, { tunnel });
    const { error } = await s.outcome;
    assert.ok(error instanceof TunnelError, String(error));
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /NGROK_AUTHTOKEN/);
    assert.deepEqual(s.sandbox.requests, [], "the account was not even read");
    assert.equal(s.sandbox.webhook(), null);
  });

  test("a tunnel that fails to start leaves the account untouched and closes the receiver", async (t) => {
    const tunnel = new FakeTunnel({ failWith: new TunnelError("boom") });
    const s = await startSession(t, { tunnel });
    const { error } = await s.outcome;
    assert.ok(error instanceof TunnelError);
    assert.deepEqual(s.changes(), []);
    assert.equal(tunnel.closeCalls, 1);
  });
});
