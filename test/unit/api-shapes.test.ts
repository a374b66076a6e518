// Typed reading of every API answer (src/api/shapes.ts) over a strict loopback fake: each malformed answer
// is an ApiShapeError naming the route and the field's path, exit 3 via describeFailure, and never shows a
// value (a canary webhook secret and the API key must not appear); the liberal readings where DigiCert's
// pages are silent parse fine; the event log reads a full-size page and refuses an oversized one clearly.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import { MAX_BODY_BYTES, MAX_EVENT_LOG_BYTES } from "../../src/api/client.js";
import { ApiError, ApiShapeError, ApiTooLargeError } from "../../src/api/errors.js";
import { createSandboxAdmin } from "../../src/api/sandbox-admin.js";
import type { WebhookApi } from "../../src/api/types.js";
import { createWebhookApi } from "../../src/api/webhooks.js";
import { describeFailure } from "../../src/io/exit-codes.js";
import { ManualClock } from "../../src/util/clock.js";

const KEY = "shape-test-api-key-CANARY-7f3a9c";
const SECRET = "CANARY-webhook-secret-0123456789abcdefXYZ";
const HOOK = {
  id: 42,
  endpoint: "https://hooks.example.com/certcentral",
  secret: SECRET,
  events: ["certificate_issued", "certificate_revoked"],
  status: "active",
};
const ENTRY = {
  event_name: "certificate_issued",
  event_info: { order_id: 1, certificate_id: 2 },
  request_status: "success",
  request_sent_time: "2026-01-01T00:00:00",
  response_received_time: "2026-01-01T00:00:01",
  response_code: 200,
};

interface Answer {
  status?: number;
  /** A JSON value, or raw text when `raw` is set. */
  body: unknown;
  raw?: boolean;
}

/** Routes the fake answers, keyed "METHOD /path" below /services/v2 (query ignored); anything else is a 599 and a test failure. */
type Routes = Record<string, Answer>;

