// `certwh status` after a `verify` whose token was accepted but whose activate failed: the webhook is
// pending and verified, and status must say so without claiming the user passed --no-activate.
import assert from "node:assert/strict";
import { test } from "node:test";
import { API_ATTEMPTS } from "../../src/api/retry.js";
import { tempDir } from "../helpers/cli.js";
import { expectExit, harness, oneJson } from "./lifecycle-support.js";

test("status after verify (activate failed with 503s) says verified, not `verify --no-activate`, and names activate", async (t) => {
  const h = await harness(t);
  const configHome = tempDir();
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"], { configHome }), 0);
  expectExit(await h.cli(["challenge"], { configHome }), 0);
  const token = await h.latestToken();
  const unavailable = Array.from({ length: API_ATTEMPTS }, () => ({ status: 503 }));
  h.sandbox.inject("PUT /webhook/:id/activate", ...unavailable);
  const verify = await h.cli(["verify", "--token", token], { configHome, timeoutMs: 30_000 });
  assert.notEqual(verify.code, 0, verify.stderr);
  assert.equal(h.sandbox.webhook()?.status, "pending");

  const res = await h.cli(["status"], { configHome });
  expectExit(res, 0);
  assert.match(res.stderr, /Pending: the endpoint was verified, but the webhook is not active yet\./);
  assert.doesNotMatch(res.stderr, /--no-activate/, "the user never passed --no-activate");
  assert.match(res.stderr, /Next: `certwh activate`/);
  assert.equal(oneJson(await h.cli(["status", "--json"], { configHome })).next, "certwh activate");
});
