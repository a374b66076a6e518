// A flag value that starts with "-" belongs to its flag: challenge tokens are URL-safe base64 and may start
// with "-", and commander's program would otherwise read "-Vx…" as its own -V (print the version, exit 0).
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectExit, harness, oneJson } from "./lifecycle-support.js";

// A value that is one of certwh's own flags is given joined to its flag (`--token=--json`).
for (const [token, argv] of [
  ["-Vabcdefghijklmnopqrstuvwxyz01234", ["--token", "-Vabcdefghijklmnopqrstuvwxyz01234"]],
  ["-yabcdefghijklmnopqrstuvwxyz01234", ["--token", "-yabcdefghijklmnopqrstuvwxyz01234"]],
  ["--json", ["--token=--json"]],
] as const) {
  test(`verify ${argv.join(" ")}: the token is submitted as given`, async (t) => {
    const h = await harness(t);
    expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
    const res = await h.cli(["verify", ...argv]);
    expectExit(res, 3); // the sandbox refuses a token it never issued
    assert.doesNotMatch(res.stdout, /^\d+\.\d+\.\d+/);
    const submitted = h.sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge");
    assert.deepEqual(
      submitted.map((r) => (r.body as { token?: string }).token),
      [token],
    );
  });
}

// `verify --token $TOKEN --json` with TOKEN empty: the token is missing, not "--json". Each token is
// submitted at most once, so nothing may be sent; --json is read as the switch, so the error is JSON.
test("verify --token --json is a usage error: no check-challenge is sent, the error is one JSON document", async (t) => {
  const h = await harness(t);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  const before = h.routes().length;
  const res = await h.cli(["verify", "--token", "--json"]);
  expectExit(res, 2);
  assert.match(res.stderr, /--token needs a value/);
  const error = oneJson(res).error as { code: string; message: string };
  assert.equal(error.code, "usage");
  assert.match(error.message, /--token needs a value/);
  assert.deepEqual(h.routes().slice(before), [], "no request reached the sandbox");
});

test("logs --event --json is a usage error before any request, in JSON", async (t) => {
  const h = await harness(t);
  const res = await h.cli(["logs", "--event", "--json"]);
  expectExit(res, 2);
  assert.equal((oneJson(res).error as { code: string }).code, "usage");
  assert.deepEqual(h.routes(), []);
});