const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** A strict loopback fake: the API key must match, only the given routes answer; every request is recorded. */
async function fake(routes: Routes): Promise<{ base: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const route = `${req.method} ${(req.url ?? "").split("?")[0]?.replace(/^\/services\/v2/, "")}`;
    const answer = routes[route];
    if (req.headers["x-dc-devkey"] !== KEY || !answer) {
      res.writeHead(599, { "content-type": "text/plain" }).end(`unexpected ${route}`);
      return;
    }
    const text = answer.raw ? String(answer.body) : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { "content-type": "application/json" }).end(text);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/services/v2`, seen };
}

function api(base: string): WebhookApi {
  return createWebhookApi({
    baseUrl: base,
    apiKey: KEY,
    timeoutMs: 5000,
    userAgent: "certwh/test",
    clock: new ManualClock(),
    maxAttempts: 1,
  });
}

const NO_WEBHOOK: Answer = {
  status: 400,
  body: { errors: [{ code: "webhook_invalid_account", message: "No webhook exists for the account." }] },
};

/** Assert a shape failure: type, field, exit 3, route and field named, no secret anywhere in what is shown. */
function assertShapeFailure(err: unknown, route: string, field: string): true {
  assert.ok(err instanceof ApiShapeError, `expected ApiShapeError, got ${String(err)}`);
  assert.equal(err.field, field);
  const f = describeFailure(err);
  assert.equal(f.exitCode, 3);
  assert.equal(f.code, "unexpected_answer");
  assert.ok(f.message.includes(route), `the message names ${route}: ${f.message}`);
  assert.ok(
    f.message.includes(field === "" ? "the body" : field),
    `the message names ${field}: ${f.message}`,
  );
  const shown = [f.message, f.hint ?? "", err.message, err.detail ?? "", JSON.stringify(err)].join("\n");
  assert.ok(!shown.includes(SECRET), `the secret leaked: ${shown}`);
  assert.ok(!shown.includes("CANARY"), `a canary leaked: ${shown}`);
  assert.ok(!shown.includes(KEY), `the API key leaked: ${shown}`);
  return true;
}

const hook = (change: Record<string, unknown>) => ({ ...HOOK, ...change });
const list = (...hooks: unknown[]) => ({ webhooks: hooks });

describe("GET /webhook: malformed answers → ApiShapeError, exit 3, the field named", () => {
  const cases: [string, unknown, string][] = [
    ["a JSON string body", "CANARY-body", ""],
    ["a null body", null, ""],
    ["a list body", [HOOK], ""],
    ["no webhooks", {}, "webhooks"],
    ["webhooks is a string", { webhooks: "CANARY" }, "webhooks"],
    ["webhooks[0] is null", list(null), "webhooks[0]"],
    ["webhooks[0] is a string", list("CANARY"), "webhooks[0]"],
    ["a negative id", list(hook({ id: -1 })), "webhooks[0].id"],
    ["a zero id", list(hook({ id: 0 })), "webhooks[0].id"],
    ["a fractional id", list(hook({ id: 1.5 })), "webhooks[0].id"],
    ["a huge id", list(hook({ id: 2 ** 53 })), "webhooks[0].id"],
    ["a huge id as a string", list(hook({ id: "90071992547409930" })), "webhooks[0].id"],
    ["an id that is not decimal", list(hook({ id: "CANARY12" })), "webhooks[0].id"],
    ["an id that is a list", list(hook({ id: [42] })), "webhooks[0].id"],
    ["no id", list({ ...HOOK, id: undefined }), "webhooks[0].id"],
    ["endpoint a number", list(hook({ endpoint: 5 })), "webhooks[0].endpoint"],
    ["no status", list(hook({ status: undefined })), "webhooks[0].status"],
    ["status an object", list(hook({ status: { value: "CANARY" } })), "webhooks[0].status"],
    ["events a string", list(hook({ events: "certificate_issued" })), "webhooks[0].events"],
    ["events:[null]", list(hook({ events: [null] })), "webhooks[0].events[0]"],
    ["events[1] a number", list(hook({ events: ["certificate_issued", 7] })), "webhooks[0].events[1]"],
    ["secret a number", list(hook({ secret: 12345 })), "webhooks[0].secret"],
    ["secret an object", list(hook({ secret: { value: SECRET } })), "webhooks[0].secret"],
    ["secret a list", list(hook({ secret: [SECRET] })), "webhooks[0].secret"],
    ["settings a string", list(hook({ webhook_settings: "1" })), "webhooks[0].webhook_settings"],
    [
      "a flag that is no flag",
      list(hook({ webhook_settings: { webhook_send_certificate_chain: "CANARY" } })),
      "webhooks[0].webhook_settings.webhook_send_certificate_chain",
    ],
    [
      "a flag of 2",
      list(hook({ webhook_settings: { instant_issue_webhook_notification: 2 } })),
      "webhooks[0].webhook_settings.instant_issue_webhook_notification",
    ],
    [
      "frequency a string",
      list(hook({ webhook_settings: { webhook_notification_frequency: "90" } })),
      "webhooks[0].webhook_settings.webhook_notification_frequency",
    ],
    [
      "frequency[1] not a number",
      list(hook({ webhook_settings: { webhook_notification_frequency: [90, "CANARY", 30] } })),
      "webhooks[0].webhook_settings.webhook_notification_frequency[1]",
    ],
    ["top-level settings a list", { ...list(HOOK), webhook_settings: [] }, "webhook_settings"],
    [
      "top-level flag wrong",
      { ...list(HOOK), webhook_settings: { webhook_send_certificate_chain: {} } },
      "webhook_settings.webhook_send_certificate_chain",
    ],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} → ${field || "the body"}`, async () => {
      const { base, seen } = await fake({ "GET /webhook": { body } });
      await assert.rejects(api(base).getWebhook(), (err) => assertShapeFailure(err, "GET /webhook", field));
      assert.deepEqual(seen, ["GET /services/v2/webhook"], "a wrong shape is not retried");
    });
  }

  test("a later webhook in the list is checked too", async () => {
    const { base } = await fake({ "GET /webhook": { body: list(HOOK, hook({ events: [null] })) } });
    await assert.rejects(api(base).getWebhook(), (err) =>
      assertShapeFailure(err, "GET /webhook", "webhooks[1].events[0]"),
    );
  });
});

