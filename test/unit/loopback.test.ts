// The one loopback rule (src/util/loopback.ts) used by the base URL check, --url, --public-url and the sandbox.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBaseUrl } from "../../src/api/base-url.js";
import { UsageError } from "../../src/errors.js";
import { isLoopbackHost, isLoopbackUrl } from "../../src/util/loopback.js";

test("isLoopbackHost: 127.0.0.0/8, localhost, *.localhost, ::1 and IPv4-mapped 127.x, bracketed or not", () => {
  const table: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["127.255.255.255", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["localhost.", true],
    ["a.localhost", true],
    ["api.dev.localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["[0:0:0:0:0:0:0:1]", true],
    ["::ffff:127.0.0.1", true],
    ["[::ffff:127.0.0.1]", true],
    ["[::ffff:7f00:1]", true],
    ["::FFFF:7F01:203", true],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["0.0.0.0", false],
    ["example.com", false],
    ["localhost.example.com", false],
    ["notlocalhost", false],
    ["127.0.0.1.example.com", false],
    ["::2", false],
    ["::", false],
    ["[::ffff:a00:1]", false],
    ["::ffff:10.0.0.1", false],
    ["::ffff:7f:1", false],
    ["", false],
  ];
  for (const [host, expected] of table) assert.equal(isLoopbackHost(host), expected, host);
});

test("isLoopbackUrl: the URL's host decides, as URL.hostname gives it; not a URL → false", () => {
  const table: [string, boolean][] = [
    ["http://127.0.0.1:4010/services/v2", true],
    ["http://[::1]:8080/", true],
    ["http://[::ffff:127.0.0.1]/hook", true],
    ["http://localhost/", true],
    ["https://www.digicert.com/services/v2", false],
    ["http://[::ffff:10.0.0.1]/", false],
    ["not a url", false],
  ];
  for (const [url, expected] of table) assert.equal(isLoopbackUrl(url), expected, url);
});

test("checkBaseUrl: plain http:// to an IPv4-mapped loopback address is accepted (it was refused before)", () => {
  assert.equal(
    checkBaseUrl("http://[::ffff:127.0.0.1]:8443/services/v2/"),
    "http://[::ffff:7f00:1]:8443/services/v2",
  );
  assert.throws(() => checkBaseUrl("http://[::ffff:10.0.0.1]/services/v2"), UsageError);
});
