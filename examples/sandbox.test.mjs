// Testing your own CertCentral integration against certwh's sandbox, in-process, no account needed.
// Run: node --test examples/sandbox.test.mjs
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { test } from "node:test";
import { startSandbox } from "certwh/sandbox";

test("my receiver gets certificate_issued with the key", async (t) => {
  const sandbox = await startSandbox({ port: 0 }); // http://127.0.0.1:<port>/services/v2
  t.after(() => sandbox.stop());
  const received = [];
  const app = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c)).on("end", () => {
      received.push({ key: req.headers["x-webhook-key"], event: JSON.parse(body) });
      res.end();
    });
  }).listen(0, "127.0.0.1");
  await once(app, "listening");
  t.after(() => app.close());

  // What your code (or certwh) does against CertCentral, here with plain fetch.
  const api = (method, path, body) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { "X-DC-DEVKEY": sandbox.apiKey, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
  const secret = "s".repeat(32);
  const { webhook_id: id } = await (
    await api("POST", "/webhook", { endpoint: `http://127.0.0.1:${app.address().port}/hook`, secret })
  ).json();
  await api("PUT", `/webhook/${id}/send-challenge`);
  const token = received.find((r) => r.event.event === "challenge_webhook_endpoint").event.data.token;
  assert.equal((await api("PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await api("PUT", `/webhook/${id}/activate`)).status, 204);

  await sandbox.emit("certificate_issued", { order_id: 1, certificate_id: 2 });
  const issued = received.find((r) => r.event.event === "certificate_issued");
  assert.equal(issued.key, secret);
  assert.equal(issued.event.data.order_id, 1);

  sandbox.inject("PUT /webhook/:id/send-challenge", { status: 503 }); // CertCentral having a bad day
  assert.equal((await api("PUT", `/webhook/${id}/send-challenge`)).status, 503);
});