describe("POST /webhook: malformed answers → ApiShapeError after reading the account back", () => {
  const cases: [string, unknown, string][] = [
    ["an empty object", {}, "webhook_id"],
    ["a list", [1234], ""],
    ["webhook_id a word", { webhook_id: "CANARY" }, "webhook_id"],
    ["webhook_id negative", { webhook_id: -3 }, "webhook_id"],
    ["webhook_id fractional", { webhook_id: 12.5 }, "webhook_id"],
    ["webhook_id huge", { webhook_id: 1e300 }, "webhook_id"],
    ["id (the other spelling) wrong", { id: "CANARY" }, "id"],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} → ${field || "the body"}`, async () => {
      const { base, seen } = await fake({
        "POST /webhook": { status: 201, body },
        "GET /webhook": NO_WEBHOOK,
      });
      await assert.rejects(
        api(base).createWebhook({ endpoint: HOOK.endpoint, secret: SECRET, events: HOOK.events }),
        (err) => assertShapeFailure(err, "POST /webhook", field),
      );
      // The yes was unreadable, so the account is read back (twice at most); the POST is never repeated.
      assert.deepEqual(seen, [
        "POST /services/v2/webhook",
        "GET /services/v2/webhook",
        "GET /services/v2/webhook",
      ]);
    });
  }

  test("an unreadable yes, then the account shows the webhook → its id (the create did happen)", async () => {
    const { base } = await fake({
      "POST /webhook": { status: 201, body: { webhook_id: [] } },
      "GET /webhook": { body: list(hook({ id: 77 })) },
    });
    assert.equal(await api(base).createWebhook({ endpoint: HOOK.endpoint }), 77);
  });
});

describe("GET /webhook/{id}/event-logs: malformed answers → ApiShapeError", () => {
  const route = "GET /webhook/42/event-logs";
  const page = { total: 1, limit: 1000, offset: 0 };
  const cases: [string, unknown, string][] = [
    ["a string body", "CANARY", ""],
    ["no events", { page }, "events"],
    ["events a string", { events: "CANARY", page }, "events"],
    ["events:[null]", { events: [null], page }, "events[0]"],
    ["event_name a number", { events: [ENTRY, { ...ENTRY, event_name: 5 }], page }, "events[1].event_name"],
    [
      "no request_status",
      { events: [{ ...ENTRY, request_status: undefined }], page },
      "events[0].request_status",
    ],
    [
      "request_sent_time a number",
      { events: [{ ...ENTRY, request_sent_time: 1 }], page },
      "events[0].request_sent_time",
    ],
    ["event_info a string", { events: [{ ...ENTRY, event_info: "CANARY" }], page }, "events[0].event_info"],
    ["event_info a list", { events: [{ ...ENTRY, event_info: [] }], page }, "events[0].event_info"],
    [
      "response_code a word",
      { events: [{ ...ENTRY, response_code: "CANARY" }], page },
      "events[0].response_code",
    ],
    [
      "response_code fractional",
      { events: [{ ...ENTRY, response_code: 200.5 }], page },
      "events[0].response_code",
    ],
    [
      "response_received_time a number",
      { events: [{ ...ENTRY, response_received_time: 3 }], page },
      "events[0].response_received_time",
    ],
    ["page a string", { events: [ENTRY], page: "CANARY" }, "page"],
    ["page.total negative", { events: [ENTRY], page: { ...page, total: -1 } }, "page.total"],
    ["page.limit fractional", { events: [ENTRY], page: { ...page, limit: 0.5 } }, "page.limit"],
    ["page.offset huge", { events: [ENTRY], page: { ...page, offset: 2 ** 60 } }, "page.offset"],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} → ${field || "the body"}`, async () => {
      const { base } = await fake({ [route]: { body } });
      await assert.rejects(api(base).eventLogs(42), (err) => assertShapeFailure(err, route, field));
    });
  }
});

describe("POST /sandbox/v1/emit: malformed answers → ApiShapeError", () => {
  const delivery = { url: HOOK.endpoint, status: 200, ok: true, kind: "event", duration_ms: 3 };
  const cases: [string, unknown, string][] = [
    ["a list", [], ""],
    ["delivered a string", { delivered: "yes" }, "delivered"],
    ["delivered missing", {}, "delivered"],
    ["delivered null", { delivered: null }, "delivered"],
    ["delivered without a delivery", { delivered: true }, "delivery"],
    [
      "delivery.status a word",
      { delivered: true, delivery: { ...delivery, status: "CANARY" } },
      "delivery.status",
    ],
    ["delivery.ok missing", { delivered: true, delivery: { ...delivery, ok: undefined } }, "delivery.ok"],
    ["delivery.ok null", { delivered: true, delivery: { ...delivery, ok: null } }, "delivery.ok"],
    ["delivery.url a number", { delivered: true, delivery: { ...delivery, url: 1 } }, "delivery.url"],
    [
      "certificate_chain a string",
      { delivered: true, delivery, certificate_chain: "1" },
      "certificate_chain",
    ],
    ["code a number", { delivered: false, code: 1, reason: "no webhook is configured" }, "code"],
  ];
  for (const [name, body, field] of cases) {
    test(`${name} → ${field || "the body"}`, async () => {
      const { base } = await fake({ "POST /sandbox/v1/emit": { body } });
      const admin = createSandboxAdmin({
        sandboxUrl: new URL(base),
        apiKey: KEY,
        timeoutMs: 5000,
        userAgent: "certwh/test",
      });
      await assert.rejects(admin.emit("certificate_issued", {}), (err) =>
        assertShapeFailure(err, "POST /emit", field),
      );
    });
  }
});

