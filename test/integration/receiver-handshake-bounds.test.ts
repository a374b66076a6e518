// A handshake excused from the key (handshakeOpen) is held to a handshake's size and shape, over HTTP on
// 127.0.0.1: anything else is refused as an unauthenticated request is, and never reaches onAccept.
import assert from "node:assert/strict";
import { request } from "node:http";
import { test } from "node:test";
import { createReceiver } from "../../src/receiver/handler.js";
import { MAX_HANDSHAKE_BODY_BYTES } from "../../src/receiver/handshake.js";
import type { AcceptedDelivery } from "../../src/receiver/outcomes.js";

const SECRET = "handshake-bounds-secret-0123456789abcdef";

/** POSTs `body` in two chunks; `declared` sends Content-Length, else it is chunked. Resolves the status. */
function post(url: URL, body: string, o: { key?: string; declared: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (o.key) headers["x-webhook-key"] = o.key;
    if (o.declared) headers["content-length"] = String(Buffer.byteLength(body));
    const req = request(url, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // A refusal may close the connection before the whole body is written: the status is what counts.
    req.on("error", (e) => (req.destroyed ? undefined : reject(e)));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    req.end(body.slice(half));
  });
}

test("keyless handshakes are accepted only when small and of the handshake's shape", async (t) => {
  const accepted: AcceptedDelivery[] = [];
  const receiver = createReceiver({
    secret: SECRET,
    handshakeOpen: () => true,
    onAccept: (d) => {
      accepted.push(d);
    },
  });
  const server = await receiver.listen({ port: 0 });
  t.after(() => server.close());
  const url = server.url;
  const junk = "x".repeat(250 * 1024);
  const cases: [string, string, { key?: string; declared: boolean }, number][] = [
    ["test, keyless", '{"event":"test_webhook_endpoint"}', { declared: true }, 200],
    [
      "challenge, keyless",
      '{"event":"challenge_webhook_endpoint","data":{"token":"t1","webhook_id":7}}',
      { declared: true },
      200,
    ],
    [
      "large, declared",
      `{"event":"test_webhook_endpoint","data":{"junk":"${junk}"}}`,
      { declared: true },
      401,
    ],
    [
      "large, chunked",
      `{"event":"test_webhook_endpoint","data":{"junk":"${junk}"}}`,
      { declared: false },
      401,
    ],
    ["small, extra data", '{"event":"test_webhook_endpoint","data":{"junk":"x"}}', { declared: true }, 401],
    ["small, extra top-level", '{"event":"test_webhook_endpoint","n":1}', { declared: true }, 401],
    [
      "challenge, object token",
      '{"event":"challenge_webhook_endpoint","data":{"token":{"a":1},"webhook_id":7}}',
      { declared: true },
      401,
    ],
    // With the key, the same large body is a delivery like any other.
    [
      "large, with key",
      `{"event":"test_webhook_endpoint","data":{"junk":"${junk}"}}`,
      { key: SECRET, declared: true },
      200,
    ],
  ];
  for (const [name, body, o, status] of cases) {
    assert.equal(await post(url, body, o), status, name);
  }
  assert.equal(accepted.length, 3);
  assert.ok(
    accepted.slice(0, 2).every((d) => d.handshakeKey === "missing" && d.bodyBytes < MAX_HANDSHAKE_BODY_BYTES),
  );
  assert.equal(accepted[2]?.handshakeKey, undefined);
  assert.equal(receiver.stats.rejectedByReason.unauthorized, 5);
});
