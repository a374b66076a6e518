// CertCentral allows one webhook per account, but an answer with two is read, not refused: status shows the
// first and says once, on stderr, how many came and which one it shows, so the user can look in the console.
// Against a strict scripted CertCentral on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { scriptedApi } from "../helpers/scripted-api.js";
import { expectExit, oneJson } from "./lifecycle-support.js";

const hook = (id: number, endpoint: string) => ({
  id,
  endpoint,
  status: "active",
  events: ["certificate_issued"],
});
const TWO = {
  webhooks: [hook(7, "https://hooks.example.com/first"), hook(8, "https://hooks.example.com/second")],
};
const WARNING =
  "! CertCentral returned 2 webhooks (ids 7, 8), though it allows one per account; certwh uses the first, 7: look at the others in the CertCentral console.\n";

test("status: two webhooks in the answer → the first shown, exit 0, and one warning naming both ids", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: TWO },
    { route: "GET /webhook", status: 200, body: TWO },
  ]);
  const human = await runCli(["status"], { env: api.env });
  expectExit(human, 0);
  assert.match(human.stdout, /hooks\.example\.com\/first/);
  assert.doesNotMatch(human.stdout, /second/);
  assert.equal(human.stderr.split(WARNING).length - 1, 1, human.stderr);

  const json = await runCli(["status", "--json"], { env: api.env });
  expectExit(json, 0);
  assert.equal(oneJson(json).id, 7);
  assert.equal(json.stderr, WARNING, "stdout stays one document; the warning is on stderr");
});

test("status: one webhook → no warning", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: { webhooks: [TWO.webhooks[0]] } },
  ]);
  const json = await runCli(["status", "--json"], { env: api.env });
  expectExit(json, 0);
  assert.equal(json.stderr, "");
});
