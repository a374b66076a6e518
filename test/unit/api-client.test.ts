// The CertCentral client against a strict undici MockAgent: exact paths, methods, headers and bodies for
// every endpoint, and every retry rule of reliability-checklist items 13–17. Time runs on a ManualClock.

import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { MockAgent } from "undici";
import { ApiError, NetworkError } from "../../src/api/errors.js";
import type { ApiClientOptions, WebhookApi } from "../../src/api/types.js";
import { createWebhookApi, RECHECK_DELAY_MS } from "../../src/api/webhooks.js";
import { ExitCode } from "../../src/errors.js";
import { describeFailure } from "../../src/io/exit-codes.js";
import { ManualClock } from "../../src/util/clock.js";

const ORIGIN = "https://www.digicert.com";
const BASE = `${ORIGIN}/services/v2`;
const KEY = "test-api-key-0123456789abcdef";
const UA = "certwh/9.9.9-test";
const JSON_HEADERS = { headers: { "content-type": "application/json" } };
const HOOK = {
  id: 42,
  endpoint: "https://hooks.example.com/certcentral",
  events: ["certificate_issued"],
  status: "active",
};

/** Headers every request must carry, matched exactly by the interceptors. */
const REQUIRED_HEADERS = {
  "x-dc-devkey": KEY,
  "content-type": "application/json",
  accept: "application/json",
  "user-agent": UA,
};

let mock: MockAgent;
let clock: ManualClock;
let retries: { attempt: number; delayMs: number; reason: string }[];
let api: WebhookApi;

function makeApi(extra: Partial<ApiClientOptions> = {}): WebhookApi {
  return createWebhookApi({
    baseUrl: BASE,
    apiKey: KEY,
    timeoutMs: 5000,
    userAgent: UA,
    clock,
    dispatcher: mock,
    onRetry: (info) => retries.push(info),
    ...extra,
  });
}

function pool() {
  return mock.get(ORIGIN);
}

/** Every request that reached the fake, in order, as "METHOD /path?query". */
function calls(): string[] {
  return (mock.getCallHistory()?.calls() ?? []).map((c) => {
    const query = new URLSearchParams(c.searchParams).toString();
    return `${c.method} ${c.path}${query ? `?${query}` : ""}`;
  });
}

beforeEach(() => {
  mock = new MockAgent({ enableCallHistory: true });
  mock.disableNetConnect();
  clock = new ManualClock();
  retries = [];
  api = makeApi();
});

afterEach(async () => {
  mock.assertNoPendingInterceptors();
  await mock.close();
});

