// --base-url / CERTWH_BASE_URL and listen --public-url follow the URL flags' one scheme rule (src/util/url-scheme.ts):
// a URL typed without "scheme://" is named as typed, with the URL meant (http:// only where loopback allows it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBaseUrl } from "../../src/api/base-url.js";
import { UsageError } from "../../src/errors.js";
import { parsePublicBaseUrl } from "../../src/tunnel/external.js";

function refusedWith(fn: () => unknown, message: string, hint: string | undefined, label: string): void {
  assert.throws(
    fn,
    (e) =>
      e instanceof UsageError &&
      e.message === message &&
      (hint === undefined ? !String(e.hint).startsWith("Did you mean") : e.hint === hint),
    label,
  );
}

test("checkBaseUrl: a base URL without its scheme is named as typed, with the URL meant, never as null", () => {
  const table: [string, string, string, string][] = [
    ["--base-url", "localhost:3000", "http:// or https://", "--base-url http://localhost:3000"],
    ["CERTWH_BASE_URL", "localhost:3000", "http:// or https://", "http://localhost:3000"],
    [
      "--base-url",
      "127.0.0.1:32777/services/v2",
      "http:// or https://",
      "--base-url http://127.0.0.1:32777/services/v2",
    ],
    ["--base-url", "hooks.example.com:443/path", "https://", "--base-url https://hooks.example.com:443/path"],
    ["--base-url", "::1", "http:// or https://", "--base-url http://[::1]"],
  ];
  for (const [from, value, allowed, meant] of table)
    refusedWith(
      () => checkBaseUrl(value, from),
      `${from} must be a full ${allowed} URL, not ${JSON.stringify(value)}.`,
      `Did you mean ${meant}?`,
      `${from} ${value}`,
    );
  // Typed with a scheme that is not http(s): named as typed (its origin would print "null").
  assert.throws(
    () => checkBaseUrl("foo://x.example/services/v2", "--base-url"),
    (e) =>
      e instanceof UsageError &&
      e.message.endsWith(': "foo://x.example/services/v2".') &&
      !/null/.test(e.message),
  );
});

test("checkBaseUrl: a mangled scheme is refused (http:/x would be read as http://x/), with the URL meant", () => {
  const written = 'written with "://"';
  refusedWith(
    () => checkBaseUrl("http:/127.0.0.1:8443/services/v2", "--base-url"),
    `--base-url must be a full http:// or https:// URL ${written}, not "http:/127.0.0.1:8443/services/v2".`,
    "Did you mean --base-url http://127.0.0.1:8443/services/v2?",
    "http:/ loopback",
  );
  refusedWith(
    () => checkBaseUrl("https//www.digicert.com/services/v2", "--base-url"),
    `--base-url must be a full https:// URL ${written}, not "https//www.digicert.com/services/v2".`,
    "Did you mean --base-url https://www.digicert.com/services/v2?",
    "https// no colon",
  );
  refusedWith(
    () => checkBaseUrl("http:8443/services/v2", "CERTWH_BASE_URL"),
    `CERTWH_BASE_URL must be a full http:// or https:// URL ${written}, not "http:8443/services/v2".`,
    "Did you mean http://localhost:8443/services/v2?",
    "http: then a port",
  );
});

test("parsePublicBaseUrl: --public-url without its scheme is named as typed, with the URL meant", () => {
  const table: [string, string, string][] = [
    ["hooks.example.com:443/path", "https://", "https://hooks.example.com:443/path"],
    ["localhost:3000", "http:// or https://", "http://localhost:3000"],
    ["http:/hooks.example.com", "https://", "https://hooks.example.com"],
  ];
  for (const [value, allowed, meant] of table)
    refusedWith(
      () => parsePublicBaseUrl(value),
      `--public-url must be a full ${allowed} URL${value.startsWith("http:") ? ' written with "://"' : ""}, not ${JSON.stringify(value)}.`,
      `Did you mean --public-url ${meant}?`,
      value,
    );
});
