// A challenge completer callback that throws (the caller's webhookId or expectChallenge) does not turn an
// answered delivery into a rejected one: one delivery, one outcome, and the token is reported as ignored.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createReceiver } from "../../src/receiver/handler.js";
import type { ReceiverOutcome } from "../../src/receiver/outcomes.js";

const SECRET = "callback-secret-0123456789abcdefghijklmn";
const BODY = '{"event":"challenge_webhook_endpoint","data":{"token":"t1","webhook_id":7}}';
const boom = () => {
  throw new Error("caller bug");
};

for (const which of ["webhookId", "expectChallenge"] as const) {
  test(`a throwing ${which} is reported once, as accepted, and the token as ignored`, async (t) => {
    const calls: string[] = [];
    const receiver = createReceiver({
      secret: SECRET,
      challenge: {
        api: {
          checkChallenge: async () => {
            calls.push("check");
          },
          activate: async () => {},
        },
        webhookId: which === "webhookId" ? boom : 7,
        ...(which === "expectChallenge" ? { expectChallenge: boom } : {}),
      },
    });
    const outcomes: ReceiverOutcome[] = [];
    receiver.on("outcome", (o) => outcomes.push(o));
    const server = await receiver.listen({ port: 0 });
    t.after(() => server.close());
    const res = await fetch(server.url, { method: "POST", headers: { "x-webhook-key": SECRET }, body: BODY });
    assert.equal(res.status, 200);
    await receiver.challenge?.whenIdle();
    await new Promise((r) => setImmediate(r));
    const { accepted, rejected } = receiver.stats;
    assert.deepEqual({ accepted, rejected }, { accepted: 1, rejected: 0 });
    const types = outcomes.map((o) =>
      o.type === "challenge_result" ? `result:${JSON.stringify(o.result)}` : o.type,
    );
    assert.deepEqual(types, [
      "accepted",
      "challenge",
      'result:{"type":"ignored","reason":"callback_failed"}',
    ]);
    assert.deepEqual(calls, []);
  });
}