describe("every endpoint's success path", () => {
  test("getWebhook: GET /webhook → webhooks[0]", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET", headers: REQUIRED_HEADERS })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    assert.deepEqual(await api.getWebhook(), HOOK);
    assert.deepEqual(calls(), ["GET /services/v2/webhook"]);
  });

  test("--verbose trace: an answer's own __proto__ field is shown like any other, its secret masked", async () => {
    const lines: string[] = [];
    api = makeApi({ trace: (l) => lines.push(l) });
    const text = `{"webhooks":[${JSON.stringify(HOOK)}],"__proto__":{"note":"kept","secret":"proto-secret-0123456789"}}`;
    pool().intercept({ path: "/services/v2/webhook", method: "GET" }).reply(200, text, JSON_HEADERS);
    assert.deepEqual(await api.getWebhook(), HOOK);
    const answer = lines.find((l) => l.startsWith("← 200"));
    assert.match(answer ?? "", /"__proto__":\{"note":"kept","secret":"[^"]+"\}/);
    assert.ok(!lines.join("\n").includes("proto-secret-0123456789"));
  });

  test("getWebhook: two webhooks → the first, and one notice however often the account is read", async () => {
    const notices: string[] = [];
    api = makeApi({ onNotice: (text) => notices.push(text) });
    const two = { webhooks: [HOOK, { ...HOOK, id: 43, endpoint: "https://other.example.com/x" }] };
    for (let i = 0; i < 2; i++)
      pool().intercept({ path: "/services/v2/webhook", method: "GET" }).reply(200, two, JSON_HEADERS);
    assert.deepEqual(await api.getWebhook(), HOOK);
    assert.deepEqual(await api.getWebhook(), HOOK);
    assert.deepEqual(notices, [
      "CertCentral returned 2 webhooks (ids 42, 43), though it allows one per account; certwh uses the first, 42: look at the others in the CertCentral console.",
    ]);
  });

  test("getWebhook: 400 webhook_invalid_account → null, not retried", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(400, {
        errors: [{ code: "webhook_invalid_account", message: "No webhook exists for the account." }],
      });
    assert.equal(await api.getWebhook(), null);
    assert.deepEqual(calls(), ["GET /services/v2/webhook"]);
  });

  test("createWebhook: POST /webhook with the exact body → webhook_id", async () => {
    const body = {
      endpoint: "https://hooks.example.com/certcentral",
      secret: "s".repeat(40),
      events: ["certificate_issued", "certificate_revoked"],
      webhook_settings: { webhook_send_certificate_chain: "1" },
    };
    pool()
      .intercept({
        path: "/services/v2/webhook",
        method: "POST",
        headers: REQUIRED_HEADERS,
        body: JSON.stringify(body),
      })
      .reply(201, { webhook_id: 1234 }, JSON_HEADERS);
    assert.equal(await api.createWebhook(body), 1234);
  });

  test("updateWebhook: PUT /webhook/{id} → 204", async () => {
    const body = { endpoint: "https://hooks.example.com/new", secret: "" };
    pool()
      .intercept({
        path: "/services/v2/webhook/42",
        method: "PUT",
        headers: REQUIRED_HEADERS,
        body: JSON.stringify(body),
      })
      .reply(204, "");
    await api.updateWebhook(42, body);
  });

  test("testEndpoint: POST /webhook/test-endpoint → empty 200 is not parsed", async () => {
    const body = { endpoint: "https://hooks.example.com/certcentral" };
    pool()
      .intercept({
        path: "/services/v2/webhook/test-endpoint",
        method: "POST",
        headers: REQUIRED_HEADERS,
        body: JSON.stringify(body),
      })
      .reply(200, "");
    await api.testEndpoint(body);
  });

  for (const [name, suffix] of [
    ["sendChallenge", "send-challenge"],
    ["activate", "activate"],
    ["deactivate", "deactivate"],
  ] as const) {
    test(`${name}: body-less PUT /webhook/{id}/${suffix} still sends Content-Type: application/json`, async () => {
      pool()
        .intercept({
          path: `/services/v2/webhook/7/${suffix}`,
          method: "PUT",
          headers: REQUIRED_HEADERS,
          body: (b) => b === undefined || b === null || b === "",
        })
        .reply(204, "");
      await api[name](7);
    });
  }

  test("checkChallenge: PUT /webhook/{id}/check-challenge with the token", async () => {
    pool()
      .intercept({
        path: "/services/v2/webhook/7/check-challenge",
        method: "PUT",
        headers: REQUIRED_HEADERS,
        body: JSON.stringify({ token: "tok-123" }),
      })
      .reply(204, "");
    await api.checkChallenge(7, "tok-123");
  });

  test("deleteWebhook: DELETE /webhook/{id}", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook/7", method: "DELETE", headers: REQUIRED_HEADERS })
      .reply(204, "");
    await api.deleteWebhook(7);
  });

  test("eventLogs: GET /webhook/{id}/event-logs with limit, offset and filters", async () => {
    const page = {
      events: [
        {
          event_name: "certificate_issued",
          request_status: "success",
          request_sent_time: "2026-01-01T00:00:00Z",
        },
      ],
      page: { total: 1, limit: 10, offset: 5 },
    };
    pool()
      .intercept({
        path: "/services/v2/webhook/7/event-logs",
        method: "GET",
        headers: REQUIRED_HEADERS,
        query: { limit: "10", offset: "5", "filters[event_name]": "certificate_issued" },
      })
      .reply(200, page, JSON_HEADERS);
    assert.deepEqual(
      await api.eventLogs(7, { limit: 10, offset: 5, filters: { event_name: "certificate_issued" } }),
      page,
    );
  });
});

