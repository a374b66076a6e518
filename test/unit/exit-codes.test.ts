import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, ApiTimeoutError, ApiTooLargeError, NetworkError } from "../../src/api/errors.js";
import {
  AuthError,
  CertwhError,
  InterruptedError,
  NotFoundError,
  RefusedError,
  TimeoutError,
  TunnelError,
  UsageError,
} from "../../src/errors.js";
import { describeFailure, errorDocument, reword } from "../../src/io/exit-codes.js";
import { clearSecrets, registerSecret } from "../../src/util/redact.js";

const api = (status: number, code = "", message = "m") =>
  new ApiError({ status, code, message, method: "PUT", path: "/webhook/1/activate" });

// The documented table (README "Exit codes"); a change here is a breaking change for CI scripts.
const table: [string, unknown, number][] = [
  ["usage error", new UsageError("bad flag"), 2],
  ["refused", new RefusedError("no"), 3],
  ["auth", new AuthError("no key"), 4],
  ["not found", new NotFoundError("none"), 5],
  ["timeout", new TimeoutError("late"), 6],
  ["tunnel", new TunnelError("down"), 7],
  ["SIGINT", new InterruptedError("SIGINT"), 130],
  ["SIGTERM", new InterruptedError("SIGTERM"), 143],
  ["stdout closed", new InterruptedError("stdout_closed"), 141],
  ["stderr closed", new InterruptedError("stderr_closed"), 141],
  ["parent process gone", new InterruptedError("parent_exited"), 143],
  ["401", api(401, "access_denied|invalid_api_key"), 4],
  ["403", api(403, "access_denied|missing_permission"), 4],
  ["404 not_found|webhook", api(404, "not_found|webhook"), 5],
  ["400 webhook_invalid_account", api(400, "webhook_invalid_account"), 5],
  ["400 webhook_invalid_action", api(400, "webhook_invalid_action"), 3],
  ["400 webhook_invalid_token", api(400, "webhook_invalid_token"), 3],
  ["400 webhook_endpoint_error", api(400, "webhook_endpoint_error"), 3],
  ["400 webhook_configured_already", api(400, "webhook_configured_already"), 3],
  ["400 webhook_invalid_endpoint", api(400, "webhook_invalid_endpoint"), 3],
  ["400 unknown code", api(400, "something_new"), 3],
  ["429 after retries", api(429, "request_limit_exceeded"), 3],
  ["503 after retries", api(503, ""), 3],
  ["network failure", new NetworkError("refused", "127.0.0.1:1", "ECONNREFUSED"), 3],
  ["API timeout", new ApiTimeoutError("late", "www.digicert.com", 30_000), 6],
  ["bug", new TypeError("x is undefined"), 1],
];

for (const [name, err, code] of table) {
  test(`exit code for ${name} is ${code}`, () => {
    assert.equal(describeFailure(err).exitCode, code);
  });
}

test("API failures branch on the code, never on the message text", () => {
  const a = describeFailure(api(400, "webhook_invalid_token", "whatever the server says"));
  const b = describeFailure(api(400, "webhook_invalid_token", "another text entirely"));
  assert.equal(a.message, b.message);
  assert.equal(a.code, "webhook_invalid_token");
});

test("auth failures carry the admin/enablement hint", () => {
  const f = describeFailure(api(403, "access_denied|missing_permission"));
  assert.match(f.hint ?? "", /administrator/);
  assert.match(f.hint ?? "", /enabled webhooks/);
});

test("secrets are redacted from failure messages", () => {
  const canary = `canary-${Math.random().toString(36).slice(2)}-secret-value`;
  registerSecret(canary);
  try {
    const f = describeFailure(new Error(`boom with ${canary} inside`));
    assert.ok(!f.message.includes(canary));
  } finally {
    clearSecrets();
  }
});

// Wording of API failures (what a person reads after the exit code).
const htmlError = (status: number, detail: string, method = "GET", path = "/webhook") =>
  new ApiError({
    status,
    code: "",
    method,
    path,
    detail,
    message: `HTTP ${status} from 127.0.0.1:1: ${detail}`,
  });

test("a 4xx with an HTML body names the status once and keeps the snippet", () => {
  const f = describeFailure(htmlError(400, "Bad Request nginx"));
  assert.equal(f.message, "CertCentral refused GET /webhook (HTTP 400): Bad Request nginx");
  assert.equal(f.message.match(/HTTP 400/g)?.length, 1);
});

