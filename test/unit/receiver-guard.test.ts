import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, test } from "node:test";
import {
  checkDeclaredLength,
  checkKey,
  checkRoute,
  checkSource,
  keyMatches,
  sha256,
} from "../../src/receiver/guard.js";
import { createAddressMatcher } from "../../src/util/cidr.js";

const SECRET = "A".repeat(32);
const digest = sha256(SECRET);
type Head = Pick<IncomingMessage, "headersDistinct" | "socket">;
const head = (headers: Record<string, string[]>, remoteAddress = "127.0.0.1") =>
  ({ headersDistinct: headers, socket: { remoteAddress } }) as unknown as Head;

describe("checkRoute (item 4)", () => {
  test("table", () => {
    assert.equal(checkRoute("POST", "/hook/abc", "/hook/abc"), undefined);
    assert.equal(checkRoute("POST", "/hook/abc?x=1", "/hook/abc"), undefined);
    assert.equal(checkRoute("POST", "/hook/abc/", "/hook/abc")?.status, 404);
    assert.equal(checkRoute("POST", "/hook/ABC", "/hook/abc")?.status, 404);
    assert.equal(checkRoute("POST", "/", "/hook/abc")?.status, 404);
    for (const m of ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]) {
      const r = checkRoute(m, "/hook/abc", "/hook/abc");
      assert.equal(r?.status, 405);
      assert.deepEqual(r?.headers, { Allow: "POST" });
    }
  });
});

describe("checkKey (items 5–6)", () => {
  const cases: [string, Record<string, string[]>, string | undefined][] = [
    ["correct", { "x-webhook-key": [SECRET] }, undefined],
    ["missing", {}, "missing"],
    ["empty", { "x-webhook-key": [""] }, "missing"],
    ["shorter", { "x-webhook-key": ["A".repeat(31)] }, "mismatch"],
    ["longer", { "x-webhook-key": ["A".repeat(33)] }, "mismatch"],
    ["same length", { "x-webhook-key": [`${"A".repeat(31)}B`] }, "mismatch"],
    ["non-ASCII, same .length", { "x-webhook-key": ["é".repeat(32)] }, "mismatch"],
    ["repeated (even if both right)", { "x-webhook-key": [SECRET, SECRET] }, "repeated"],
    ["joined by a proxy", { "x-webhook-key": [`${SECRET}, ${SECRET}`] }, "mismatch"],
  ];
  for (const [name, headers, detail] of cases) {
    test(name, () => {
      const r = checkKey(head(headers), digest);
      if (detail === undefined) assert.equal(r, undefined);
      else assert.deepEqual(r, { status: 401, reason: "unauthorized", detail });
    });
  }
  test("no secret configured: no check", () => {
    assert.equal(checkKey(head({}), undefined), undefined);
  });
});

describe("keyMatches (the previous secret on a handshake)", () => {
  test("exactly one matching value", () => {
    const digest = sha256("old-secret");
    assert.equal(keyMatches(head({ "x-webhook-key": ["old-secret"] }), digest), true);
    assert.equal(keyMatches(head({ "x-webhook-key": ["other"] }), digest), false);
    assert.equal(keyMatches(head({ "x-webhook-key": ["old-secret", "old-secret"] }), digest), false);
    assert.equal(keyMatches(head({ "x-webhook-key": [""] }), digest), false);
    assert.equal(keyMatches(head({}), digest), false);
  });
});

describe("checkDeclaredLength (item 2)", () => {
  test("table", () => {
    assert.equal(checkDeclaredLength(undefined, 100), undefined);
    assert.equal(checkDeclaredLength("100", 100), undefined);
    assert.equal(checkDeclaredLength("101", 100)?.status, 413);
    assert.equal(checkDeclaredLength(String(10 * 1024 * 1024), 262144)?.status, 413);
  });
});

describe("checkSource (items 7–8)", () => {
  const allow = createAddressMatcher(["216.168.240.0/20"]);
  test("direct mode checks the peer and ignores X-Forwarded-For", () => {
    assert.equal(checkSource(head({}, "216.168.240.5"), { mode: "direct", allow }), undefined);
    assert.equal(checkSource(head({}, "::ffff:216.168.240.5"), { mode: "direct", allow }), undefined);
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["216.168.240.5"] }, "127.0.0.1"), { mode: "direct", allow })
        ?.status,
      403,
    );
  });
  test("tunnel mode: loopback peer only; the LAST forwarded entry decides", () => {
    const policy = { mode: "tunnel", allow } as const;
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["216.168.240.5"] }, "203.0.113.9"), policy)?.detail,
      "peer_not_loopback",
    );
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["216.168.240.5, 203.0.113.9"] }), policy)?.status,
      403,
    );
    assert.equal(checkSource(head({ "x-forwarded-for": ["203.0.113.9, 216.168.240.5"] }), policy), undefined);
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["203.0.113.9", "216.168.240.5"] }), policy),
      undefined,
    );
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["216.168.240.5", "203.0.113.9"] }), policy)?.status,
      403,
    );
    assert.equal(checkSource(head({}), policy)?.status, 403);
    assert.equal(checkSource(head({}), { mode: "tunnel" }), undefined);
    assert.equal(checkSource(head({}, "10.0.0.1"), { mode: "tunnel" })?.status, 403);
  });
  test("tunnel mode on a network address (--host): other peers too, themselves in the allowlist when there is one", () => {
    const open = { mode: "tunnel", network: true } as const;
    assert.equal(checkSource(head({}, "172.17.0.1"), open), undefined);
    assert.equal(checkSource(head({}), open), undefined);
    const guarded = { mode: "tunnel", network: true, allow } as const;
    // A network peer is judged by its own address: its X-Forwarded-For is only its claim.
    assert.equal(
      checkSource(head({ "x-forwarded-for": ["216.168.240.5"] }, "203.0.113.9"), guarded)?.detail,
      "peer",
    );
    assert.equal(checkSource(head({}, "216.168.240.5"), guarded), undefined);
    // A loopback peer (the in-process tunnel) still needs its last forwarded entry in the range.
    assert.equal(checkSource(head({ "x-forwarded-for": ["203.0.113.9"] }), guarded)?.detail, "forwarded_for");
    assert.equal(checkSource(head({ "x-forwarded-for": ["216.168.240.5"] }), guarded), undefined);
  });
  test("any mode accepts everything", () => {
    assert.equal(checkSource(head({}, "203.0.113.9"), { mode: "any" }), undefined);
  });
});