describe("retries of calls that are safe to repeat", () => {
  test("429 then 200 on GET → one wait of 1–1.25 s on the clock, then the webhook", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(429, {
        errors: [
          { code: "request_limit_exceeded", message: "Service unavailable, please limit request volume" },
        ],
      });
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    const start = clock.now();
    assert.equal((await api.getWebhook())?.id, 42);
    assert.equal(retries.length, 1);
    assert.match(retries[0]!.reason, /rate limit/);
    const waited = clock.now() - start;
    assert.ok(waited >= 1000 && waited <= 1250, `waited ${waited} ms`);
  });

  test("503 on every attempt of a GET → ApiError 503 after 4 attempts (1 s, 2 s, then 4 s, with jitter)", async () => {
    pool().intercept({ path: "/services/v2/webhook", method: "GET" }).reply(503, "").times(4);
    const start = clock.now();
    await assert.rejects(
      api.getWebhook(),
      (err: unknown) => err instanceof ApiError && err.status === 503 && err.attempts === 4,
    );
    assert.equal(calls().length, 4);
    assert.deepEqual(
      retries.map((r) => r.attempt),
      [1, 2, 3],
    );
    assert.ok(retries[0]!.delayMs >= 1000 && retries[0]!.delayMs <= 1250);
    assert.ok(retries[1]!.delayMs >= 2000 && retries[1]!.delayMs <= 2500);
    assert.ok(retries[2]!.delayMs >= 4000 && retries[2]!.delayMs <= 5000);
    // The waits outlast CertCentral's 5-second burst window.
    assert.ok(clock.now() - start > 5000);
    assert.equal(clock.now() - start, retries[0]!.delayMs + retries[1]!.delayMs + retries[2]!.delayMs);
  });

  test("503, 503, 204 on activate → success", async () => {
    const path = "/services/v2/webhook/9/activate";
    pool().intercept({ path, method: "PUT" }).reply(503, "").times(2);
    pool().intercept({ path, method: "PUT" }).reply(204, "");
    await api.activate(9);
    assert.equal(calls().length, 3);
  });

  test("a network error on deactivate is retried", async () => {
    const path = "/services/v2/webhook/9/deactivate";
    pool()
      .intercept({ path, method: "PUT" })
      .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    pool().intercept({ path, method: "PUT" }).reply(204, "");
    await api.deactivate(9);
    assert.equal(calls().length, 2);
  });

  test("Retry-After: 2 → waits 2 s (plus at most 0.5 s jitter) on the clock", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(429, "", { headers: { "retry-after": "2" } });
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    const start = clock.now();
    await api.getWebhook();
    const waited = clock.now() - start;
    assert.ok(waited >= 2000 && waited <= 2500, `waited ${waited} ms`);
  });

  test("Retry-After: 120 → no wait at all, the 429 is thrown", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(
        429,
        { errors: [{ code: "request_limit_exceeded", message: "slow down" }] },
        { headers: { "retry-after": "120" } },
      );
    const start = clock.now();
    await assert.rejects(api.getWebhook(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 429);
      assert.equal(err.code, "request_limit_exceeded");
      assert.equal(err.retryAfterMs, 120_000);
      return true;
    });
    assert.equal(clock.now(), start);
    assert.equal(retries.length, 0);
    assert.equal(calls().length, 1);
  });

  test("Retry-After as an HTTP date → waits until then", async () => {
    const at = new Date(clock.now() + 3000).toUTCString();
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(503, "", { headers: { "retry-after": at } });
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    const start = clock.now();
    await api.getWebhook();
    const waited = clock.now() - start;
    assert.ok(waited >= 3000 && waited <= 3750, `waited ${waited} ms`);
  });

  test("junk Retry-After is ignored → the normal 1 s backoff", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(429, "", { headers: { "retry-after": "soon" } });
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    const start = clock.now();
    await api.getWebhook();
    const waited = clock.now() - start;
    assert.ok(waited >= 1000 && waited <= 1250, `waited ${waited} ms`);
  });

  test("4xx other than 429 is never retried", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook/9/activate", method: "PUT" })
      .reply(400, { errors: [{ code: "webhook_invalid_action", message: "complete the challenge" }] });
    await assert.rejects(
      api.activate(9),
      (err: unknown) => err instanceof ApiError && err.hasCode("webhook_invalid_action"),
    );
    assert.equal(calls().length, 1);
  });

  test("a user abort during the backoff stops at once with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted by test");
    api = makeApi({
      onRetry: () => controller.abort(reason),
    });
    pool().intercept({ path: "/services/v2/webhook", method: "GET" }).reply(503, "");
    await assert.rejects(api.getWebhook({ signal: controller.signal }), (err: unknown) => err === reason);
    assert.equal(calls().length, 1);
  });

  test("an already aborted signal sends nothing", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    controller.abort(reason);
    await assert.rejects(api.activate(9, { signal: controller.signal }), (err: unknown) => err === reason);
    assert.equal(calls().length, 0);
  });
});