test("a 2xx that could not be read is not called a refusal", () => {
  const err = new ApiError({
    status: 200,
    code: "",
    method: "POST",
    path: "/webhook",
    detail: "Sign in to continue",
    message:
      "CertCentral's answer to POST /webhook could not be read (HTTP 200, not JSON): Sign in to continue",
  });
  const f = describeFailure(err);
  assert.doesNotMatch(f.message, /refused/);
  assert.match(
    f.message,
    /^CertCentral's answer to POST \/webhook \(HTTP 200\) is not JSON: Sign in to continue$/,
  );
  assert.equal(f.exitCode, 3);
});

test("a redirect is said once, in its own sentence; a timeout says how many attempts it took", () => {
  const redirect = new ApiError({
    status: 302,
    code: "",
    method: "GET",
    path: "/webhook",
    message: "CertCentral answered HTTP 302 (a redirect) to GET /webhook; certwh never follows redirects.",
  });
  assert.equal(describeFailure(redirect).message, redirect.message);
  const timeout = new ApiTimeoutError("timed out", "www.digicert.com", 1000);
  timeout.attempts = 3;
  assert.equal(describeFailure(timeout).message, "www.digicert.com did not answer within 1s (3 attempts).");
  // Not rounded to a whole second: --request-timeout 1.5 is said as it was given.
  const fractional = new ApiTimeoutError("timed out", "www.digicert.com", 1500);
  assert.equal(describeFailure(fractional).message, "www.digicert.com did not answer within 1.5s.");
});

test("5xx after retries: says how many attempts and keeps the snippet", () => {
  const err = htmlError(503, "Service Unavailable");
  err.attempts = 3;
  const f = describeFailure(err);
  assert.match(f.message, /after 3 attempts/);
  assert.match(f.message, /Service Unavailable/);
  assert.doesNotMatch(f.message, /retries where they are safe/);
});

test("5xx on a call that is never retried: nothing about retries", () => {
  const f = describeFailure(htmlError(502, "Bad Gateway", "POST", "/webhook"));
  assert.match(f.message, /^CertCentral failed \(HTTP 502\) on POST \/webhook: Bad Gateway$/);
  assert.doesNotMatch(f.message, /retr|attempts/);
});

test("hints never send the user to the command that failed: status on a 5xx, a too-large answer outside logs", () => {
  const e503 = htmlError(503, "Service Unavailable", "GET", "/webhook");
  assert.equal(describeFailure(e503, { command: "status" }).hint, "Try again later.");
  assert.equal(describeFailure(e503, { command: "login" }).hint, "Try again later.");
  assert.match(String(describeFailure(e503, { command: "activate" }).hint), /`certwh status` shows/);
  const big = (path: string) =>
    new ApiTooLargeError({ status: 200, method: "GET", path, limitBytes: 1024 * 1024 });
  assert.doesNotMatch(String(describeFailure(big("/webhook"), { command: "status" }).hint), /logs --limit/);
  assert.match(String(describeFailure(big("/webhook"), { command: "status" }).hint), /Check the base URL/);
  assert.match(
    String(describeFailure(big("/webhook/1/event-logs"), { command: "logs" }).hint),
    /logs --limit 200/,
  );
});

test("429: attempts only when retried; no 'retries did not help' on a single try", () => {
  const once = describeFailure(api(429, "request_limit_exceeded", "Too many requests"));
  assert.doesNotMatch(once.message, /retr|attempts/);
  assert.match(once.message, /rate limit/);
  const err = api(429, "request_limit_exceeded", "Too many requests");
  err.attempts = 3;
  assert.match(describeFailure(err).message, /after 3 attempts/);
});

test("webhook_endpoint_error: the internet is mentioned unless the endpoint is local to a sandbox", () => {
  const err = api(400, "webhook_endpoint_error");
  assert.match(describeFailure(err).hint ?? "", /internet/);
  const local = describeFailure(err, { endpoint: "http://127.0.0.1:9/hook", localEndpoint: true });
  assert.equal(local.exitCode, 3);
  assert.equal(local.code, "webhook_endpoint_error");
  assert.match(local.message, /127\.0\.0\.1:9\/hook/);
  assert.doesNotMatch(`${local.message} ${local.hint}`, /internet/);
});