describe("answers that are not JSON keep their exit code (3, unreadable_answer)", () => {
  const cases: [string, string][] = [
    ["an HTML page", "<html><body>Sign in</body></html>"],
    ["truncated JSON", JSON.stringify(list(HOOK)).slice(0, 60)],
  ];
  for (const [name, text] of cases) {
    test(name, async () => {
      const { base } = await fake({ "GET /webhook": { body: text, raw: true } });
      await assert.rejects(api(base).getWebhook(), (err: unknown) => {
        assert.ok(err instanceof ApiError && !(err instanceof ApiShapeError));
        const f = describeFailure(err);
        assert.equal(f.exitCode, 3);
        assert.equal(f.code, "unreadable_answer");
        assert.ok(!f.message.includes(SECRET));
        return true;
      });
    });
  }
});

describe("liberal readings parse fine", () => {
  test("webhook_settings at the top level of the list → in the webhook object", async () => {
    const settings = {
      webhook_notification_frequency: [90, 60, 30, 7, 0, -7],
      instant_issue_webhook_notification: "1",
      webhook_send_certificate_chain: "0",
      webhook_send_instant_issued_certificate_chain: "1",
    };
    const { base } = await fake({ "GET /webhook": { body: { ...list(HOOK), webhook_settings: settings } } });
    assert.deepEqual(await api(base).getWebhook(), { ...HOOK, webhook_settings: settings });
  });

  test("nested settings win over top-level ones", async () => {
    const { base } = await fake({
      "GET /webhook": {
        body: {
          ...list(hook({ webhook_settings: { webhook_send_certificate_chain: "1" } })),
          webhook_settings: { webhook_send_certificate_chain: "0" },
        },
      },
    });
    assert.deepEqual((await api(base).getWebhook())?.webhook_settings, {
      webhook_send_certificate_chain: "1",
    });
  });

  const flags: [unknown, string][] = [
    ["1", "1"],
    [1, "1"],
    [true, "1"],
    ["true", "1"],
    ["0", "0"],
    [0, "0"],
    [false, "0"],
    ["false", "0"],
  ];
  for (const [given, read] of flags) {
    test(`a flag given as ${JSON.stringify(given)} reads as "${read}"`, async () => {
      const { base } = await fake({
        "GET /webhook": {
          body: list(
            hook({
              webhook_settings: {
                instant_issue_webhook_notification: given,
                webhook_send_certificate_chain: given,
                webhook_send_instant_issued_certificate_chain: null,
              },
            }),
          ),
        },
      });
      assert.deepEqual((await api(base).getWebhook())?.webhook_settings, {
        instant_issue_webhook_notification: read,
        webhook_send_certificate_chain: read,
      });
    });
  }

  test("unknown fields are ignored; an id as a decimal string, a null secret are read; missing events → null (unknown)", async () => {
    const { base } = await fake({
      "GET /webhook": {
        body: {
          webhooks: [
            {
              id: "42",
              endpoint: HOOK.endpoint,
              status: "pending",
              secret: null,
              created_at: "2026-01-01",
              owner: { id: "x" },
              webhook_settings: { webhook_notification_frequency: ["90", -7], future_flag: "CANARY" },
            },
          ],
          page: { total: 1 },
          more: [null],
        },
      },
    });
    assert.deepEqual(await api(base).getWebhook(), {
      id: 42,
      endpoint: HOOK.endpoint,
      status: "pending",
      // Not reported is not "subscribed to nothing": an update must not copy an empty list from it.
      events: null,
      webhook_settings: { webhook_notification_frequency: [90, -7] },
    });
  });

  test("an empty list → no webhook", async () => {
    const { base } = await fake({ "GET /webhook": { body: list() } });
    assert.equal(await api(base).getWebhook(), null);
  });

  test("create answered {id} or a decimal-string webhook_id → the number", async () => {
    for (const body of [{ id: 7 }, { webhook_id: "7", extra: true }]) {
      const { base } = await fake({ "POST /webhook": { status: 201, body } });
      assert.equal(await api(base).createWebhook({ endpoint: HOOK.endpoint }), 7);
    }
  });

  test("an event-log page without `page`, with extra fields and null optionals", async () => {
    const { base } = await fake({
      "GET /webhook/42/event-logs": {
        body: {
          events: [{ ...ENTRY, event_info: null, response_code: "200", response_received_time: null, x: 1 }],
        },
      },
    });
    assert.deepEqual(await api(base).eventLogs(42, { limit: 10, offset: 20 }), {
      events: [
        {
          event_name: ENTRY.event_name,
          request_status: ENTRY.request_status,
          request_sent_time: ENTRY.request_sent_time,
          response_code: 200,
        },
      ],
      page: { total: 21, limit: 10, offset: 20 },
    });
  });
});

