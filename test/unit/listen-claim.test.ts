// listen's claim of an existing webhook whose listing has no `events`: the update leaves them out (CertCentral
// keeps them) and the restore does not send a list certwh never read; reported events are copied as before.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { UpdateWebhookRequest, Webhook } from "../../src/api/types.js";
import { type ClaimApi, claimWebhook, restoreRequest } from "../../src/listen/guard.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { tempDir } from "../helpers/cli.js";

const ENDPOINT = "https://abc.example.test/hook/AAAAAAAAAAAAAAAAAAAAAA";

function stubApi(hook: Webhook) {
  const updates: UpdateWebhookRequest[] = [];
  const api: ClaimApi = {
    getWebhook: async () => structuredClone(hook),
    createWebhook: async () => assert.fail("no create: the account has a webhook"),
    updateWebhook: async (_id, body) => {
      updates.push(body);
    },
  };
  return { api, updates };
}

/** claimWebhook with this file's endpoint and secret, no --force; `extra` adds the flags a test is about. */
function claimAs(
  api: ClaimApi,
  extra: Partial<Parameters<typeof claimWebhook>[1]>,
  emitted: ListenEvent[] = [],
) {
  return claimWebhook(api, {
    endpoint: ENDPOINT,
    force: false,
    secret: "s".repeat(43),
    env: { XDG_STATE_HOME: tempDir() },
    signal: new AbortController().signal,
    emit: (e) => void emitted.push(e),
    ...extra,
  });
}

const pending: Webhook = { id: 7, endpoint: "https://old.example.com/hook", status: "pending", events: null };

test("claim: events not reported and no --event → the update carries no events; the claim says null", async () => {
  const { api, updates } = stubApi(pending);
  const emitted: ListenEvent[] = [];
  const claim = await claimAs(api, {}, emitted);
  assert.equal(claim.events, null);
  assert.equal(updates.length, 1);
  assert.equal("events" in (updates[0] as object), false, JSON.stringify(updates[0]));
  assert.deepEqual(
    emitted.filter((e) => e.type === "warning"),
    [],
  );
});

test("claim: events not reported with --until → kept, with a warning that names the event", async () => {
  const { api, updates } = stubApi(pending);
  const emitted: ListenEvent[] = [];
  const claim = await claimAs(api, { alsoSubscribe: ["certificate_revoked"] }, emitted);
  assert.equal(claim.events, null);
  assert.equal("events" in (updates[0] as object), false);
  const warning = emitted.find((e) => e.type === "warning") as { message: string } | undefined;
  assert.match(warning?.message ?? "", /did not report webhook 7's events.*certificate_revoked/);
});

test("claim: --event given → that list is sent even when the listing had none", async () => {
  const { api, updates } = stubApi(pending);
  const claim = await claimAs(api, { events: ["certificate_issued"] });
  assert.deepEqual(claim.events, ["certificate_issued"]);
  assert.deepEqual(updates[0]?.events, ["certificate_issued"]);
});

test("restore: events not reported are left out; reported ones (even none) are put back", () => {
  assert.equal("events" in restoreRequest(pending), false);
  assert.deepEqual(restoreRequest({ ...pending, events: [] }).events, []);
  assert.deepEqual(restoreRequest({ ...pending, events: ["certificate_issued"] }).events, [
    "certificate_issued",
  ]);
});

test("claim: an active webhook already at this session's URL, echoed in another spelling, is not someone else's", async () => {
  // CertCentral may echo the URL with the host in capitals and the default port spelt out.
  const echoed = ENDPOINT.replace("https://abc.example.test/", "https://ABC.example.test:443/");
  const { api, updates } = stubApi({
    id: 7,
    endpoint: echoed,
    status: "active",
    events: ["certificate_issued"],
  });
  const claim = await claimAs(api, {});
  assert.equal(claim.webhookId, 7, "claimed without --force: it is this session's own URL");
  assert.equal(updates.length, 1);
});
