import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../src/errors.js";
import {
  createAddressMatcher,
  DIGICERT_SOURCE_RANGE,
  isLoopback,
  normalizeAddress,
  parseCidr,
} from "../../src/util/cidr.js";

describe("CIDR allowlist (checklist item 7)", () => {
  const digicert = createAddressMatcher([DIGICERT_SOURCE_RANGE]);

  const cases: [string | undefined, boolean][] = [
    ["216.168.240.0", true],
    ["216.168.255.255", true],
    ["216.168.247.13", true],
    ["216.168.239.255", false],
    ["216.169.0.0", false],
    ["::ffff:216.168.240.1", true],
    ["::FFFF:216.168.240.1", true],
    ["::ffff:d8a8:f001", true], // the same address in hex v4-mapped form, as BlockList reads it
    ["::ffff:216.168.239.255", false],
    // Odd encodings are not reinterpreted: they never match.
    ["0xd8.168.240.1", false],
    ["0330.168.240.1", false],
    ["216.168.240.01", false],
    ["3635998721", false],
    ["216.168.240", false],
    ["216.168.240.1 ", true], // surrounding whitespace (header values) is trimmed
    ["", false],
    ["not an address", false],
    [undefined, false],
    ["::1", false],
    ["2001:db8::1", false],
  ];
  for (const [address, allowed] of cases) {
    test(`${JSON.stringify(address)} → ${allowed ? "allowed" : "denied"}`, () => {
      assert.equal(digicert.allows(address), allowed);
    });
  }

  test("IPv6 ranges work and v4 addresses do not match them", () => {
    const m = createAddressMatcher(["2001:db8::/32"]);
    assert.equal(m.allows("2001:db8:ffff::1"), true);
    assert.equal(m.allows("2001:db9::1"), false);
    assert.equal(m.allows("[2001:db8::1]"), true);
    assert.equal(m.allows("216.168.240.1"), false);
  });

  test("a bare address is a single-host range", () => {
    const m = createAddressMatcher(["203.0.113.9"]);
    assert.equal(m.allows("203.0.113.9"), true);
    assert.equal(m.allows("203.0.113.10"), false);
  });

  test("invalid ranges are usage errors", () => {
    for (const bad of [
      "216.168.240.0/33",
      "0xd8.168.240.0/20",
      "216.168.240.0/20/1",
      "abc",
      "::1/129",
      "1.2.3.4/-1",
      "1.2.3.4/",
    ]) {
      assert.throws(() => parseCidr(bad), UsageError, bad);
    }
    assert.deepEqual(parseCidr(" 216.168.240.0/20 "), {
      network: "216.168.240.0",
      prefix: 20,
      family: "ipv4",
    });
  });

  test("normalizeAddress strips v4-mapped prefixes and zone ids", () => {
    assert.deepEqual(normalizeAddress("::ffff:127.0.0.1"), { address: "127.0.0.1", family: "ipv4" });
    assert.deepEqual(normalizeAddress("fe80::1%eth0"), { address: "fe80::1", family: "ipv6" });
    assert.equal(normalizeAddress("0xd8.168.240.1"), undefined);
  });

  test("loopback detection", () => {
    for (const a of ["127.0.0.1", "127.255.0.3", "::1", "::ffff:127.0.0.1"])
      assert.equal(isLoopback(a), true, a);
    for (const a of ["10.0.0.1", "216.168.240.1", "::", "0.0.0.0", undefined])
      assert.equal(isLoopback(a), false, String(a));
  });
});
