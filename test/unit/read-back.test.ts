// changeStatus: activate/deactivate confirmed by reading the webhook back (issue 10).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, ApiTimeoutError } from "../../src/api/errors.js";
import { changeStatus } from "../../src/api/read-back.js";
import type { Webhook } from "../../src/api/types.js";
import { ManualClock } from "../../src/util/clock.js";

const hook = (status: string): Webhook =>
  ({ id: 7, endpoint: "https://hooks.example.com/x", status, events: [] }) as unknown as Webhook;

const apiError = (code: string, message: string) =>
  new ApiError({ status: 400, code, message, method: "PUT", path: "/webhook/7/activate" });
const invalidAction = () => apiError("webhook_invalid_action", "refused");

function fakeApi(fail: () => unknown, reads: (Webhook | null)[]) {
  const calls: string[] = [];
  return {
    calls,
    api: {
      async activate() {
        calls.push("activate");
        throw fail();
      },
      async deactivate() {
        calls.push("deactivate");
        throw fail();
      },
      async getWebhook() {
        calls.push("get");
        return reads.shift() ?? null;
      },
    },
  };
}

test("a success needs no read-back", async () => {
  const calls: string[] = [];
  const api = {
    activate: async () => void calls.push("activate"),
    getWebhook: async () => {
      calls.push("get");
      return hook("active");
    },
  };
  assert.deepEqual(await changeStatus(api, 7, "activate"), { readBack: false });
  assert.deepEqual(calls, ["activate"]);
});

test("webhook_invalid_action, read back active → success with a note", async () => {
  const { api, calls } = fakeApi(invalidAction, [hook("active")]);
  const change = await changeStatus(api, 7, "activate");
  assert.equal(change.readBack, true);
  assert.match(change.note ?? "", /refused to activate webhook 7 .* reading it back shows it is active/);
  assert.deepEqual(calls, ["activate", "get"]);
});

test("a timeout is read back twice (RECHECK_DELAY_MS apart) before it stands", async () => {
  const timeout = () => new ApiTimeoutError("slow", "h", 100);
  const { api, calls } = fakeApi(timeout, [hook("active"), hook("inactive")]);
  const change = await changeStatus(api, 7, "deactivate", { clock: new ManualClock() });
  assert.equal(change.status, "inactive");
  assert.match(change.note ?? "", /did not answer the deactivate/);
  assert.deepEqual(calls, ["deactivate", "get", "get"]);
});

test("not in the target state, another refusal, or no way to read: the original error is thrown", async () => {
  const first = fakeApi(invalidAction, [hook("pending")]);
  await assert.rejects(changeStatus(first.api, 7, "activate"), /refused/);
  const other = fakeApi(() => apiError("bad_request_format", "bad"), []);
  await assert.rejects(changeStatus(other.api, 7, "activate"), /bad/);
  assert.deepEqual(other.calls, ["activate"], "no read-back for a plain refusal");
  const narrow = { activate: first.api.activate };
  await assert.rejects(changeStatus(narrow, 7, "activate"), /refused/);
});

test("accept: a pending webhook counts as done for deactivate when the caller says so", async () => {
  const { api } = fakeApi(invalidAction, [hook("pending")]);
  const change = await changeStatus(api, 7, "deactivate", { accept: (w) => w.status === "pending" });
  assert.equal(change.status, "pending");
});
