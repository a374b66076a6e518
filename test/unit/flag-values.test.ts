// Tables for the flag parsers trigger, replay and listen share (src/commands/options/flag-values.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseHttpUrl,
  parsePositiveInteger,
  parsePositiveSeconds,
} from "../../src/commands/options/flag-values.js";
import { UsageError } from "../../src/errors.js";

function refused(fn: () => unknown, pattern: RegExp, label: string): void {
  assert.throws(fn, (e) => e instanceof UsageError && pattern.test(e.message), label);
}

test("parsePositiveInteger: 1 to 16 digits, no sign, no leading zero; undefined stays undefined", () => {
  const good: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ["1", 1],
    ["42", 42],
    ["470091052", 470091052],
    ["9007199254740991", Number.MAX_SAFE_INTEGER],
  ];
  for (const [value, expected] of good)
    assert.equal(parsePositiveInteger("--n", value), expected, String(value));
  for (const value of [
    "",
    "0",
    "-1",
    "+1",
    "01",
    "1.5",
    "1e3",
    "abc",
    " 1",
    "9007199254740993",
    "12345678901234567",
  ])
    refused(() => parsePositiveInteger("--limit", value), /^--limit must be a positive integer/, value);
});

test("parsePositiveSeconds: a positive number of seconds → milliseconds", () => {
  const good: [string, number][] = [
    ["10", 10_000],
    ["0.3", 300],
    [".5", 500],
    [" 2 ", 2000],
  ];
  for (const [value, ms] of good) assert.equal(parsePositiveSeconds("--timeout", value), ms, value);
  for (const value of ["", "-1", "abc", "1e1", "10s", "Infinity"])
    refused(
      () => parsePositiveSeconds("--timeout", value),
      /^--timeout must be a positive number of seconds/,
      value,
    );
  // Zero: the text a zero duration gets ("0s"), not a second one.
  for (const value of ["0", "0.0"])
    refused(
      () => parsePositiveSeconds("--timeout", value),
      new RegExp(`^--timeout must be more than zero, not "${value}"\\.$`),
      value,
    );
});

test("parseHttpUrl: absolute http:// or https:// URLs only, named by the flag", () => {
  for (const value of [
    "http://localhost:3000/webhooks",
    "https://hooks.example.com/x?y=1",
    " http://[::1]:8/ ",
  ])
    assert.ok(parseHttpUrl("--to", value) instanceof URL, value);
  assert.equal(parseHttpUrl("--to", "http://127.0.0.1:1/hook").href, "http://127.0.0.1:1/hook");
  const bad: [string, RegExp][] = [
    ["", /^--to must be a full http/],
    ["not a url", /^--to must be a full http/],
    ["/relative/path", /^--to must be a full http/],
    ["ftp://example.com/x", /^--to must be an http:\/\/ or https:\/\/ URL, not ftp:/],
    ["file:///etc/passwd", /^--to must be an http/],
  ];
  for (const [value, pattern] of bad) refused(() => parseHttpUrl("--to", value), pattern, value);
});

test("parseHttpUrl: a URL typed without its scheme is named as typed, with the URL it probably meant", () => {
  const table: [string, string, string][] = [
    ["--to", "localhost:3000", "http://localhost:3000"],
    ["--forward-to", "localhost:3000/webhooks", "http://localhost:3000/webhooks"],
    ["--to", "127.0.0.1:3000/x", "http://127.0.0.1:3000/x"],
    ["--to", "[::1]:8080", "http://[::1]:8080"],
    ["--to", "hooks.example.com/certcentral", "http://hooks.example.com/certcentral"],
  ];
  for (const [flag, value, meant] of table) {
    assert.throws(
      () => parseHttpUrl(flag, value),
      (e) =>
        e instanceof UsageError &&
        e.message === `${flag} must be a full http:// or https:// URL, not "${value}".` &&
        e.hint === `Did you mean ${flag} ${meant}?`,
      value,
    );
  }
  // Not a host: no guess (a word, a path, another scheme).
  for (const value of ["hooks", "/relative/path", "ftp://example.com/x", "not a url"])
    assert.throws(
      () => parseHttpUrl("--to", value),
      (e) => e instanceof UsageError && !String(e.hint).startsWith("Did you mean"),
      value,
    );
});

test("parsePositiveSeconds: more seconds than a Node timer holds are refused (trigger --timeout 999999999)", () => {
  assert.equal(parsePositiveSeconds("--timeout", "10"), 10_000);
  assert.throws(() => parsePositiveSeconds("--timeout", "999999999"), {
    message: "--timeout: 999999999s is longer than certwh waits; use at most 576h (24 days).",
  });
});

test('parseHttpUrl: a scheme typed without its "://", a port alone or a bare IPv6 address is refused with the URL meant', () => {
  // WHATWG URL reads "http:/x", "http:x" and "http:///x" as http://x/: each must be refused, not sent to x.
  const written = ' written with "://"';
  const table: [string, string, string, string][] = [
    ["--to", "http:/x", written, "http://x"],
    ["--forward-to", "http:x", written, "http://x"],
    ["--to", "http:///x/hook", written, "http://x/hook"],
    ["--to", "http:\\\\x", written, "http://x"],
    ["--to", "https//x.example/y", written, "https://x.example/y"],
    ["--to", "HTTPS:x.example", written, "https://x.example"],
    // A port after the scheme is this machine's port, not the host "3000" (0.0.11.184) http://3000 names.
    ["--to", "http:3000", written, "http://localhost:3000"],
    ["--forward-to", "http:/3000/webhooks", written, "http://localhost:3000/webhooks"],
    ["--to", "https:8443", written, "https://localhost:8443"],
    ["--to", "http::3000", written, "http://localhost:3000"],
    ["--to", ":3000", "", "http://localhost:3000"],
    ["--forward-to", ":3000/webhooks", "", "http://localhost:3000/webhooks"],
    ["--to", "::1", "", "http://[::1]"],
    ["--to", "::1/hook", "", "http://[::1]/hook"],
  ];
  for (const [flag, value, how, meant] of table) {
    assert.throws(
      () => parseHttpUrl(flag, value),
      (e) =>
        e instanceof UsageError &&
        e.message === `${flag} must be a full http:// or https:// URL${how}, not ${JSON.stringify(value)}.` &&
        e.hint === `Did you mean ${flag} ${meant}?`,
      value,
    );
  }
  // Parsed by WHATWG as another scheme, nothing to guess: refused as typed, never as "localhost://…".
  for (const value of ["localhost:abc", "mailto:x", "http:"])
    assert.throws(
      () => parseHttpUrl("--to", value),
      (e) =>
        e instanceof UsageError &&
        e.message === `--to must be a full http:// or https:// URL, not ${JSON.stringify(value)}.` &&
        !String(e.hint).startsWith("Did you mean"),
      value,
    );
  // A password typed in such a URL is masked in the refusal and the suggestion.
  assert.throws(
    () => parseHttpUrl("--to", "http:/u:s3cret@x"),
    (e) => e instanceof UsageError && !`${e.message} ${e.hint}`.includes("s3cret"),
  );
});
