// create/update-url --wait (CI): certwh sends the challenge, the endpoint completes it by itself (here the
// test plays that receiver through the sandbox API), and certwh polls the status until it is active.
import assert from "node:assert/strict";
import { test } from "node:test";
import { call } from "../helpers/sandbox.js";
import { expectExit, type Harness, harness, oneJson } from "./lifecycle-support.js";

/** What a receiver built on certwh/receiver does with a challenge: check-challenge, then activate. */
async function completeChallenge(h: Harness): Promise<void> {
  const token = await h.latestToken();
  const id = h.sandbox.webhook()?.id as number;
  assert.equal((await call(h.sandbox, "PUT", `/webhook/${id}/check-challenge`, { token })).status, 204);
  assert.equal((await call(h.sandbox, "PUT", `/webhook/${id}/activate`)).status, 204);
}

test("create --wait exits 0 once the endpoint has completed the challenge", {
  timeout: 30_000,
}, async (t) => {
  const h = await harness(t);
  const [res] = await Promise.all([
    h.cli(["create", "--url", h.receiver.url, "--wait", "20s", "--json"]),
    completeChallenge(h),
  ]);
  expectExit(res, 0);
  const out = oneJson(res);
  assert.equal(out.status, "active");
  assert.equal(out.verified, true);
  assert.match(res.stderr, /Waiting up to 0:20/);
  assert.match(res.stderr, /completed the challenge/);
  assert.equal(h.sandbox.webhook()?.status, "active");
  // certwh itself never submitted a token nor sent a second challenge.
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/check-challenge").length, 1);
  assert.equal(h.routes().filter((r) => r === "PUT /webhook/:id/send-challenge").length, 1);
});

test("update-url --wait times out with exit 6 and the resume hint when nobody completes the challenge", {
  timeout: 30_000,
}, async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const res = await h.cli(["update-url", "--url", h.receiver.url, "--wait", "1s"]);
  expectExit(res, 6);
  assert.match(res.stderr, /not active after 0:01/);
  assert.match(res.stderr, /certwh verify --token/);
  assert.equal(h.sandbox.webhook()?.status, "pending");
  assert.ok(!h.routes().includes("PUT /webhook/:id/check-challenge"));
  assert.ok(h.routes().filter((r) => r === "GET /webhook").length >= 2, "polled the status");
});

test("--wait is checked before any request", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--wait", "31m"]), 2);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--wait", "soon"]), 2);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--wait", "1m", "--no-verify"]), 2);
  assert.deepEqual(h.routes(), []);
});
