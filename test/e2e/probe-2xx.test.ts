// The sandbox's probes accept any 2xx (spec §17 #16), so a receiver answering 201 or 204 can be tested and
// registered through the CLI; under the test-exactly-200 quirk it cannot, and the CLI's sentence says why.
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectExit, harness } from "./lifecycle-support.js";

test("test and create against an endpoint answering 201/204 succeed by default", async (t) => {
  const h = await harness(t);
  h.receiver.script.push(201);
  expectExit(await h.cli(["test", "--url", h.receiver.url]), 0);
  h.receiver.script.push(204, 204);
  expectExit(await h.cli(["create", "--url", h.receiver.url, "--no-verify"]), 0);
  assert.equal(h.sandbox.webhook()?.endpoint, h.receiver.url);
});

test("under test-exactly-200 a 201 is refused, and the CLI does not claim there was no 2xx answer at all", async (t) => {
  const h = await harness(t, { quirks: ["test-exactly-200"] });
  h.receiver.script.push(201);
  const res = await h.cli(["test", "--url", h.receiver.url]);
  expectExit(res, 3);
  assert.match(res.stderr, /under the test-exactly-200 quirk another 2xx than 200/);
});