describe("state changes that are never repeated", () => {
  for (const [name, suffix, call] of [
    ["send-challenge", "send-challenge", (a: WebhookApi) => a.sendChallenge(5)],
    ["check-challenge", "check-challenge", (a: WebhookApi) => a.checkChallenge(5, "tok")],
  ] as const) {
    test(`${name}: exactly one request on 503`, async () => {
      pool()
        .intercept({ path: `/services/v2/webhook/5/${suffix}`, method: "PUT" })
        .reply(503, "");
      await assert.rejects(call(api), (err: unknown) => err instanceof ApiError && err.status === 503);
      assert.deepEqual(calls(), [`PUT /services/v2/webhook/5/${suffix}`]);
      assert.equal(retries.length, 0);
    });

    test(`${name}: exactly one request on a socket error`, async () => {
      pool()
        .intercept({ path: `/services/v2/webhook/5/${suffix}`, method: "PUT" })
        .replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      await assert.rejects(
        call(api),
        (err: unknown) => err instanceof NetworkError && err.errno === "ECONNRESET",
      );
      assert.deepEqual(calls(), [`PUT /services/v2/webhook/5/${suffix}`]);
    });
  }

  test("testEndpoint: exactly one request on 503 (the error says 1 attempt)", async () => {
    pool().intercept({ path: "/services/v2/webhook/test-endpoint", method: "POST" }).reply(503, "");
    await assert.rejects(
      api.testEndpoint({ endpoint: "https://a.example/h" }),
      (err: unknown) => err instanceof ApiError && err.attempts === 1,
    );
    assert.equal(calls().length, 1);
  });

  test("no answer: a connection closed or reset by the host says so; a refused one could not be reached", async () => {
    const table: [string, string][] = [
      ["UND_ERR_SOCKET", "www.digicert.com closed the connection without answering (UND_ERR_SOCKET)"],
      ["ECONNRESET", "www.digicert.com closed the connection without answering (ECONNRESET)"],
      ["ECONNREFUSED", "Could not reach www.digicert.com (ECONNREFUSED)"],
      ["ENOTFOUND", "Could not reach www.digicert.com (ENOTFOUND)"],
    ];
    for (const [code, words] of table) {
      pool()
        .intercept({ path: "/services/v2/webhook/test-endpoint", method: "POST" })
        .replyWithError(Object.assign(new Error("no answer"), { code }));
      const err = await api.testEndpoint({ endpoint: "https://a.example/h" }).catch((e: unknown) => e);
      assert.ok(err instanceof NetworkError, `${code}: ${err}`);
      assert.ok(err.message.startsWith(`${words} for POST `), err.message);
      assert.equal(describeFailure(err).message, `${words}.`);
      assert.equal(describeFailure(err).exitCode, ExitCode.refused, "the exit code is the same either way");
    }
  });

  const wanted = { endpoint: "https://hooks.example.com/certcentral", events: ["certificate_issued"] };

  test("create: a socket error, then the list shows the requested endpoint → its id, one POST", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "POST" })
      .replyWithError(new Error("socket hang up"));
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    assert.equal(await api.createWebhook(wanted), 42);
    assert.deepEqual(calls(), ["POST /services/v2/webhook", "GET /services/v2/webhook"]);
  });

  test("create: 503, then the list shows another endpoint (twice, 2 s apart) → the original 503, one POST", async () => {
    pool().intercept({ path: "/services/v2/webhook", method: "POST" }).reply(503, "");
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [{ ...HOOK, endpoint: "https://other.example/hook" }] }, JSON_HEADERS)
      .times(2);
    const before = clock.now();
    await assert.rejects(
      api.createWebhook(wanted),
      (err: unknown) => err instanceof ApiError && err.status === 503,
    );
    assert.deepEqual(calls(), [
      "POST /services/v2/webhook",
      "GET /services/v2/webhook",
      "GET /services/v2/webhook",
    ]);
    assert.equal(clock.now() - before, RECHECK_DELAY_MS, "one pause between the two looks");
  });

  test("create: 503, then no webhook in the account (twice) → the original 503", async () => {
    pool().intercept({ path: "/services/v2/webhook", method: "POST" }).reply(503, "");
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(400, { errors: [{ code: "webhook_invalid_account", message: "none" }] })
      .times(2);
    await assert.rejects(
      api.createWebhook(wanted),
      (err: unknown) => err instanceof ApiError && err.status === 503,
    );
    assert.deepEqual(calls(), [
      "POST /services/v2/webhook",
      "GET /services/v2/webhook",
      "GET /services/v2/webhook",
    ]);
  });

  test("create: a timeout, no webhook yet, then the second look (after a pause) shows it → its id", async () => {
    // CertCentral may still be processing a POST certwh stopped waiting for (the first look is too early).
    pool()
      .intercept({ path: "/services/v2/webhook", method: "POST" })
      .reply(201, { webhook_id: 42 })
      .delay(300);
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(400, { errors: [{ code: "webhook_invalid_account", message: "none" }] });
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    const slow = makeApi({ timeoutMs: 50 });
    const before = clock.now();
    assert.equal(await slow.createWebhook(wanted), 42);
    assert.deepEqual(calls(), [
      "POST /services/v2/webhook",
      "GET /services/v2/webhook",
      "GET /services/v2/webhook",
    ]);
    assert.equal(clock.now() - before, RECHECK_DELAY_MS);
  });

  test("create: 400 webhook_configured_already is not ambiguous → thrown, no list", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "POST" })
      .reply(400, { errors: [{ code: "webhook_configured_already", message: "exists" }] });
    await assert.rejects(
      api.createWebhook(wanted),
      (err: unknown) => err instanceof ApiError && err.code === "webhook_configured_already",
    );
    assert.deepEqual(calls(), ["POST /services/v2/webhook"]);
  });

  test("update: 503, then the list shows the requested endpoint → success, one PUT", async () => {
    pool().intercept({ path: "/services/v2/webhook/42", method: "PUT" }).reply(503, "");
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [HOOK] }, JSON_HEADERS);
    await api.updateWebhook(42, wanted);
    assert.deepEqual(calls(), ["PUT /services/v2/webhook/42", "GET /services/v2/webhook"]);
  });

  test("update: a socket error, then the list still shows the old endpoint → the original error", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook/42", method: "PUT" })
      .replyWithError(new Error("socket hang up"));
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, { webhooks: [{ ...HOOK, endpoint: "https://old.example/hook" }] }, JSON_HEADERS)
      .times(2);
    await assert.rejects(api.updateWebhook(42, wanted), NetworkError);
    assert.deepEqual(calls(), [
      "PUT /services/v2/webhook/42",
      "GET /services/v2/webhook",
      "GET /services/v2/webhook",
    ]);
  });
});