test("reword: new words, same exit code and code, the original as cause", () => {
  const table: [
    string,
    unknown,
    Parameters<typeof reword>[1],
    { exitCode: number; code: string; message: string; hint?: string },
  ][] = [
    [
      "message only: describeFailure's hint stays",
      new ApiTimeoutError("x", "sandbox:1", 2000),
      { message: "The sandbox did not answer." },
      {
        exitCode: 6,
        code: "timeout",
        message: "The sandbox did not answer.",
        hint: "Raise --request-timeout, or check your network.",
      },
    ],
    [
      "hint only",
      api(401, "access_denied|invalid_api_key"),
      { hint: "Use the sandbox's key." },
      {
        exitCode: 4,
        code: "access_denied|invalid_api_key",
        message: "CertCentral refused the API key (HTTP 401 access_denied|invalid_api_key).",
        hint: "Use the sandbox's key.",
      },
    ],
    [
      "hint as a function of the old one",
      new NetworkError("x", "h:1", "ECONNREFUSED"),
      { hint: (h) => `first\n  ${h}` },
      {
        exitCode: 3,
        code: "network",
        message: "Could not reach h:1 (ECONNREFUSED).",
        hint: "first\n  Check the network, a proxy, or the --base-url / CERTWH_BASE_URL value.",
      },
    ],
    [
      "nothing changed",
      new NotFoundError("none", { hint: "make one" }),
      {},
      { exitCode: 5, code: "not_found", message: "none", hint: "make one" },
    ],
  ];
  for (const [label, err, change, expected] of table) {
    const out = reword(err, change);
    assert.ok(out instanceof CertwhError, label);
    assert.deepEqual(
      { exitCode: out.exitCode, code: out.code, message: out.message, hint: out.hint },
      expected,
      label,
    );
    assert.equal(out.cause, err, label);
    assert.equal(out.reported, false, label);
  }
  assert.equal(reword(new RefusedError("x"), { reported: true }).reported, true);
  const local = reword(
    api(400, "webhook_endpoint_error"),
    {},
    { endpoint: "http://127.0.0.1:1/h", localEndpoint: true },
  );
  assert.match(
    local.message,
    /^The sandbox could not deliver to http:\/\/127\.0\.0\.1:1\/h/,
    "the context reaches describeFailure",
  );
});

test("errorDocument: the --json error object", () => {
  assert.deepEqual(errorDocument(describeFailure(new UsageError("bad flag"))), {
    error: { exit_code: 2, code: "usage", message: "bad flag" },
  });
  assert.deepEqual(errorDocument({ exitCode: 3, code: "network", message: "m" }), {
    error: { exit_code: 3, code: "network", message: "m" },
  });
});

test("an API code that names an Object.prototype member is an unknown code, not a table entry", () => {
  for (const code of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    const f = describeFailure(api(400, code, "odd"));
    assert.equal(f.exitCode, 3, code);
    assert.equal(f.code, code, code);
    assert.equal(f.message, `CertCentral refused PUT /webhook/1/activate (HTTP 400 ${code}): odd`, code);
  }
});

test("network failures that say what is wrong: nothing at a loopback base URL, https:// answered in plain HTTP", () => {
  const failed = (url: string, errno: string) =>
    describeFailure(new NetworkError("x", new URL(url).host, errno, undefined, url));
  assert.deepEqual(failed("http://127.0.0.1:8443/services/v2", "ECONNREFUSED"), {
    exitCode: 3,
    code: "network",
    message: "Nothing answers at http://127.0.0.1:8443/services/v2: is `certwh sandbox` running?",
    hint: "Start it with `certwh sandbox` in another shell, or check --base-url / CERTWH_BASE_URL.",
  });
  assert.deepEqual(failed("https://127.0.0.1:8443/services/v2", "ERR_SSL_WRONG_VERSION_NUMBER"), {
    exitCode: 3,
    code: "network",
    message: "https://127.0.0.1:8443/services/v2 speaks plain HTTP; use http://127.0.0.1:8443/services/v2.",
    hint: "Change --base-url / CERTWH_BASE_URL.",
  });
  const remote = failed("https://api.example.test/services/v2", "EPROTO");
  assert.equal(
    remote.message,
    "https://api.example.test/services/v2 speaks plain HTTP; use http://api.example.test/services/v2.",
  );
  assert.match(remote.hint ?? "", /only on loopback/);
  // A refused connection to a host that is not this computer: the general words.
  assert.equal(
    failed("https://api.example.test/services/v2", "ECONNREFUSED").message,
    "Could not reach api.example.test (ECONNREFUSED).",
  );
});

test("429 with a Retry-After over a minute (certwh stops at once) advises that wait, not 'a minute'", () => {
  const long = new ApiError({
    status: 429,
    code: "request_limit_exceeded",
    message: "Too many requests",
    method: "GET",
    path: "/webhook",
    retryAfterMs: 120_000,
  });
  assert.match(
    describeFailure(long).hint ?? "",
    /^CertCentral asked to wait 2 minutes \(Retry-After\): try again after that/,
  );
  const short = api(429, "request_limit_exceeded", "Too many requests");
  assert.match(describeFailure(short).hint ?? "", /^Wait a minute and try again/);
});
