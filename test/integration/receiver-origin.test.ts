// server.origin names the same host as server.url (the .d.ts promise), also for a host the URL parser
// rewrites: "127.1" is 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createReceiver } from "../../src/receiver/handler.js";

test('server.origin uses the host of server.url (listen on "127.1")', async (t) => {
  const receiver = createReceiver({ secret: "origin-secret-0123456789abcdefghijklmnop" });
  const server = await receiver.listen({ host: "127.1", port: 0 });
  t.after(() => server.close());
  assert.equal(server.origin, `http://127.0.0.1:${server.port}`);
  assert.equal(server.url.origin, server.origin);
  const res = await fetch(new URL(receiver.path, server.origin), { method: "POST", body: "{}" });
  assert.equal(res.status, 401);
});
