import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KNOWN_EVENT_NAMES, parseEvent, safeJsonParse } from "../../src/receiver/events.js";

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe("safeJsonParse", () => {
  test("drops __proto__, constructor and prototype keys at every depth and never touches Object.prototype", () => {
    const parsed = safeJsonParse(
      '{"event":"x","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"data":{"a":{"__proto__":{"polluted":3}},"b":1}}',
    ) as Record<string, unknown>;
    assert.deepEqual(plain(parsed), { event: "x", data: { a: {}, b: 1 } });
    assert.equal(Object.getPrototypeOf(parsed), null);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(parsed, "__proto__"), false);
  });

  test("throws SyntaxError on malformed input, a BOM included", () => {
    for (const text of ['{"event":"x"', '{"event":"x"} trailing', "\ufeff{}", "", "{'a':1}"]) {
      assert.throws(() => safeJsonParse(text), SyntaxError, JSON.stringify(text));
    }
  });
});

describe("parseEvent", () => {
  test("envelope problems", () => {
    const cases: [unknown, string][] = [
      [[], "not_an_object"],
      ["certificate_issued", "not_an_object"],
      [null, "not_an_object"],
      [42, "not_an_object"],
      [{}, "missing_event"],
      [{ event: 5 }, "missing_event"],
      [{ event: "  " }, "missing_event"],
      [{ event: "certificate_issued", data: [] }, "data_not_an_object"],
      [{ event: "certificate_issued", data: "x" }, "data_not_an_object"],
    ];
    for (const [value, problem] of cases) {
      assert.deepEqual(parseEvent(value), { ok: false, problem }, JSON.stringify(value));
    }
  });

  test("test event without data; data: null read as no data", () => {
    for (const body of [{ event: "test_webhook_endpoint" }, { event: "test_webhook_endpoint", data: null }]) {
      const r = parseEvent(body);
      assert.ok(r.ok);
      assert.equal(r.event.type, "test_webhook_endpoint");
      assert.deepEqual(plain(r.event.data), {});
    }
  });

  test("challenge: token trimmed, webhook_id typed, extra fields kept", () => {
    const r = parseEvent({
      event: "challenge_webhook_endpoint",
      data: { token: "  tok-1 ", webhook_id: 12345, x: true },
    });
    assert.ok(r.ok && r.event.type === "challenge_webhook_endpoint");
    assert.equal(r.event.data.token, "tok-1");
    assert.equal(r.event.data.webhook_id, 12345);
    assert.equal(r.event.data.x, true);
  });

  test("challenge with missing or malformed fields is tolerated (fields left out)", () => {
    const r = parseEvent({ event: "challenge_webhook_endpoint", data: { token: true, webhook_id: "abc" } });
    assert.ok(r.ok && r.event.type === "challenge_webhook_endpoint");
    assert.equal(r.event.data.token, undefined);
    assert.equal(r.event.data.webhook_id, undefined);
    for (const token of [null, "", "  ", {}, [1], Number.NaN]) {
      const e = parseEvent({ event: "challenge_webhook_endpoint", data: { token } });
      assert.ok(e.ok && e.event.type === "challenge_webhook_endpoint");
      assert.equal(e.event.data.token, undefined, JSON.stringify(token));
    }
    const s = parseEvent({ event: "challenge_webhook_endpoint", data: { token: "t", webhook_id: "42" } });
    assert.ok(s.ok && s.event.type === "challenge_webhook_endpoint");
    assert.equal(s.event.data.webhook_id, 42);
  });

  test("a numeric token is kept as the string CertCentral expects back (spec §17 #17)", () => {
    const r = parseEvent({ event: "challenge_webhook_endpoint", data: { token: 123456789, webhook_id: 4 } });
    assert.ok(r.ok && r.event.type === "challenge_webhook_endpoint");
    assert.equal(r.event.data.token, "123456789");
    const s = parseEvent({ event: "challenge_webhook_endpoint", data: { token: "  abc  " } });
    assert.ok(s.ok && s.event.type === "challenge_webhook_endpoint");
    assert.equal(s.event.data.token, "abc");
  });

  test("certificate_issued with and without a chain", () => {
    const chain = [
      {
        subject_common_name: "example.com",
        pem: "-----BEGIN CERTIFICATE-----\r\nMII\r\n-----END CERTIFICATE-----\r\n",
      },
      { pem: "p2" },
      { subject_common_name: "no pem" },
    ];
    const r = parseEvent({
      event: "certificate_issued",
      data: { order_id: 1, certificate_id: 2, certificate_chain: chain },
    });
    assert.ok(r.ok && r.event.type === "certificate_issued");
    assert.equal(r.event.data.order_id, 1);
    assert.equal(r.event.data.certificate_chain?.length, 2);
    assert.equal(r.event.data.certificate_chain?.[0].subject_common_name, "example.com");
    const bare = parseEvent({ event: "certificate_issued", data: {} });
    assert.ok(bare.ok && bare.event.type === "certificate_issued");
    assert.equal(bare.event.data.order_id, undefined);
  });

  test("every known name maps to its own type; anything else is unknown and passed through", () => {
    for (const name of KNOWN_EVENT_NAMES) {
      const r = parseEvent({ event: name, data: { organization_id: 3, domain_id: 4 } });
      assert.ok(r.ok);
      assert.equal(r.event.type, name);
    }
    const r = parseEvent({ event: "order_approval_email_sent", data: { orderApprovalEmailStatus: "sent" } });
    assert.ok(r.ok);
    assert.equal(r.event.type, "unknown");
    assert.equal(r.event.name, "order_approval_email_sent");
    assert.equal(r.event.data.orderApprovalEmailStatus, "sent");
  });
});