describe("answers that are not what they should be", () => {
  test("a non-JSON error body (a proxy's HTML) → ApiError with a short, collapsed snippet", async () => {
    const html = `<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502   Bad Gateway</h1></center>\n${"<p>filler text</p>\n".repeat(50)}</body></html>`;
    pool()
      .intercept({ path: "/services/v2/webhook/1/send-challenge", method: "PUT" })
      .reply(502, html, {
        headers: { "content-type": "text/html" },
      });
    await assert.rejects(api.sendChallenge(1), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 502);
      assert.equal(err.code, "");
      assert.match(
        err.message,
        /^HTTP 502 from www\.digicert\.com: 502 Bad Gateway 502 Bad Gateway filler text/,
      );
      assert.doesNotMatch(err.message, /[<>\n]|\s{2}/);
      assert.ok(err.message.length <= 200 + "HTTP 502 from www.digicert.com: ".length);
      return true;
    });
  });

  test("the error envelope: every error kept, the code may carry a pipe", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook/3/activate", method: "PUT" })
      .reply(404, {
        errors: [{ code: "not_found|webhook", message: "A webhook with the given ID does not exist." }],
      });
    await assert.rejects(api.activate(3), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, "not_found|webhook");
      assert.ok(err.hasCode("not_found|webhook"));
      assert.equal(err.method, "PUT");
      assert.equal(err.path, "/webhook/3/activate");
      return true;
    });
  });

  test("a 2xx list that is not JSON → ApiError, not a crash", async () => {
    pool().intercept({ path: "/services/v2/webhook", method: "GET" }).reply(200, "<html>login</html>");
    await assert.rejects(
      api.getWebhook(),
      (err: unknown) => err instanceof ApiError && /not JSON/.test(err.message),
    );
  });

  test("a 2xx that is not JSON: 'could not be read', with the snippet as detail (not a refusal)", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(200, "<html><b>Sign in</b></html>");
    await assert.rejects(api.getWebhook(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.detail, "Sign in");
      assert.match(err.message, /^CertCentral's answer to GET \/webhook could not be read/);
      assert.doesNotMatch(err.message, /refused/);
      return true;
    });
  });

  test("a non-JSON 4xx body: the snippet is the detail, without the status", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(400, "<html><h1>Bad   Request</h1></html>");
    await assert.rejects(api.getWebhook(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.detail, "Bad Request");
      return true;
    });
  });

  test("a DigiCert envelope leaves detail unset (its messages are the message)", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook/3/check-challenge", method: "PUT" })
      .reply(400, { errors: [{ code: "webhook_invalid_token", message: "Invalid token." }] });
    await assert.rejects(api.checkChallenge(3, "t"), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.detail, undefined);
      assert.equal(err.message, "Invalid token.");
      return true;
    });
  });

  test("a 302 is refused without following it or showing the Location", async () => {
    pool()
      .intercept({ path: "/services/v2/webhook", method: "GET" })
      .reply(302, "", {
        headers: { location: "https://evil.example/steal" },
      });
    await assert.rejects(api.getWebhook(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 302);
      assert.match(err.message, /never follows redirects/);
      assert.doesNotMatch(err.message, /evil/);
      return true;
    });
    assert.deepEqual(calls(), ["GET /services/v2/webhook"]);
  });
});
