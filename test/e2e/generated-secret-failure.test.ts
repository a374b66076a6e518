// create/update-url --generate-secret --json: when a step after the save fails (here the test event), the
// secret exists nowhere else, so stdout's one document carries it beside the `error` object, with the id.
// Only that value is shown in full. Against a strict scripted CertCentral on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { apiError, scriptedApi } from "../helpers/scripted-api.js";
import { expectExit, oneJson } from "./lifecycle-support.js";

const OLD = "https://hooks.example.com/old";
const NEW = "https://hooks.example.com/new";
const OLD_SECRET = "old-secret-CANARY-0123456789abcdefghijklmnop";
const NOT_DELIVERED = apiError("webhook_endpoint_error", "The provided endpoint is not responding.");

const sentSecret = (body: unknown) => (body as { secret?: string }).secret;

test("create --generate-secret --json, the test event fails: the document has error, id and the secret", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 400, body: apiError("webhook_invalid_account") },
    { route: "POST /webhook", status: 201, body: { webhook_id: 7 } },
    { route: "POST /webhook/test-endpoint", status: 400, body: NOT_DELIVERED },
  ]);
  const res = await runCli(["create", "--url", NEW, "--generate-secret", "--json"], { env: api.env });
  expectExit(res, 3);
  const secret = sentSecret(
    api.requests.find((r) => r.method === "POST" && r.path.endsWith("/webhook"))?.json,
  );
  assert.ok(secret && secret.length >= 32, "create sent a generated secret");
  const doc = oneJson(res);
  assert.equal((doc.error as { code: string }).code, "webhook_endpoint_error");
  assert.equal(doc.id, 7);
  assert.equal(doc.endpoint, NEW);
  assert.equal(doc.secret, secret, "the generated secret in full");
  assert.equal(res.stderr.includes(secret), false, "never on stderr");
});

test("update-url --generate-secret --json, the test event fails: error, id and the new secret; the old stays masked", async (t) => {
  const hook = { id: 7, endpoint: OLD, status: "active", secret: OLD_SECRET, events: ["certificate_issued"] };
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: { webhooks: [hook] } },
    { route: "PUT /webhook/7", status: 204 },
    {
      route: "GET /webhook",
      status: 200,
      body: { webhooks: [{ ...hook, endpoint: NEW, status: "pending" }] },
    },
    { route: "POST /webhook/test-endpoint", status: 400, body: NOT_DELIVERED },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--generate-secret", "--json"], { env: api.env });
  expectExit(res, 3);
  const secret = sentSecret(api.requests.find((r) => r.method === "PUT")?.json);
  assert.ok(secret && secret.length >= 32, "update-url sent a generated secret");
  const doc = oneJson(res);
  assert.equal((doc.error as { code: string }).code, "webhook_endpoint_error");
  assert.equal(doc.id, 7);
  assert.equal(doc.secret, secret);
  assert.equal(res.stdout.includes(OLD_SECRET), false);
  assert.equal(res.stderr.includes(secret), false);
});

test("create --json without a generated secret, the test event fails: the id is still beside the error", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 400, body: apiError("webhook_invalid_account") },
    { route: "POST /webhook", status: 201, body: { webhook_id: 7 } },
    { route: "POST /webhook/test-endpoint", status: 400, body: NOT_DELIVERED },
  ]);
  const res = await runCli(["create", "--url", NEW, "--json"], { env: api.env });
  expectExit(res, 3);
  const doc = oneJson(res);
  assert.equal((doc.error as { code: string }).code, "webhook_endpoint_error");
  assert.equal(doc.id, 7);
  assert.equal("secret" in doc, false);
});
