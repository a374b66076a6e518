// The retry policy as pure functions: Retry-After forms, backoff with jitter, which failures retry.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, ApiTimeoutError, NetworkError } from "../../src/api/errors.js";
import { isRetryable, parseRetryAfter, retryDelay, withRetry } from "../../src/api/retry.js";
import { ManualClock } from "../../src/util/clock.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const apiError = (status: number, retryAfterMs?: number) =>
  new ApiError({ status, code: "", message: "x", method: "GET", path: "/webhook", retryAfterMs });

test("parseRetryAfter: seconds, HTTP dates, junk", () => {
  const table: [string | undefined, number | undefined][] = [
    ["2", 2000],
    [" 0 ", 0],
    ["120", 120_000],
    [new Date(NOW + 5000).toUTCString(), 5000],
    ["Thu, 01 Jan 2026 11:59:00 GMT", 0], // in the past
    ["Thursday, 01-Jan-26 12:00:07 GMT", 7000], // RFC 850 form
    ["-1", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["2026-01-01", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [input, want] of table) assert.equal(parseRetryAfter(input, NOW), want, String(input));
  assert.equal(parseRetryAfter(["3", "9"], NOW), 3000);
});

test("retryDelay: 1 → 2 → 4 s with at most 25% jitter; Retry-After at least 1 s; above 60 s gives up", () => {
  const none = () => 0;
  const full = () => 0.999999;
  assert.equal(retryDelay(apiError(503), 1, none), 1000);
  assert.equal(retryDelay(apiError(503), 2, none), 2000);
  assert.equal(retryDelay(apiError(503), 3, none), 4000);
  assert.equal(retryDelay(apiError(503), 1, full), 1250);
  assert.equal(retryDelay(apiError(503), 3, full), 5000);
  assert.equal(retryDelay(apiError(429, 0), 1, none), 1000);
  assert.equal(retryDelay(apiError(429, 2000), 1, none), 2000);
  assert.equal(retryDelay(apiError(429, 60_000), 1, none), 60_000);
  assert.equal(retryDelay(apiError(429, 60_001), 1, none), undefined);
});

test("isRetryable: 429, 5xx, network errors and timeouts only", () => {
  assert.ok(isRetryable(apiError(429)));
  assert.ok(isRetryable(apiError(500)));
  assert.ok(isRetryable(apiError(503)));
  assert.ok(isRetryable(new NetworkError("x", "h")));
  assert.ok(isRetryable(new ApiTimeoutError("x", "h", 1)));
  for (const status of [400, 401, 403, 404, 302]) assert.ok(!isRetryable(apiError(status)), String(status));
  assert.ok(!isRetryable(new Error("bug")));
});

test("withRetry: stops at maxAttempts and tells onRetry before each wait", async () => {
  const clock = new ManualClock(NOW);
  const seen: number[] = [];
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw apiError(500);
      },
      { clock, maxAttempts: 4, random: () => 0, onRetry: (i) => seen.push(i.delayMs) },
    ),
    ApiError,
  );
  assert.equal(calls, 4);
  assert.deepEqual(seen, [1000, 2000, 4000]);
  assert.equal(clock.now() - NOW, 7000);
});