describe("the event log at CertCentral's real sizes", () => {
  /** An entry of about 4 KB, as a certificate_issued entry with its chain is. */
  const bigEntry = (i: number) => ({
    ...ENTRY,
    event_info: { order_id: i, certificate_id: i, certificate_chain: [{ pem: "A".repeat(4000) }] },
  });

  test("limit and offset are always sent (1000 and 0 by default); sort only when given", async () => {
    const { base, seen } = await fake({
      "GET /webhook/42/event-logs": { body: { events: [], page: { total: 0, limit: 1000, offset: 0 } } },
    });
    await api(base).eventLogs(42);
    await api(base).eventLogs(42, { limit: 5, offset: 10, sort: "-request_sent_time" });
    assert.deepEqual(seen, [
      "GET /services/v2/webhook/42/event-logs?limit=1000&offset=0",
      "GET /services/v2/webhook/42/event-logs?limit=5&offset=10&sort=-request_sent_time",
    ]);
  });

  test("a 3 MB page of 750 entries is read", async () => {
    const events = Array.from({ length: 750 }, (_, i) => bigEntry(i));
    const body = { events, page: { total: 750, limit: 1000, offset: 0 } };
    assert.ok(JSON.stringify(body).length > 3_000_000);
    const { base } = await fake({ "GET /webhook/42/event-logs": { body } });
    const page = await api(base).eventLogs(42);
    assert.equal(page.events.length, 750);
    assert.deepEqual(page.page, body.page);
    assert.equal(page.events[749]?.event_info?.order_id, 749);
  });

  test("a full 1,000-entry page of ~4 KB entries is read", async () => {
    const events = Array.from({ length: 1000 }, (_, i) => bigEntry(i));
    const { base } = await fake({
      "GET /webhook/42/event-logs": { body: { events, page: { total: 1000, limit: 1000, offset: 0 } } },
    });
    assert.equal((await api(base).eventLogs(42)).events.length, 1000);
  });

  test("an event-log answer above the cap → ApiTooLargeError, exit 3, a clear message", async () => {
    const events = Array.from({ length: Math.ceil(MAX_EVENT_LOG_BYTES / 4000) + 10 }, (_, i) => bigEntry(i));
    const { base } = await fake({ "GET /webhook/42/event-logs": { body: { events } } });
    await assert.rejects(api(base).eventLogs(42), (err: unknown) => {
      assert.ok(err instanceof ApiTooLargeError);
      assert.equal(err.limitBytes, MAX_EVENT_LOG_BYTES);
      const f = describeFailure(err);
      assert.equal(f.exitCode, 3);
      assert.equal(f.code, "answer_too_large");
      assert.match(f.message, /GET \/webhook\/42\/event-logs is larger than 16 MiB/);
      assert.match(f.hint ?? "", /--limit/);
      return true;
    });
  });

  test("other routes keep the 1 MiB cap", async () => {
    const { base } = await fake({
      "GET /webhook": { body: list(hook({ padding: "x".repeat(MAX_BODY_BYTES) })) },
    });
    await assert.rejects(api(base).getWebhook(), (err: unknown) => {
      assert.ok(err instanceof ApiTooLargeError);
      assert.equal(describeFailure(err).exitCode, 3);
      assert.match(err.message, /GET \/webhook is larger than 1 MiB/);
      return true;
    });
  });
});
