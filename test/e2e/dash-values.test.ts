// A flag value that starts with "-" belongs to its flag: challenge tokens are URL-safe base64 and may start
// with "-", and commander's program would otherwise read "-Vx…" as its own -V (print the version, exit 0).
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectExit, harness } from "./lifecycle-support.js";

for (const token of ["-Vabcdefghijklmnopqrstuvwxyz01234", "-yabcdefghijklmnopqrstuvwxyz01234", "--json"]) {
  test(`verify --token ${token}: the token is submitted as given`, async (t) => {
    const h = await harness(t);
    expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
    const res = await h.cli(["verify", "--token", token]);
    expectExit(res, 3); // the sandbox refuses a token it never issued
    assert.doesNotMatch(res.stdout, /^\d+\.\d+\.\d+/);
    const submitted = h.sandbox.requests.filter((r) => r.route === "PUT /webhook/:id/check-challenge");
    assert.deepEqual(
      submitted.map((r) => (r.body as { token?: string }).token),
      [token],
    );
  });
}
