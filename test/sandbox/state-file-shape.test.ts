// A state file holding what the API could never have produced (ids, event names, repeated days, log and
// token entries of another shape) is refused at start, with one sentence naming the file and the problem.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { startSandbox } from "../../src/sandbox/index.js";
import { tempDir } from "../helpers/cli.js";

const hook = {
  id: 4,
  endpoint: "http://127.0.0.1:9/a",
  events: ["certificate_issued"],
  status: "active",
  webhook_settings: { webhook_notification_frequency: [90, 30] },
  verified: true,
  tokens: [{ value: "abc", issuedAt: 1000, expiresAt: 2000 }],
};
const log = {
  event_name: "certificate_issued",
  event_info: { order_id: 1 },
  request_status: "success",
  request_sent_time: "2026-01-01 00:00:00",
  response_received_time: "2026-01-01 00:00:01",
  response_code: 200,
};
const good = { nextId: 5, logs: [log], webhook: hook };

test("state file: values the API never stores are refused at start, naming the file and the problem", async () => {
  const stateFile = join(tempDir(), "state.json");
  const cases: [unknown, RegExp][] = [
    [{ ...good, nextId: -3.5 }, /nextId is not a positive whole number/],
    [{ ...good, webhook: { ...hook, id: -1.5 } }, /webhook\.id is not a positive whole number/],
    [{ ...good, webhook: { ...hook, id: 0 } }, /webhook\.id is not a positive whole number/],
    [{ ...good, webhook: { ...hook, id: 2 ** 53 } }, /webhook\.id is not a positive whole number/],
    [{ ...good, nextId: 4 }, /nextId is not greater than webhook\.id/],
    [
      { ...good, webhook: { ...hook, events: ["", "certificate_issued"] } },
      /webhook\.events holds an empty or repeated/,
    ],
    [
      { ...good, webhook: { ...hook, events: ["certificate_issued", "certificate_issued"] } },
      /webhook\.events holds an empty or repeated/,
    ],
    [
      { ...good, webhook: { ...hook, webhook_settings: { webhook_notification_frequency: [90, 90] } } },
      /webhook\.webhook_settings holds a value the API never stores/,
    ],
    [{ ...good, logs: [log, 1, "x"] }, /logs\[1\] is not an event-log record/],
    [{ ...good, logs: [{ ...log, request_status: "ok" }] }, /logs\[0\] is not an event-log record/],
    [{ ...good, logs: [{ ...log, event_info: [] }] }, /logs\[0\] is not an event-log record/],
    [{ ...good, webhook: { ...hook, tokens: [{}, 1] } }, /webhook\.tokens\[0\] is not a challenge token/],
    [
      { ...good, webhook: { ...hook, tokens: [{ value: 5, issuedAt: 1, expiresAt: 2 }] } },
      /webhook\.tokens\[0\]/,
    ],
    [{ ...good, webhook: { ...hook, previousSecret: "short" } }, /webhook\.previousSecret is neither null/],
    [{ ...good, webhook: { ...hook, verified: "yes" } }, /webhook\.verified is not true or false/],
  ];
  for (const [data, why] of cases) {
    writeFileSync(stateFile, JSON.stringify(data));
    // A sandbox that starts anyway is stopped, so the failure ends the test instead of holding it open.
    const started = startSandbox({ stateFile });
    started.then(
      (sb) => sb.stop(),
      () => undefined,
    );
    await assert.rejects(started, (err: Error & { code?: string }) => {
      assert.match(err.message, why, JSON.stringify(data));
      assert.match(err.message, /^Cannot use the sandbox state file \(--state-file\) \S*state\.json: /);
      assert.equal(err.code, "file");
      return true;
    });
  }
  // What the sandbox itself writes still loads: a log record without event_info or a response, a null previousSecret.
  const bare = { event_name: "x", request_status: "failed", request_sent_time: "2026-01-01 00:00:00" };
  writeFileSync(
    stateFile,
    JSON.stringify({ ...good, logs: [log, bare], webhook: { ...hook, previousSecret: null } }),
  );
  const fine = await startSandbox({ stateFile });
  await fine.stop();
});
