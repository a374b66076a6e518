// A GET /webhook answer without `events` (CertCentral documents the field, but an answer may lack it) is
// "events unknown", never "subscribed to nothing": status says they were not reported, and update-url
// without --events leaves them out of the PUT (CertCentral keeps them) instead of sending "events": [].
// Against a strict scripted CertCentral on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { scriptedApi } from "../helpers/scripted-api.js";
import { expectExit, oneJson } from "./lifecycle-support.js";

const OLD = "https://hooks.example.com/old";
const NEW = "https://hooks.example.com/new";
/** A listing without `events`. */
const listing = (endpoint: string, status = "active") => ({ webhooks: [{ id: 7, endpoint, status }] });

test("status: events missing from the listing → 'not reported', and events: null under --json", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: listing(OLD) },
    { route: "GET /webhook", status: 200, body: listing(OLD) },
  ]);
  const human = await runCli(["status"], { env: api.env });
  expectExit(human, 0);
  assert.match(human.stdout, /Events\s+not reported by CertCentral \(unknown\)/);
  assert.doesNotMatch(human.stdout, /\(none\)/);
  const json = await runCli(["status", "--json"], { env: api.env });
  expectExit(json, 0);
  assert.equal(oneJson(json).events, null);
});

test("update-url without --events, events not reported: the PUT carries no events (kept), events: null", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: listing(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: listing(NEW, "pending") },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--no-verify", "--json"], { env: api.env });
  expectExit(res, 0);
  const put = api.requests.find((r) => r.method === "PUT");
  assert.deepEqual(put?.json, { endpoint: NEW }, "no events list certwh never read");
  assert.equal(oneJson(res).events, null);
  assert.match(res.stderr, /did not report the webhook's events/);
});

test("update-url with --events, events not reported: the given list is sent", async (t) => {
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: listing(OLD) },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: listing(NEW, "pending") },
  ]);
  const args = ["update-url", "--url", NEW, "--events", "certificate_issued", "--no-verify", "--json"];
  const res = await runCli(args, { env: api.env });
  expectExit(res, 0);
  const put = api.requests.find((r) => r.method === "PUT");
  assert.deepEqual(put?.json, { endpoint: NEW, events: ["certificate_issued"] });
  assert.deepEqual(oneJson(res).events, ["certificate_issued"]);
  assert.doesNotMatch(res.stderr, /did not report/);
});

test("update-url: an empty events list that was reported is kept as reported (sent as [])", async (t) => {
  const reported = { webhooks: [{ id: 7, endpoint: OLD, status: "active", events: [] }] };
  const api = await scriptedApi(t, [
    { route: "GET /webhook", status: 200, body: reported },
    { route: "PUT /webhook/7", status: 204 },
    { route: "GET /webhook", status: 200, body: listing(NEW, "pending") },
  ]);
  const res = await runCli(["update-url", "--url", NEW, "--no-verify", "--json"], { env: api.env });
  expectExit(res, 0);
  assert.deepEqual(api.requests.find((r) => r.method === "PUT")?.json, { endpoint: NEW, events: [] });
});
