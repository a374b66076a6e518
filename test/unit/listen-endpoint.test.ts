// Which endpoints count as a `certwh listen` receiver: the listen path alone is not enough (a production
// endpoint may use a secret-token path of the same shape); its host must be a tunnel's or this machine's,
// or listen must have recorded it. Restore then puts a production endpoint back instead of skipping it.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { dirname } from "node:path";
import { test } from "node:test";
import type { UpdateWebhookRequest, Webhook, WebhookApi } from "../../src/api/types.js";
import {
  endpointsRecordPath,
  recordedListenEndpoints,
  recordListenEndpoint,
} from "../../src/listen/endpoints-record.js";
import { type ClaimApi, claimWebhook, looksLikeListenEndpoint } from "../../src/listen/guard.js";
import { runOnExit } from "../../src/listen/on-exit.js";
import { tempDir } from "../helpers/cli.js";

const PATH = "/hook/Prod0Secret0Path0Tok3n";
const PRODUCTION = `https://api.example.com${PATH}`;
const freshEnv = (): NodeJS.ProcessEnv => ({ HOME: tempDir(), XDG_STATE_HOME: tempDir() });

test("a production host with a listen-shaped path is not a listen receiver", () => {
  assert.equal(looksLikeListenEndpoint(PRODUCTION, freshEnv()), false);
});

test("ngrok's domains and loopback hosts with a listen path are listen receivers", () => {
  const env = freshEnv();
  for (const host of ["abc.ngrok-free.app", "x.ngrok.app", "x.ngrok.io", "x.NGROK-free.dev", "x.ngrok.dev."])
    assert.equal(looksLikeListenEndpoint(`https://${host}${PATH}`, env), true, host);
  for (const host of ["127.0.0.1:4000", "localhost:1234", "[::1]:80"])
    assert.equal(looksLikeListenEndpoint(`http://${host}${PATH}`, env), true, host);
  // The domain itself, or one that merely ends in its letters, is not a tunnel's.
  assert.equal(looksLikeListenEndpoint(`https://evilngrok.app${PATH}`, env), false);
  // The path still has to be listen's.
  assert.equal(looksLikeListenEndpoint("https://abc.ngrok-free.app/hook/short", env), false);
});

test("a custom domain listen recorded is a listen receiver (also in another spelling); others are not", () => {
  const env = freshEnv();
  recordListenEndpoint(env, `https://hooks.example.org${PATH}`);
  assert.equal(looksLikeListenEndpoint(`https://HOOKS.example.org:443${PATH}`, env), true);
  assert.equal(looksLikeListenEndpoint(PRODUCTION, env), false);
  const file = statSync(endpointsRecordPath(env));
  assert.equal(file.mode & 0o777, 0o600);
  assert.equal(statSync(dirname(endpointsRecordPath(env))).mode & 0o777, 0o700);
});

test("the record keeps the newest 50 and tolerates a broken file; a write failure is silent", () => {
  const env = freshEnv();
  for (let i = 0; i < 55; i++) recordListenEndpoint(env, `https://h${i}.example.org${PATH}`);
  const list = recordedListenEndpoints(env);
  assert.equal(list.length, 50);
  assert.equal(list[0], `https://h5.example.org${PATH}`);
  assert.equal(list[49], `https://h54.example.org${PATH}`);
  // A state folder that cannot be made (a file in its place): no throw, nothing recorded.
  const blocked = { XDG_STATE_HOME: `${endpointsRecordPath(env)}/nested` };
  recordListenEndpoint(blocked, PRODUCTION);
  assert.deepEqual(recordedListenEndpoints(blocked), []);
});

/** A strict fake: the calls restore makes, anything else fails the test. */
function restoringApi(now: Webhook) {
  const updates: UpdateWebhookRequest[] = [];
  const unexpected = (name: string) => () => assert.fail(`unexpected ${name}`);
  const api: WebhookApi = {
    getWebhook: async () => structuredClone(now),
    createWebhook: unexpected("createWebhook"),
    updateWebhook: async (id, body) => {
      assert.equal(id, now.id);
      updates.push(body);
    },
    testEndpoint: unexpected("testEndpoint"),
    sendChallenge: unexpected("sendChallenge"),
    checkChallenge: unexpected("checkChallenge"),
    activate: unexpected("activate"),
    deactivate: unexpected("deactivate"),
    deleteWebhook: unexpected("deleteWebhook"),
    eventLogs: unexpected("eventLogs"),
  };
  return { api, updates };
}

test("--on-exit restore puts back a production endpoint whose path looks like listen's", async () => {
  const session = "https://abc.ngrok-free.app/hook/AAAAAAAAAAAAAAAAAAAAAA";
  const previous: Webhook = {
    id: 9,
    endpoint: PRODUCTION,
    status: "active",
    events: ["certificate_issued"],
    secret: "production-secret-0123456789",
  };
  const { api, updates } = restoringApi({ ...previous, endpoint: session, secret: "s".repeat(43) });
  const result = await runOnExit({
    api,
    action: "restore",
    claim: { webhookId: 9, previous, events: ["certificate_issued"] },
    active: true,
    publicUrl: session,
    timeoutMs: 5000,
    env: freshEnv(),
    emit: () => undefined,
  });
  assert.equal(result.outcome, "done", result.message);
  assert.match(result.message, /^Restored webhook 9: endpoint https:\/\/api\.example\.com\/hook\//);
  assert.equal(updates.length, 1);
  assert.equal(updates[0]?.endpoint, PRODUCTION);
});

test("the takeover refusal calls such an endpoint production, not a listen leftover", async () => {
  const hook: Webhook = { id: 4, endpoint: PRODUCTION, status: "active", events: null };
  const api: ClaimApi = {
    getWebhook: async () => structuredClone(hook),
    createWebhook: async () => assert.fail("no create"),
    updateWebhook: async () => assert.fail("no update: the takeover is refused"),
  };
  await assert.rejects(
    claimWebhook(api, {
      endpoint: "https://abc.ngrok-free.app/hook/AAAAAAAAAAAAAAAAAAAAAA",
      env: freshEnv(),
      secret: "s".repeat(43),
      force: false,
      signal: new AbortController().signal,
      emit: () => undefined,
    }),
    (err: Error) => /It is probably your production endpoint\./.test(err.message),
  );
});
