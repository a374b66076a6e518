// The admin routes answer HEAD and a wrong method as the API routes do; webhook_endpoint_error mentions the
// test-exactly-200 quirk only while it is on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { call, startReceiver, withSandbox } from "../helpers/sandbox.js";

function errors(res: { json: unknown }): { code: string; message: string }[] {
  return (res.json as { errors: { code: string; message: string }[] }).errors;
}

test("admin routes: HEAD is answered as GET; a known path with another method is 405 with Allow", async (t) => {
  const sb = await withSandbox(t);
  const admin = { url: `${sb.origin}/sandbox/v1`, apiKey: sb.apiKey };
  const get = await call(admin, "GET", "/state");
  const head = await call(admin, "HEAD", "/state");
  assert.equal(head.status, 200);
  assert.equal(head.text, "", "the head only");
  assert.equal(head.headers["content-length"], get.headers["content-length"]);

  for (const [method, path, allow] of [
    ["PUT", "/state", "GET, HEAD"],
    ["DELETE", "/deliveries", "GET, HEAD"],
    ["GET", "/faults", "POST"],
    ["POST", "/quirks", "GET, PUT, HEAD"],
    ["HEAD", "/emit", "POST"],
  ] as const) {
    const res = await call(admin, method, path);
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.allow, allow, `${method} ${path}`);
    if (method !== "HEAD") assert.equal(errors(res)[0].code, "method_not_allowed");
  }
  const missing = await call(admin, "GET", "/nothing");
  assert.equal(missing.status, 404);
  assert.equal(errors(missing)[0].code, "not_found|route");
  assert.equal((await call({ ...admin, apiKey: "wrong" }, "PUT", "/state")).status, 401, "the key first");
});

test("webhook_endpoint_error names the test-exactly-200 quirk only while it is on", async (t) => {
  const sb = await withSandbox(t);
  const rx = await startReceiver(t);
  rx.script.push(500);
  const off = await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
  assert.equal(errors(off)[0].code, "webhook_endpoint_error");
  assert.doesNotMatch(errors(off)[0].message, /test-exactly-200/);
  sb.setQuirks(["test-exactly-200"]);
  rx.script.push(201);
  const on = await call(sb, "POST", "/webhook/test-endpoint", { endpoint: rx.url });
  assert.equal(errors(on)[0].code, "webhook_endpoint_error");
  assert.match(errors(on)[0].message, /test-exactly-200 quirk is on/);
});
