// The listen orchestration end to end in-process: sandbox as CertCentral, FakeTunnel as the tunnel.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ListenEvent } from "../../src/listen/types.js";
import { tempDir } from "../helpers/cli.js";
import type { FakeTunnel } from "../helpers/fake-tunnel.js";
import { readJournal } from "../helpers/journal.js";
import { portClosed } from "../helpers/port.js";
import { startReceiver } from "../helpers/sandbox.js";
import { SECRET, startSession } from "./listen-support.js";

type Of<T extends ListenEvent["type"]> = Extract<ListenEvent, { type: T }>;

describe("listen session", () => {
  test("creates, verifies and activates, reports events, journals them, and deactivates on SIGINT", async (t) => {
    const s = await startSession(t);
    const ready = await s.ready();
    const hook = s.sandbox.webhook();
    assert.equal(hook?.status, "active");
    assert.equal(hook?.endpoint, ready.public_url);
    assert.equal(hook?.secret, SECRET);
    assert.equal(ready.webhook_id, hook?.id);
    assert.deepEqual(
      s.changes().filter((r) => r !== "POST /webhook/test-endpoint"),
      [
        "POST /webhook",
        "PUT /webhook/:id/send-challenge",
        "PUT /webhook/:id/check-challenge",
        "PUT /webhook/:id/activate",
      ],
    );

    const delivery = await s.sandbox.emit("certificate_issued", { order_id: 470091052, certificate_id: 9 });
    assert.equal(delivery?.status, 200);
    const event = await s.waitFor<Of<"event">>((e) => e.type === "event" && e.event === "certificate_issued");
    assert.deepEqual(event.data, delivery?.body.data);
    assert.match(event.received_at, /^\d{4}-\d\d-\d\dT/);

    // Same body again: answered 200, passed on and marked as a repeat (never silently dropped).
    const again = await fetch(ready.local_url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body: JSON.stringify(delivery?.body),
    });
    assert.equal(again.status, 200);
    const repeat = await s.waitFor<Of<"event">>(
      (e) => e.type === "event" && e.event === "certificate_issued" && e.repeat === true,
    );
    assert.equal(repeat.first_received_at, event.received_at);
    assert.equal(repeat.id, event.id);
    // Wrong key: rejected and reported.
    const forged = await fetch(ready.local_url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": "x".repeat(40) },
      body: '{"event":"certificate_issued","data":{}}',
    });
    assert.equal(forged.status, 401);
    await s.waitFor((e) => e.type === "rejected" && e.status === 401);

    s.interrupt("SIGINT");
    const { result, error } = await s.outcome;
    assert.equal(error, undefined);
    assert.deepEqual(result, { reason: "interrupted", signal: "SIGINT", webhookId: hook?.id });
    assert.equal(s.sandbox.webhook()?.status, "inactive");
    assert.equal(s.events.at(-1)?.type, "interrupted");
    assert.ok(await portClosed(ready.local_url), "the receiver port is closed");
    assert.equal((s.tunnel as FakeTunnel).closeCalls, 1);

    const journal = await readJournal(s.journalPath);
    const issued = journal.entries.filter((e) => e.event === "certificate_issued");
    assert.equal(issued.length, 2, "a repeat is journaled too, marked");
    assert.equal(issued[0]?.body, JSON.stringify(delivery?.body));
    assert.equal(issued[0]?.repeat, undefined);
    assert.equal(issued[1]?.repeat, true);
    assert.equal(issued[1]?.first_received_at, issued[0]?.received_at);
    assert.equal(
      readFileSync(s.journalPath, "utf8").includes(SECRET),
      false,
      "the secret is never journaled",
    );
  });

  test("a challenge for another webhook id is ignored; the token is submitted once", async (t) => {
    const s = await startSession(t);
    const ready = await s.ready();
    const body = JSON.stringify({
      event: "challenge_webhook_endpoint",
      data: { token: "t".repeat(32), webhook_id: 999 },
    });
    const res = await fetch(ready.local_url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": SECRET },
      body,
    });
    assert.equal(res.status, 200);
    await s.waitFor((e) => e.type === "state" && e.stage === "challenge_ignored");
    const checks = s.sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge");
    assert.equal(checks.length, 1, "only listen's own token reached check-challenge");
  });

  test("--forward-to relays body and X-WEBHOOK-KEY, retrying a failing app; --until ends the session", async (t) => {
    const app = await startReceiver(t, "/webhooks");
    app.script.push(503);
    const chainDir = tempDir("certwh-chain-");
    const s = await startSession(t, {
      options: {
        forwardTo: [app.url],
        saveChainDir: chainDir,
        settings: { webhook_send_certificate_chain: "1", webhook_send_instant_issued_certificate_chain: "1" },
        until: { event: "certificate_issued", orderId: 42 },
      },
    });
    await s.ready();
    await s.sandbox.emit("certificate_revoked", { order_id: 41 });
    await s.sandbox.emit("certificate_issued", { order_id: 42, certificate_id: 43 });
    const { result, error } = await s.outcome;
    assert.equal(error, undefined);
    assert.equal(result?.reason, "until");
    assert.equal(s.sandbox.webhook()?.status, "inactive", "on-exit deactivate ran after --until");

    const forwards = s.events.filter((e): e is Of<"forward"> => e.type === "forward");
    assert.ok(
      forwards.some((f) => f.status === 503 && !f.final),
      "the 503 was retried",
    );
    assert.ok(forwards.some((f) => f.event === "certificate_issued" && f.ok && f.final));
    const issued = app.received.find((r) => (r.json as { event?: string })?.event === "certificate_issued");
    assert.equal(issued?.headers["x-webhook-key"], SECRET);
    assert.equal(issued?.headers["content-type"], "application/json");
    assert.equal(
      app.received.some((r) => /challenge|test_webhook/.test(r.text)),
      false,
      "handshake deliveries are not forwarded",
    );
    for (const file of ["cert.pem", "chain.pem", "fullchain.pem"]) {
      assert.ok(existsSync(join(chainDir, "42", file)), `${file} written`);
    }
    assert.match(readFileSync(join(chainDir, "42", "cert.pem"), "utf8"), /^-----BEGIN CERTIFICATE-----\n/);
  });

  test("--exec gets the event on stdin and CERTWH_* in env, never the API keys", async (t) => {
    const dir = tempDir("certwh-exec-");
    const out = join(dir, "out.json");
    const script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(process.argv[1]," +
      "JSON.stringify({stdin:s,event:process.env.CERTWH_EVENT,order:process.env.CERTWH_ORDER_ID," +
      "cert:process.env.CERTWH_CERTIFICATE_ID,key:process.env.CERTWH_API_KEY??null,dkey:process.env.DIGICERT_API_KEY??null," +
      "hook:process.env.MY_WEBHOOK_SECRET??null})))";
    const s = await startSession(t, {
      options: {
        exec: `${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)} ${JSON.stringify(out)}`,
        until: { event: "certificate_revoked" },
      },
      deps: {
        env: {
          PATH: process.env.PATH,
          XDG_STATE_HOME: dir, // listen's endpoint record, not in the real home
          CERTWH_API_KEY: "k".repeat(30),
          DIGICERT_API_KEY: "d".repeat(30),
          MY_WEBHOOK_SECRET: SECRET, // as --secret-env MY_WEBHOOK_SECRET would have read it
        },
      },
    });
    await s.ready();
    await s.sandbox.emit("certificate_revoked", { order_id: 7, certificate_id: 8 });
    const { error } = await s.outcome;
    assert.equal(error, undefined);
    const exec = s.events.find((e): e is Of<"exec"> => e.type === "exec");
    assert.equal(exec?.ok, true, JSON.stringify(exec));
    const seen = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(seen.event, "certificate_revoked");
    assert.equal(seen.order, "7");
    assert.equal(seen.cert, "8");
    assert.equal(seen.key, null);
    assert.equal(seen.dkey, null);
    assert.equal(seen.hook, null, "the webhook secret is not passed on to --exec");
    assert.equal(JSON.parse(seen.stdin).event, "certificate_revoked");
  });

  test("--timeout without the --until event: TimeoutError, and the on-exit action still runs once", async (t) => {
    const s = await startSession(t, { options: { until: { event: "order_rejected" }, timeoutMs: 1500 } });
    await s.ready();
    const { error } = await s.outcome;
    assert.equal((error as { exitCode?: number })?.exitCode, 6);
    const onExit = s.events.filter((e) => e.type === "state" && e.stage === "on_exit");
    assert.equal(onExit.length, 1);
    assert.equal(s.sandbox.webhook()?.status, "inactive");
  });
});
